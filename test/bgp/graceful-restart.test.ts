/**
 * Graceful restart helper mode (RFC 4724 §4.2, RFC 8538): a hand-driven peer (raw-peer.ts) talks to a Petrel
 * speaker (loopback-speaker.ts) that advertised GR. TCP loss keeps routes as stale; a re-established session that
 * re-sends part of them and End-of-RIB leaves exactly the re-sent ones; the restart timer, the stale timer, a new
 * OPEN without the F bit and a plain NOTIFICATION each flush. `retainsRoutes` is checked case by case.
 */
import t, { type Test } from 'tap';
import pino from 'pino';
import { Peer } from '../../src/bgp/peer';
import { retainsRoutes } from '../../src/bgp/graceful-restart';
import { IPV4_UNICAST } from '../../src/bgp/family';
import type { LocalSessionSettings, PeerGracefulRestart } from '../../src/bgp/codec/session-codec';
import { RouteFlag } from '../../src/rib/types';
import { formatPrefixKey, parsePrefix } from '../../src/util/prefix';
import { speaker, peerConfig, waitFor, type Speaker } from '../helpers/loopback-speaker';
import { RawPeer } from './raw-peer';

const log = pino({ level: process.env.TEST_LOG ?? 'silent' });
let hostIndex = 30 + (process.pid % 50) * 4;

const PREFIXES = Array.from({ length: 100 }, (_, i) => `10.1.${i}.0/24`);

interface Rig {
  b: Speaker;
  pb: Peer;
  host: string;
  peerAddr: string;
  port: number;
  connect(gr: LocalSessionSettings['gracefulRestart']): Promise<RawPeer>;
}

async function rig(t: Test, opts: { staleTime?: number; notification?: boolean } = {}): Promise<Rig> {
  const i = hostIndex++;
  const host = `127.0.${i >> 8}.${(i & 255) || 1}`;
  const peerAddr = `127.1.${i >> 8}.${(i & 255) || 1}`;
  const port = 20000 + Math.floor(Math.random() * 20000);
  const b = speaker(log);
  await b.listener.listen(port, host);
  const cfg = peerConfig('raw', { as: 65002, id: '10.0.0.2', addr: host }, { as: 65099, addr: peerAddr, port }, true);
  cfg.settings.gracefulRestart = { restartTime: 120, restarting: false, forwarding: true, notification: opts.notification };
  cfg.gracefulRestartStaleTime = opts.staleTime ?? 30;
  const pb = new Peer(cfg, b.ribs, b.interner, log);
  b.peers.push(pb);
  pb.start();
  const open: LocalSessionSettings = { localAs: 65099, peerAs: 65002, routerId: '10.0.0.99', holdTime: 0, families: [IPV4_UNICAST] };
  const raws: RawPeer[] = [];
  t.teardown(async () => {
    for (const r of raws) r.drop();
    pb.destroy();
    await b.listener.close();
  });
  return {
    b, pb, host, peerAddr, port,
    async connect(gr) {
      await waitFor('peer listening', () => pb.session.primary.state.name === 'Active' && !pb.session.up);
      const r = await RawPeer.connect(host, port, peerAddr, { ...open, gracefulRestart: gr });
      raws.push(r);
      await waitFor('session up', () => pb.session.up !== null);
      return r;
    },
  };
}

const table = (s: Speaker) => s.ribs.get(IPV4_UNICAST)!.table;
const staleCount = (s: Speaker) => [...table(s).values()].filter((r) => r.flags & RouteFlag.Stale).length;

t.test('TCP loss keeps routes stale; re-sent ones refresh, End-of-RIB removes the rest', async (t) => {
  const r = await rig(t);
  const gr = { restartTime: 60, restarting: false, forwarding: true };
  const raw = await r.connect(gr);
  raw.announce(PREFIXES, 65099, '192.0.2.99');
  raw.endOfRib();
  await waitFor('100 routes', () => table(r.b).size === 100);
  raw.drop();
  await waitFor('session down', () => r.pb.gracefulRestartStatus().phase === 'restarting');
  await waitFor('routes marked stale', () => staleCount(r.b) === 100);
  t.equal(table(r.b).size, 100, 'routes kept after TCP loss');
  t.ok(r.b.ribs.get(IPV4_UNICAST)!.best(parsePrefix('10.1.7.0/24')!), 'stale routes stay eligible');
  t.same(r.pb.gracefulRestartStatus().staleFamilies, [IPV4_UNICAST], 'IPv4 unicast is stale');

  const raw2 = await r.connect({ ...gr, restarting: true });
  t.equal(r.pb.gracefulRestartStatus().phase, 'recovering', 'waiting for End-of-RIB');
  raw2.announce(PREFIXES.slice(0, 60), 65099, '192.0.2.99');
  await waitFor('60 refreshed', () => staleCount(r.b) === 40);
  t.equal(table(r.b).size, 100, 'unresent routes still present before End-of-RIB');
  raw2.endOfRib();
  await waitFor('stale removed', () => table(r.b).size === 60);
  t.equal(staleCount(r.b), 0, 'nothing stale left');
  t.same([...table(r.b).keys()].map(formatPrefixKey).sort(), PREFIXES.slice(0, 60).sort(), 'exactly the re-sent prefixes remain');
  t.equal(r.pb.gracefulRestartStatus().phase, 'idle', 'helper done');
});

t.test('restart timer expiry flushes the stale routes', async (t) => {
  const r = await rig(t);
  const raw = await r.connect({ restartTime: 1, restarting: false, forwarding: true });
  raw.announce(PREFIXES, 65099, '192.0.2.99');
  await waitFor('100 routes', () => table(r.b).size === 100);
  raw.drop();
  await waitFor('stale', () => staleCount(r.b) === 100);
  await waitFor('flushed after the restart time', () => table(r.b).size === 0, 5000);
  t.equal(r.pb.gracefulRestartStatus().phase, 'idle', 'helper done');
  t.equal(r.b.interner.stats().sets, 0, 'attribute sets released');
});

t.test('stale timer expiry without End-of-RIB removes routes not re-sent', async (t) => {
  const r = await rig(t, { staleTime: 1 });
  const gr = { restartTime: 60, restarting: false, forwarding: true };
  const raw = await r.connect(gr);
  raw.announce(PREFIXES, 65099, '192.0.2.99');
  await waitFor('100 routes', () => table(r.b).size === 100);
  raw.drop();
  await waitFor('stale', () => staleCount(r.b) === 100);
  const raw2 = await r.connect({ ...gr, restarting: true });
  raw2.announce(PREFIXES.slice(0, 10), 65099, '192.0.2.99');
  await waitFor('10 refreshed', () => staleCount(r.b) === 90);
  await waitFor('stale timer removed the rest', () => table(r.b).size === 10, 5000);
  t.equal(staleCount(r.b), 0, 'nothing stale left');
});

t.test('a new OPEN without the forwarding bit flushes the family at once', async (t) => {
  const r = await rig(t);
  const raw = await r.connect({ restartTime: 60, restarting: false, forwarding: true });
  raw.announce(PREFIXES, 65099, '192.0.2.99');
  await waitFor('100 routes', () => table(r.b).size === 100);
  raw.drop();
  await waitFor('stale', () => staleCount(r.b) === 100);
  await r.connect({ restartTime: 60, restarting: true, forwarding: false });
  await waitFor('flushed', () => table(r.b).size === 0);
  t.equal(r.pb.gracefulRestartStatus().phase, 'idle', 'helper done');
});

t.test('a NOTIFICATION without the N bit flushes at once', async (t) => {
  const r = await rig(t);
  const raw = await r.connect({ restartTime: 60, restarting: false, forwarding: true });
  raw.announce(PREFIXES, 65099, '192.0.2.99');
  await waitFor('100 routes', () => table(r.b).size === 100);
  raw.notify(6, 4);
  await waitFor('flushed', () => table(r.b).size === 0);
  t.equal(staleCount(r.b), 0, 'nothing stale');
  t.equal(r.pb.gracefulRestartStatus().phase, 'idle', 'no helper mode');
});

t.test('RFC 8538: with the N bit both ways a NOTIFICATION keeps routes', async (t) => {
  const r = await rig(t, { notification: true });
  // The N bit is flag 0x4 of the capability: the raw peer sets it through `notification`.
  const raw = await r.connect({ restartTime: 60, restarting: false, forwarding: true, notification: true });
  t.equal(r.pb.negotiatedSession!.gracefulRestart!.notification, true, 'peer N bit negotiated');
  raw.announce(PREFIXES, 65099, '192.0.2.99');
  await waitFor('100 routes', () => table(r.b).size === 100);
  raw.notify(6, 4);
  await waitFor('stale', () => staleCount(r.b) === 100);
  t.equal(table(r.b).size, 100, 'routes kept');
  r.pb.stop();
  await waitFor('stop during restart flushes', () => table(r.b).size === 0);
});

t.test('retainsRoutes: which session ends keep routes', async (t) => {
  const gr: PeerGracefulRestart = { restarting: false, notification: false, restartTime: 120, families: [{ family: IPV4_UNICAST, forwarding: true }] };
  const grN = { ...gr, notification: true };
  t.equal(retainsRoutes({ kind: 'ConnectionClosed' }, gr, false), true, 'TCP loss');
  t.equal(retainsRoutes({ kind: 'ConnectionClosed' }, undefined, false), false, 'no GR capability');
  t.equal(retainsRoutes({ kind: 'NotificationSent', code: 4, subcode: 0 }, gr, false), true, 'hold timer expiry');
  t.equal(retainsRoutes({ kind: 'Stopped', subcode: 2 }, grN, true), false, 'we stopped the session');
  t.equal(retainsRoutes({ kind: 'NotificationReceived', code: 6, subcode: 4 }, gr, true), false, 'NOTIFICATION, peer without N');
  t.equal(retainsRoutes({ kind: 'NotificationReceived', code: 6, subcode: 4 }, grN, false), false, 'NOTIFICATION, we without N');
  t.equal(retainsRoutes({ kind: 'NotificationReceived', code: 6, subcode: 4 }, grN, true), true, 'NOTIFICATION with N both ways');
  t.equal(retainsRoutes({ kind: 'NotificationSent', code: 3, subcode: 1 }, grN, true), true, 'sent UPDATE error with N');
  t.equal(retainsRoutes({ kind: 'NotificationReceived', code: 6, subcode: 9 }, grN, true), false, 'Hard Reset received');
  t.equal(retainsRoutes({ kind: 'NotificationSent', code: 6, subcode: 9 }, grN, true), false, 'Hard Reset sent');
});
