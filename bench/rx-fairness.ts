/**
 * DOC: receive-fairness benchmark: event-loop lag while one peer feeds N prefixes (default 1,000,000) into a
 * speaker, and how long a second peer's small UPDATEs wait meanwhile. One process over loopback: a Petrel speaker,
 * raw peer A that writes its whole pre-encoded feed (N /24s, 500 NLRI per UPDATE as S1 does, then End-of-RIB) in
 * one `socket.write`, and raw peer B that announces one new /32 every 20 ms during the ingest. Reported per mode:
 * ingest time (first write to A's End-of-RIB imported), loop delay max/p99 during it (`monitorEventLoopDelay`,
 * 1 ms resolution), B's UPDATEs imported during the ingest and their worst import latency (write → import
 * policy call). Modes: `budgeted` (the default receive scheduler, rx-queue.ts) and `unbounded` (no slice budget,
 * no socket pause: every framed UPDATE is imported in the next turn, roughly the behaviour before the scheduler).
 * Each mode runs in its own child process.
 *
 *   node dist/bench/rx-fairness.js [prefixes=1000000]
 */
import { execFileSync } from 'node:child_process';
import * as net from 'node:net';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import pino from 'pino';
import { buildOpen, type LocalSessionSettings } from '../src/bgp/codec/session-codec';
import { encodeMessage } from '../src/bgp/codec/message';
import { encodeUpdate } from '../src/bgp/codec/update';
import { endOfRibUpdate } from '../src/bgp/codec/end-of-rib';
import { Framer } from '../src/bgp/codec/framer';
import { KEEPALIVE } from '../src/bgp/codec/keepalive';
import { IPV4_UNICAST, IPV6_UNICAST, type Family } from '../src/bgp/family';
import { Peer, type PeerConfig } from '../src/bgp/peer';
import { RxScheduler, DEFAULT_RX_BUDGET } from '../src/bgp/rx-queue';
import { Listener } from '../src/bgp/session/listener';
import { AttrInterner, emptyAttrFields } from '../src/rib/attrs/intern';
import { LocRib } from '../src/rib/loc-rib';
import { DEFAULT_BEST_PATH_OPTIONS } from '../src/rib/best-path';
import { UpdateBuilder } from '../src/rib/update-builder';
import { ipv4Key, type PrefixKey } from '../src/util/prefix';

const CTX = { as4: true, addPath: new Set<Family>(), extendedMessage: false };
const HOST = '127.6.0.1';

type Mode = 'budgeted' | 'unbounded';

interface Result {
  mode: Mode;
  prefixes: number;
  ingestMs: number;
  lagMaxMs: number;
  lagP99Ms: number;
  bImported: number;
  bWorstMs: number;
  rxTurnMaxMs: number;
  gcMaxMs: number;
  gcTotalMs: number;
}

function client(port: number, localAddress: string, settings: LocalSessionSettings): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: HOST, port, localAddress }, () => {
      s.write(encodeMessage(buildOpen(settings), CTX));
      resolve(s);
    });
    const framer = new Framer();
    s.on('data', (chunk: Buffer) => framer.push(chunk, (_b, _s, _e, type) => {
      if (type === 1) s.write(KEEPALIVE);
    }));
    s.once('error', reject);
  });
}

function config(name: string, addr: string, asn: number, port: number): PeerConfig {
  return {
    name, peerAddress: addr, peerPort: port, localAddress: HOST,
    settings: { localAs: 65000, peerAs: asn, routerId: '10.6.0.1', holdTime: 90, families: [IPV4_UNICAST] },
    fsm: { connectRetryTime: 5, holdTime: 90, passive: true, idleHoldTime: 1, idleHoldTimeMax: 2, allowAutomaticStart: true },
    ibgp: false, nextHopMode: 'auto', rrClient: false, clusterId: null, allowLocalAs: 0, nextHopAddress: '192.0.2.1',
  };
}

async function waitFor(fn: () => boolean): Promise<void> {
  while (!fn()) await new Promise((r) => setTimeout(r, 5));
}

async function run(mode: Mode, prefixes: number): Promise<Result> {
  const log = pino({ level: 'silent' });
  const interner = new AttrInterner();
  const ribs = new Map([
    [IPV4_UNICAST, new LocRib(IPV4_UNICAST, interner, DEFAULT_BEST_PATH_OPTIONS)],
    [IPV6_UNICAST, new LocRib(IPV6_UNICAST, interner, DEFAULT_BEST_PATH_OPTIONS)],
  ]);
  const sched = mode === 'budgeted' ? new RxScheduler(DEFAULT_RX_BUDGET)
    : new RxScheduler({ prefixBudget: Infinity, sliceMs: Infinity, turnMs: Infinity, highWater: Infinity, lowWater: 0 });
  const peers: Peer[] = [];
  const listener = new Listener((addr) => peers.find((p) => p.config.peerAddress === addr)?.session, log);
  const port = 30000 + (process.pid % 20000);
  await listener.listen(port, HOST);
  const sentAt = new Map<PrefixKey, number>();
  let bImported = 0;
  let bWorst = 0;
  let ingesting = false;
  const cfgB = config('b', '127.6.0.3', 65102, port);
  cfgB.importPolicy = (prefix, _f, attrs, src) => {
    const t0 = sentAt.get(prefix);
    if (t0 !== undefined && ingesting) {
      bImported++;
      bWorst = Math.max(bWorst, performance.now() - t0);
    }
    return { attrs: interner.ref(attrs), preference: src.preference };
  };
  const pa = new Peer(config('a', '127.6.0.2', 65101, port), ribs, interner, log, undefined, sched);
  const pb = new Peer(cfgB, ribs, interner, log, undefined, sched);
  peers.push(pa, pb);
  for (const p of peers) p.start();
  const open = (as: number): LocalSessionSettings => ({ localAs: as, peerAs: 65000, routerId: `10.6.0.${as - 65100}`, holdTime: 90, families: [IPV4_UNICAST] });
  const sa = await client(port, '127.6.0.2', open(65101));
  const sb = await client(port, '127.6.0.3', open(65102));
  await waitFor(() => pa.session.up !== null && pb.session.up !== null);

  const fi = new AttrInterner();
  const setA = fi.internSet({ ...emptyAttrFields(), asPath: [{ type: 2, asns: [65101] }], nextHop: '192.0.2.101' });
  const setB = fi.internSet({ ...emptyAttrFields(), asPath: [{ type: 2, asns: [65102] }], nextHop: '192.0.2.102' });
  const keys: PrefixKey[] = [];
  for (let i = 0; i < prefixes; i++) keys.push(ipv4Key(((11 << 24) >>> 0) + i * 256, 24));
  const msgs: Buffer[] = [];
  const builder = new UpdateBuilder(IPV4_UNICAST, CTX);
  for (let i = 0; i < keys.length; i += 500) for (const m of builder.announce(setA, keys.slice(i, i + 500))) msgs.push(m);
  msgs.push(encodeUpdate(endOfRibUpdate(IPV4_UNICAST), CTX));
  const feed = Buffer.concat(msgs);

  const h = monitorEventLoopDelay({ resolution: 1 });
  let bSeq = 0;
  const bTimer = setInterval(() => {
    const k = ipv4Key(((192 << 24) >>> 0) + (168 << 16) + bSeq++, 32);
    sentAt.set(k, performance.now());
    for (const m of builder.announce(setB, [k])) sb.write(m);
  }, 20);
  let gcMax = 0;
  let gcTotal = 0;
  const gcObs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMax = Math.max(gcMax, e.duration);
      gcTotal += e.duration;
    }
  });
  gcObs.observe({ entryTypes: ['gc'] });
  h.enable();
  ingesting = true;
  const t0 = performance.now();
  sa.write(feed);
  await waitFor(() => pa.eorReceived.has(IPV4_UNICAST));
  const ingestMs = performance.now() - t0;
  ingesting = false;
  h.disable();
  gcObs.disconnect();
  clearInterval(bTimer);
  if (ribs.get(IPV4_UNICAST)!.table.size < prefixes) throw new Error('feed incomplete');
  sa.destroy();
  sb.destroy();
  for (const p of peers) p.destroy();
  await listener.close();
  const r2 = (x: number) => Math.round(x * 100) / 100;
  return {
    mode, prefixes, ingestMs: Math.round(ingestMs), lagMaxMs: r2(h.max / 1e6), lagP99Ms: r2(h.percentile(99) / 1e6),
    bImported, bWorstMs: r2(bWorst), rxTurnMaxMs: r2(sched.longestTurnMs), gcMaxMs: r2(gcMax), gcTotalMs: Math.round(gcTotal),
  };
}

async function main(): Promise<void> {
  const [mode, n] = process.argv.slice(2);
  if (mode === 'budgeted' || mode === 'unbounded') {
    process.stdout.write(`${JSON.stringify(await run(mode, Number(n)))}\n`);
    process.exit(0);
  }
  const prefixes = Number(mode ?? 1_000_000) || 1_000_000;
  for (const m of ['budgeted', 'unbounded']) {
    const r = JSON.parse(execFileSync(process.execPath, [__filename, m, String(prefixes)], { encoding: 'utf8' })) as Result;
    process.stdout.write(`${r.mode.padEnd(10)} ${r.prefixes} prefixes: ingest ${r.ingestMs} ms, loop delay max ${r.lagMaxMs} ms ` +
      `p99 ${r.lagP99Ms} ms; peer B: ${r.bImported} UPDATEs imported during the ingest, worst import latency ${r.bWorstMs} ms; ` +
      `longest receive turn ${r.rxTurnMaxMs} ms; GC pauses max ${r.gcMaxMs} ms, total ${r.gcTotalMs} ms\n`);
  }
}

void main();
