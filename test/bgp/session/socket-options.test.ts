import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import {
  addonStatus, applyAccepted, Md5KeyRing, needsAddon, openConnection, readTtl, registerPeer, ttlPlan, unregisterPeer, md5KeyRing,
} from '../../../src/bgp/session/socket-options';

/** TcpExt counters of this network namespace (/proc/net/netstat). */
function tcpExt(name: string): number {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:'));
  const keys = lines[0].split(/\s+/);
  const vals = lines[1].split(/\s+/);
  return Number(vals[keys.indexOf(name)]);
}

/** A server on host:0 whose accepted sockets echo one line back; keys come from `ring`. */
async function echoServer(t: Test, host: string, ring: Md5KeyRing | null = new Md5KeyRing()): Promise<{ server: net.Server; port: number; accepted: net.Socket[] }> {
  const accepted: net.Socket[] = [];
  const server = net.createServer((s) => {
    accepted.push(s);
    s.on('data', (d) => s.write(d));
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen({ host, port: 0, ipv6Only: false }, resolve));
  ring?.addListener(server);
  t.teardown(() => {
    ring?.removeListener(server);
    for (const s of accepted) s.destroy();
    server.close();
  });
  return { server, port: (server.address() as net.AddressInfo).port, accepted };
}

/** Resolves 'connected' after the socket connected and echoed, or 'timeout' after `ms`. */
function outcome(s: net.Socket, ms: number): Promise<'connected' | 'timeout' | string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => { s.destroy(); resolve('timeout'); }, ms);
    s.once('connect', () => s.write('ping'));
    s.once('data', (d) => { clearTimeout(timer); resolve(d.toString() === 'ping' ? 'connected' : `got ${d.toString()}`); });
    s.once('error', (e) => { clearTimeout(timer); resolve(`error ${e.message}`); });
  });
}

t.test('the native addon is built and loads', (t) => {
  t.same(addonStatus(), { loaded: true });
  t.end();
});

t.test('TTL plan follows BIRD: ttl security gives 255 / 256-N, multihop alone gives N', (t) => {
  t.same(ttlPlan({ ttlSecurity: 1, multihop: 1 }), { ttl: 255, minTtl: 255 });
  t.same(ttlPlan({ ttlSecurity: 3, multihop: 3 }), { ttl: 255, minTtl: 253 });
  t.same(ttlPlan({ multihop: 64 }), { ttl: 64 });
  t.same(ttlPlan({}), {});
  t.equal(needsAddon({ multihop: 64 }), false);
  t.equal(needsAddon({ password: 'x' }), true);
  t.equal(needsAddon({ ttlSecurity: 1 }), true);
  t.end();
});

t.test('GTSM: a SYN-ACK below the minimum TTL is dropped (listener at the default TTL 64, hops 1 wants 255)', async (t) => {
  const { port } = await echoServer(t, '127.0.0.1', null);
  const s = openConnection({ name: 'gtsm', peerAddress: '127.0.0.1', peerPort: port, ttlSecurity: 1, multihop: 1 });
  t.equal(await outcome(s, 1500), 'timeout');
});

t.test('outgoing IPv4 connection: TTL and minimum TTL are on the socket (read back with getsockopt)', async (t) => {
  const { port, accepted } = await echoServer(t, '127.0.0.1');
  const s = openConnection({ name: 'p1', peerAddress: '127.0.0.1', peerPort: port, ttlSecurity: 2, multihop: 2 });
  t.teardown(() => s.destroy());
  t.equal(await outcome(s, 3000), 'connected');
  t.equal(readTtl(s, 'ttl'), 255);
  t.equal(readTtl(s, 'minTtl'), 254);
  applyAccepted(accepted[0], { name: 'p1', peerAddress: '127.0.0.1', peerPort: 179, multihop: 7 });
  t.equal(readTtl(accepted[0], 'ttl'), 7);
  t.equal(readTtl(accepted[0], 'minTtl'), 0);

  const m = openConnection({ name: 'p2', peerAddress: '127.0.0.1', peerPort: port, localAddress: '127.0.0.3', multihop: 64 });
  t.teardown(() => m.destroy());
  t.equal(await outcome(m, 3000), 'connected');
  t.equal(m.localAddress, '127.0.0.3');
  t.equal(readTtl(m, 'ttl'), 64);
  t.equal(readTtl(m, 'minTtl'), 0);
});

t.test('an accepted connection whose SYN came with a low TTL is refused under TTL security', async (t) => {
  const { port, accepted } = await echoServer(t, '127.0.0.1');
  const s = openConnection({ name: 'far', peerAddress: '127.0.0.1', peerPort: port, multihop: 200 });
  t.teardown(() => s.destroy());
  t.equal(await outcome(s, 3000), 'connected');
  t.throws(() => applyAccepted(accepted[0], { name: 'far', peerAddress: '127.0.0.1', peerPort: 179, ttlSecurity: 1 }), {
    message: 'peer far: connection refused by TTL security: its SYN arrived with TTL 200, below 255 (ttlSecurity 1, RFC 5082)',
    gtsmReject: true,
  });
});

t.test('outgoing IPv6 connection: hop limit and minimum hop count', async (t) => {
  const { port, accepted } = await echoServer(t, '::1');
  const s = openConnection({ name: 'p6', peerAddress: '::1', peerPort: port, ttlSecurity: 1, multihop: 1 });
  t.teardown(() => s.destroy());
  t.equal(await outcome(s, 3000), 'connected');
  t.equal(readTtl(s, 'hops'), 255);
  t.equal(readTtl(s, 'minHops'), 255);
  applyAccepted(accepted[0], { name: 'p6', peerAddress: '::1', peerPort: 179, ttlSecurity: 4 });
  t.equal(readTtl(accepted[0], 'hops'), 255);
  t.equal(readTtl(accepted[0], 'minHops'), 252);
});

t.test('TCP MD5: matching key connects (dual-stack listener, IPv4 peer), wrong or no key never does', async (t) => {
  const ring = new Md5KeyRing();
  const owner = {};
  t.same(ring.set(owner, 'peer-a', '127.0.0.2', 'right-key'), []);
  const { server, port } = await echoServer(t, '::', ring);
  t.equal(readTtl(server, 'ttl'), 255, 'listener sends SYN-ACKs with TTL 255');
  t.equal(readTtl(server, 'hops'), 255);

  const good = openConnection({ name: 'good', peerAddress: '127.0.0.1', peerPort: port, localAddress: '127.0.0.2', password: 'right-key' });
  t.teardown(() => good.destroy());
  t.equal(await outcome(good, 3000), 'connected');

  const failures = tcpExt('TCPMD5Failure');
  const bad = openConnection({ name: 'bad', peerAddress: '127.0.0.1', peerPort: port, localAddress: '127.0.0.2', password: 'wrong-key' });
  t.equal(await outcome(bad, 1500), 'timeout');
  t.ok(tcpExt('TCPMD5Failure') > failures, 'the kernel counted MD5 failures');

  const notFound = tcpExt('TCPMD5NotFound');
  const none = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
  t.equal(await outcome(none, 1500), 'timeout');
  t.ok(tcpExt('TCPMD5NotFound') > notFound, 'the kernel counted unsigned segments from a keyed peer');

  // Releasing the only registration removes the key: an unsigned connection now succeeds.
  t.same(ring.release(owner), []);
  t.same(ring.addresses(), []);
  const plain = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
  t.teardown(() => plain.destroy());
  t.equal(await outcome(plain, 3000), 'connected');
});

t.test('key ring: the latest registration for an address is in force; releasing it restores the previous one', async (t) => {
  const ring = new Md5KeyRing();
  const oldOwner = {};
  const newOwner = {};
  const { port } = await echoServer(t, '127.0.0.1', ring);
  ring.set(oldOwner, 'old', '127.0.0.4', 'old-key');
  ring.set(newOwner, 'new', '127.0.0.4', 'new-key');
  const a = openConnection({ name: 'a', peerAddress: '127.0.0.1', peerPort: port, localAddress: '127.0.0.4', password: 'new-key' });
  t.teardown(() => a.destroy());
  t.equal(await outcome(a, 3000), 'connected');
  ring.release(newOwner);
  const b = openConnection({ name: 'b', peerAddress: '127.0.0.1', peerPort: port, localAddress: '127.0.0.4', password: 'old-key' });
  t.teardown(() => b.destroy());
  t.equal(await outcome(b, 3000), 'connected');
  t.same(ring.addresses(), ['127.0.0.4']);
  ring.release(oldOwner);
  t.same(ring.addresses(), []);
});

t.test('registerPeer puts the key on the process-wide ring; unregisterPeer removes it', (t) => {
  const owner = {};
  t.same(registerPeer(owner, { name: 'x', peerAddress: '127.0.0.9', peerPort: 179, password: 'k' }), []);
  t.ok(md5KeyRing.addresses().includes('127.0.0.9'));
  t.same(unregisterPeer(owner), []);
  t.notOk(md5KeyRing.addresses().includes('127.0.0.9'));
  t.end();
});

t.test('without the addon: secured peers fail with an error naming the peer, others connect', async (t) => {
  const { port } = await echoServer(t, '127.0.0.1');
  const mod = join(__dirname, '..', '..', '..', 'src', 'bgp', 'session', 'socket-options.js');
  const script = `
    const so = require(${JSON.stringify(mod)});
    const out = { status: so.addonStatus(), register: so.registerPeer({}, { name: 'Global_10_0_0_1', peerAddress: '127.0.0.1', peerPort: ${port}, password: 'k' }).map((e) => e.message) };
    const s = so.openConnection({ name: 'Global_10_0_0_1', peerAddress: '127.0.0.1', peerPort: ${port}, ttlSecurity: 1 });
    s.on('error', (e) => {
      out.connectError = e.message;
      const p = so.openConnection({ name: 'plain', peerAddress: '127.0.0.1', peerPort: ${port}, multihop: 64 });
      p.on('connect', () => { out.plain = 'connected'; p.destroy(); console.log(JSON.stringify(out)); });
    });`;
  const text = execFileSync(process.execPath, ['-e', script], { env: { ...process.env, PETREL_SOCKOPT_ADDON: '/nonexistent/petrel_sockopt.node' }, timeout: 10000 }).toString();
  const out = JSON.parse(text) as { status: { loaded: boolean; error: string }; register: string[]; connectError: string; plain: string };
  t.equal(out.status.loaded, false);
  t.match(out.status.error, /^cannot load the native socket-options addon \/nonexistent\/petrel_sockopt\.node: /);
  t.equal(out.register.length, 1);
  t.match(out.register[0], /^peer Global_10_0_0_1 is configured with a TCP MD5 password but cannot load the native socket-options addon/);
  t.match(out.connectError, /^peer Global_10_0_0_1 is configured with TTL security but cannot load/);
  t.equal(out.plain, 'connected');
});
