/**
 * DOC: update-group benchmark: 1 feeder × N prefixes exported to P identical eBGP peers, with and without update
 * groups (`PeerConfig.updateGroups`). Everything runs in one process over loopback: a Petrel speaker, a raw feeder
 * that announces N /24s (100 distinct AS paths) and P raw receivers that only frame and count what arrives.
 * After the feed is in the Loc-RIB the P receivers connect at once; reported: wall time until every receiver has
 * End-of-RIB, CPU time of the process over that span, heap growth (after GC) retained once all are synced and the
 * peak RSS growth. Each mode runs in its own child process for clean memory figures.
 *
 *   node dist/bench/update-groups.js [prefixes=100000] [peers=20]
 */
import { execFileSync } from 'node:child_process';
import * as net from 'node:net';
import pino from 'pino';
import { buildOpen } from '../src/bgp/codec/session-codec';
import { encodeMessage } from '../src/bgp/codec/message';
import { encodeUpdate } from '../src/bgp/codec/update';
import { endOfRibUpdate } from '../src/bgp/codec/end-of-rib';
import { Framer } from '../src/bgp/codec/framer';
import { KEEPALIVE } from '../src/bgp/codec/keepalive';
import { IPV4_UNICAST, IPV6_UNICAST, type Family } from '../src/bgp/family';
import { Peer, type PeerConfig } from '../src/bgp/peer';
import { Listener } from '../src/bgp/session/listener';
import { AttrInterner, emptyAttrFields } from '../src/rib/attrs/intern';
import { LocRib } from '../src/rib/loc-rib';
import { DEFAULT_BEST_PATH_OPTIONS } from '../src/rib/best-path';
import { UpdateBuilder } from '../src/rib/update-builder';
import type { PrefixKey } from '../src/util/prefix';

const CTX = { as4: true, addPath: new Set<Family>(), extendedMessage: false };
const HOST = '127.3.0.1';

interface Result { mode: string; prefixes: number; peers: number; ms: number; cpuMs: number; heapMB: number; rssPeakMB: number; bytesPerPeer: number }

function client(port: number, localAddress: string, asn: number, onMessage: (type: number, len: number) => void): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: HOST, port, localAddress }, () => {
      s.write(encodeMessage(buildOpen({ localAs: asn, peerAs: 65000, routerId: localAddress.replace(/^127\./, '10.'), holdTime: 0, families: [IPV4_UNICAST] }), CTX));
      resolve(s);
    });
    const framer = new Framer();
    s.on('data', (chunk: Buffer) => framer.push(chunk, (_b, start, end, type) => {
      if (type === 1) s.write(KEEPALIVE);
      onMessage(type, end - start);
    }));
    s.once('error', reject);
  });
}

function peerConfig(name: string, addr: string, asn: number, port: number, groups: boolean): PeerConfig {
  return {
    name, peerAddress: addr, peerPort: port, localAddress: HOST,
    settings: { localAs: 65000, peerAs: asn, routerId: '10.3.0.1', holdTime: 90, families: [IPV4_UNICAST] },
    fsm: { connectRetryTime: 5, holdTime: 90, passive: true, idleHoldTime: 1, idleHoldTimeMax: 2, allowAutomaticStart: true },
    ibgp: false, nextHopMode: 'auto', rrClient: false, clusterId: null, allowLocalAs: 0, nextHopAddress: '192.0.2.1', updateGroups: groups,
  };
}

async function waitFor(fn: () => boolean): Promise<void> {
  while (!fn()) await new Promise((r) => setTimeout(r, 5));
}

async function run(mode: 'groups' | 'no-groups', prefixes: number, peers: number): Promise<Result> {
  const log = pino({ level: 'silent' });
  const interner = new AttrInterner();
  const ribs = new Map([
    [IPV4_UNICAST, new LocRib(IPV4_UNICAST, interner, DEFAULT_BEST_PATH_OPTIONS)],
    [IPV6_UNICAST, new LocRib(IPV6_UNICAST, interner, DEFAULT_BEST_PATH_OPTIONS)],
  ]);
  const all: Peer[] = [];
  const listener = new Listener((addr) => all.find((p) => p.config.peerAddress === addr)?.session, log);
  const port = 30000 + (process.pid % 20000);
  await listener.listen(port, HOST);
  const groups = mode === 'groups';
  const feeder = new Peer(peerConfig('feeder', '127.3.1.1', 65100, port, groups), ribs, interner, log);
  all.push(feeder);
  for (let i = 0; i < peers; i++) all.push(new Peer(peerConfig(`r${i}`, `127.3.2.${i + 1}`, 65200 + i, port, groups), ribs, interner, log));
  for (const p of all) p.start();

  // The feed: N /24s under 10.0.0.0/8 and up, 100 AS paths.
  const fs = await client(port, '127.3.1.1', 65100, () => undefined);
  await waitFor(() => feeder.session.up !== null);
  const b = new UpdateBuilder(IPV4_UNICAST, CTX);
  const fi = new AttrInterner();
  for (let g = 0; g < 100; g++) {
    const set = fi.internSet({ ...emptyAttrFields(), asPath: [{ type: 2, asns: [65100, 64000 + g] }], nextHop: '192.0.2.100' });
    const keys: PrefixKey[] = [];
    for (let i = g; i < prefixes; i += 100) keys.push(((((10 << 24) >>> 0) + i * 256) * 64) + 24);
    for (const m of b.announce(set, keys)) fs.write(m);
  }
  fs.write(encodeUpdate(endOfRibUpdate(IPV4_UNICAST), CTX));
  await waitFor(() => ribs.get(IPV4_UNICAST)!.table.size === prefixes && feeder.eorReceived.has(IPV4_UNICAST));

  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const rss0 = process.memoryUsage().rss;
  let rssPeak = rss0;
  const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, process.memoryUsage().rss); }, 20);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let eors = 0;
  let bytes = 0;
  const sockets: net.Socket[] = [];
  for (let i = 0; i < peers; i++) {
    sockets.push(await client(port, `127.3.2.${i + 1}`, 65200 + i, (type, len) => {
      bytes += len;
      if (type === 2 && len === 23) eors++;
    }));
  }
  await waitFor(() => eors === peers);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  global.gc?.();
  const heap1 = process.memoryUsage().heapUsed;
  for (const s of [fs, ...sockets]) s.destroy();
  for (const p of all) p.destroy();
  await listener.close();
  return {
    mode, prefixes, peers, ms: Math.round(ms), cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    heapMB: Math.round((heap1 - heap0) / 1e5) / 10, rssPeakMB: Math.round((rssPeak - rss0) / 1e5) / 10, bytesPerPeer: Math.round(bytes / peers),
  };
}

async function main(): Promise<void> {
  const [mode, n, p] = process.argv.slice(2);
  if (mode === 'groups' || mode === 'no-groups') {
    const r = await run(mode, Number(n), Number(p));
    process.stdout.write(`${JSON.stringify(r)}\n`);
    process.exit(0);
  }
  const prefixes = Number(mode ?? 100000) || 100000;
  const peers = Number(n ?? 20) || 20;
  for (const m of ['groups', 'no-groups']) {
    const out = execFileSync(process.execPath, ['--expose-gc', __filename, m, String(prefixes), String(peers)], { encoding: 'utf8' });
    const r = JSON.parse(out) as Result;
    process.stdout.write(`${r.mode.padEnd(10)} ${r.prefixes} prefixes → ${r.peers} peers: ${r.ms} ms wall, ${r.cpuMs} ms CPU, ` +
      `heap retained +${r.heapMB} MB, RSS peak +${r.rssPeakMB} MB, ${r.bytesPerPeer} octets per peer\n`);
  }
}

void main();
