/**
 * DOC: FIB install-rate benchmark (performance.md target F1: ≥ 200k routes/s batched; report one-per-route too).
 *
 * Run as root: `node dist/bench/fib.js [--routes 10000,100000,1000000] [--len 24|32] [--single-max 100000]
 *   [--nexthop gw|gw-dev|onlink|dev|blackhole|nhid] [--fib-only] [--no-fib] [--writer-threads N]` (default gw: `via 10.1.0.2`, what BGP routes look like).
 * The parent creates a scratch network namespace with a veth pair (10.1.0.1/24 on v0; the gateway 10.1.0.2 sits
 * on that subnet), re-runs this script inside it (`ip netns exec`, since a netlink socket lives in its opener's
 * namespace), and deletes the namespace at the end, even on error or Ctrl-C. The child installs N routes
 * (proto 12, table 100, via 10.1.0.2) in three ways and prints routes/s for each:
 *   - batched:   all messages encoded into one buffer, sent in as few sendmsg calls as the buffers allow,
 *                only failures answered ('errors' ACK mode, what the FIB uses);
 *   - batch+ack: the same with an ACK per message ('all' mode);
 *   - single:    one request per route, waiting for each ACK (BIRD's way), for up to --single-max routes.
 *   - fib:       end to end through the Fib object (src/fib/fib.ts): N iBGP routes upserted into a Loc-RIB, the
 *                FIB pulls the journal, computes the desired route (next-hop resolution through the kernel table),
 *                diffs and writes; timed until the FIB is idle, monitor and all (--no-fib skips it, --fib-only runs only
 *                it). Also printed: the process's CPU time, event-loop lag p99/max during the FIB phase (kernel trie
 *                resizes inside one sendmsg set the max at a million routes), and the FIB's scan and repair counts
 *                (a scan beyond the first means the monitor overran and the FIB resynced).
 * Each install is checked by counting the table with `ip route`, then removed with a batched delete (also timed).
 */
import { execFileSync, spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Af, NlWriter, Route, RouteType, RtmType, ROUTE_DELETE_FLAGS, ROUTE_REPLACE_FLAGS, encodeRoute } from '../src/fib/netlink/codec';
import { NetlinkTransport } from '../src/fib/netlink/transport';
import { Fib } from '../src/fib/fib';
import { LocRib } from '../src/rib/loc-rib';
import { AttrInterner, emptyAttrFields } from '../src/rib/attrs/intern';
import { DEFAULT_BEST_PATH_OPTIONS } from '../src/rib/best-path';
import { IPV4_UNICAST } from '../src/bgp/family';
import { SourceKind, type RouteSource } from '../src/rib/types';
import { ipv4Key } from '../src/util/prefix';

const TABLE = 100;

/** How each route reaches its next hop: the kernel's per-route validation cost differs. */
type NexthopMode = 'gw' | 'gw-dev' | 'onlink' | 'dev' | 'blackhole' | 'nhid';
/** The nexthop object `--nexthop nhid` routes name (`via 10.1.0.2 dev v0`). */
const NHID = 0x70000000;

interface Args {
  routes: number[];
  len: 24 | 32;
  nexthop: NexthopMode;
  singleMax: number;
  child: boolean;
  fib: boolean;
  fibOnly: boolean;
  writerThreads: number | undefined;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { routes: [10_000, 100_000], len: 24, nexthop: 'gw', singleMax: 100_000, child: false, fib: true, fibOnly: false, writerThreads: undefined };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    if (argv[i] === '--routes') (a.routes = v.split(',').map((s) => Number(s.replace(/_/g, '')))), i++;
    else if (argv[i] === '--len') (a.len = Number(v) === 32 ? 32 : 24), i++;
    else if (argv[i] === '--nexthop') (a.nexthop = v as NexthopMode), i++;
    else if (argv[i] === '--single-max') (a.singleMax = Number(v)), i++;
    else if (argv[i] === '--child') a.child = true;
    else if (argv[i] === '--no-fib') a.fib = false;
    else if (argv[i] === '--fib-only') a.fibOnly = true;
    else if (argv[i] === '--writer-threads') (a.writerThreads = Number(v)), i++;
  }
  if (!['gw', 'gw-dev', 'onlink', 'dev', 'blackhole', 'nhid'].includes(a.nexthop)) throw new Error(`bad --nexthop ${a.nexthop}`);
  if (a.routes.some((n) => !Number.isInteger(n) || n <= 0 || n > 4_000_000)) throw new Error(`bad --routes ${a.routes.join(',')}`);
  return a;
}

function ip(ns: string | undefined, args: string[]): string {
  return execFileSync('ip', ns ? ['-n', ns, ...args] : args, { encoding: 'utf8', maxBuffer: 1 << 30 });
}

async function parent(args: Args): Promise<number> {
  const ns = `petrel-bench-fib-${process.pid}`;
  ip(undefined, ['netns', 'add', ns]);
  const cleanup = (): void => {
    try {
      ip(undefined, ['netns', 'del', ns]);
    } catch {
      // already gone
    }
  };
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    ip(ns, ['link', 'set', 'lo', 'up']);
    ip(ns, ['link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1']);
    ip(ns, ['addr', 'add', '10.1.0.1/24', 'dev', 'v0']);
    ip(ns, ['link', 'set', 'v0', 'up']);
    ip(ns, ['link', 'set', 'v1', 'up']);
    const childArgs = [__filename, '--child', '--routes', args.routes.join(','), '--len', String(args.len), '--nexthop', args.nexthop, '--single-max', String(args.singleMax), ...(args.fib ? [] : ['--no-fib']), ...(args.fibOnly ? ['--fib-only'] : []), ...(args.writerThreads === undefined ? [] : ['--writer-threads', String(args.writerThreads)])];
    return await new Promise<number>((resolve) => {
      const child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...process.execArgv, ...childArgs], { stdio: 'inherit' });
      child.on('exit', (code) => resolve(code ?? 1));
    });
  } finally {
    cleanup();
  }
}

let oif = 0;

/** The route template for a next-hop mode (v0's ifindex in `oif`). */
function template(mode: NexthopMode, len: number): Route {
  const r: Route = { family: Af.Inet, dst: 0, dstLen: len, protocol: 12, table: TABLE };
  if (mode === 'gw' || mode === 'gw-dev' || mode === 'onlink') r.gateway = 0x0a010002;
  if (mode !== 'gw' && mode !== 'blackhole') r.oif = oif;
  if (mode === 'onlink') r.onlink = true;
  if (mode === 'blackhole') r.type = RouteType.Blackhole;
  if (mode === 'nhid') {
    delete r.oif;
    r.nhid = NHID;
  }
  return r;
}

/** Encodes routes [from, to) into `w`: 64.0.0.0 upwards, one /len each. One mutable Route, as a FIB stream would. */
function encodeRange(w: NlWriter, msgType: RtmType.NewRoute | RtmType.DelRoute, from: number, to: number, len: number, mode: NexthopMode = 'gw'): void {
  const step = 2 ** (32 - len);
  const r: Route = msgType === RtmType.NewRoute ? template(mode, len) : { family: Af.Inet, dst: 0, dstLen: len, protocol: 12, table: TABLE };
  const flags = msgType === RtmType.NewRoute ? ROUTE_REPLACE_FLAGS : ROUTE_DELETE_FLAGS;
  for (let i = from; i < to; i++) {
    r.dst = 0x40000000 + i * step;
    encodeRoute(w, msgType, flags, 0, r);
  }
}

function countRoutes(): number {
  const out = ip(undefined, ['-o', 'route', 'show', 'table', String(TABLE), 'proto', '12']);
  let n = 0;
  for (let i = out.indexOf('\n'); i >= 0; i = out.indexOf('\n', i + 1)) n++;
  return n;
}

function rate(n: number, ms: number): string {
  return `${Math.round((n / ms) * 1000).toLocaleString('en-US')} routes/s`;
}

async function child(args: Args): Promise<void> {
  const tr = NetlinkTransport.open();
  const w = new NlWriter(1 << 20);
  const lim = tr.limits;
  if (args.nexthop === 'nhid') ip(undefined, ['nexthop', 'add', 'id', String(NHID), 'via', '10.1.0.2', 'dev', 'v0', 'proto', '12']);
  oif = (JSON.parse(ip(undefined, ['-j', 'link', 'show', 'dev', 'v0'])) as { ifindex: number }[])[0].ifindex;
  const desc = { gw: 'via 10.1.0.2', 'gw-dev': 'via 10.1.0.2 dev v0', onlink: 'via 10.1.0.2 dev v0 onlink', dev: 'dev v0', blackhole: 'blackhole', nhid: `nhid ${NHID} (via 10.1.0.2 dev v0)` }[args.nexthop];
  console.log(`petrel FIB bench: node ${process.version}, kernel ${execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim()}, IPv4 /${args.len} ${desc}, table ${TABLE}`);
  console.log(`socket buffers rcv=${lim.recvBuffer} snd=${lim.sendBuffer}; chunk ≤ ${lim.maxChunkMessages} messages / ${lim.maxChunkBytes} octets`);
  const results: Record<string, unknown>[] = [];

  const removeAll = async (n: number): Promise<number> => {
    w.reset();
    encodeRange(w, RtmType.DelRoute, 0, n, args.len);
    const t0 = performance.now();
    const res = await tr.batch(w.take());
    const ms = performance.now() - t0;
    if (res.failed.length || res.unknown.length) throw new Error(`delete: ${res.failed.length} failed, ${res.unknown.length} unknown`);
    return ms;
  };

  for (const n of args.fibOnly ? [] : args.routes) {
    for (const acks of ['errors', 'all'] as const) {
      w.reset();
      const t0 = performance.now();
      encodeRange(w, RtmType.NewRoute, 0, n, args.len, args.nexthop);
      const t1 = performance.now();
      const res = await tr.batch(w.take(), { acks });
      const t2 = performance.now();
      const installed = countRoutes();
      if (res.failed.length || res.unknown.length || installed !== n)
        throw new Error(`batch (${acks}) of ${n}: ${res.failed.length} failed, ${res.unknown.length} unknown, ${installed} in the table`);
      const delMs = await removeAll(n);
      const name = acks === 'errors' ? 'batched' : 'batch+ack';
      console.log(
        `${String(n).padStart(8)} ${name.padEnd(9)}: encode ${(t1 - t0).toFixed(0)} ms, install ${(t2 - t1).toFixed(0)} ms → ${rate(n, t2 - t0)} (install only ${rate(n, t2 - t1)}); delete ${rate(n, delMs)}`,
      );
      results.push({ n, mode: name, encodeMs: t1 - t0, installMs: t2 - t1, routesPerSec: (n / (t2 - t0)) * 1000, deletePerSec: (n / delMs) * 1000 });
    }
    const single = Math.min(n, args.singleMax);
    if (single > 0) {
      const one = new NlWriter(128);
      const t0 = performance.now();
      for (let i = 0; i < single; i++) {
        one.reset();
        encodeRange(one, RtmType.NewRoute, i, i + 1, args.len, args.nexthop);
        await tr.request(one.take());
      }
      const ms = performance.now() - t0;
      const installed = countRoutes();
      if (installed !== single) throw new Error(`single: ${installed} of ${single} in the table`);
      await removeAll(single);
      console.log(`${String(single).padStart(8)} single   : ${ms.toFixed(0)} ms → ${rate(single, ms)}`);
      results.push({ n: single, mode: 'single', installMs: ms, routesPerSec: (single / ms) * 1000 });
    }
  }
  tr.close();
  if (args.fib) for (const n of args.routes) results.push(await throughFib(n, args.len, args.writerThreads));
  console.log(JSON.stringify({ bench: 'fib', results }));
}

/** N routes from a Loc-RIB to the kernel through the Fib object; times RIB insert + FIB idle, then withdraw. */
async function throughFib(n: number, len: number, writerThreads: number | undefined): Promise<Record<string, unknown>> {
  const interner = new AttrInterner();
  const rib = new LocRib(IPV4_UNICAST, interner, DEFAULT_BEST_PATH_OPTIONS);
  const fib = new Fib(new Map([[IPV4_UNICAST, rib]]), interner, { table: TABLE, protocol: 12, mergePaths: true, scanTime: 0, convergenceTimeoutMs: 0, writerThreads });
  await fib.start();
  await fib.whenIdle();
  const src: RouteSource = { id: 1, name: 'bench', kind: SourceKind.Ibgp, address: '10.1.0.2', routerId: 1, peerAs: 64512, rrClient: false, preference: 100 };
  const f = emptyAttrFields();
  f.nextHop = '10.1.0.2';
  const set = interner.internSet(f);
  const step = 2 ** (32 - len);
  const lag = monitorEventLoopDelay({ resolution: 5 });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) rib.upsert(ipv4Key(0x40000000 + i * step, len), src, 0, interner.ref(set), interner.ref(set), 100);
  const t1 = performance.now();
  lag.enable();
  await fib.whenIdle();
  const t2 = performance.now();
  lag.disable();
  const lagP99 = lag.percentile(99) / 1e6;
  const lagMax = lag.max / 1e6;
  const cpu = process.cpuUsage(c0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const installed = countRoutes();
  if (installed !== n) throw new Error(`fib: ${installed} of ${n} in the table (${JSON.stringify(fib.counters)})`);
  const heapWith = retainedHeapMb();
  const ribOnly = await ribHeapMb(n, len);
  const { scans, repairs } = fib.counters;
  const d0 = performance.now();
  // The source goes away as a session does (peer.ts: flushSource in slices), so the kernel sees the same delete order.
  for (const state = {}; !rib.flushSource(src, 65_536, state); ) await new Promise((r) => setImmediate(r));
  await fib.whenIdle();
  const d1 = performance.now();
  const left = countRoutes();
  fib.stop();
  if (left !== 0) throw new Error(`fib: ${left} routes left after withdrawing all`);
  console.log(
    `${String(n).padStart(8)} fib      : RIB insert ${(t1 - t0).toFixed(0)} ms, FIB ${(t2 - t1).toFixed(0)} ms → ${rate(n, t2 - t0)} end to end ` +
      `(CPU ${cpuMs.toFixed(0)} ms, loop lag p99 ${lagP99.toFixed(0)} ms max ${lagMax.toFixed(0)} ms (FIB phase), scans ${scans}, repairs ${repairs}); withdraw ${rate(n, d1 - d0)}` +
      (heapWith === undefined ? '' : `; heap retained with the FIB ${heapWith.toFixed(1)} MB, of which the FIB ${(heapWith - (ribOnly ?? 0)).toFixed(1)} MB`),
  );
  return { n, mode: 'fib', heapWithFibMb: heapWith, ribOnlyHeapMb: ribOnly, ribMs: t1 - t0, fibMs: t2 - t1, cpuMs, lagP99, lagMax, scans, repairs, routesPerSec: (n / (t2 - t0)) * 1000, withdrawPerSec: (n / (d1 - d0)) * 1000 };
}

/** Heap retained after a full GC (needs --expose-gc, passed to the child), in MB; undefined without it. */
function retainedHeapMb(): number | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return undefined;
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1e6;
}

/** The heap a Loc-RIB of the same N routes retains alone, with the FIB's Loc-RIB still alive (so: its size added). */
async function ribHeapMb(n: number, len: number): Promise<number | undefined> {
  const base = retainedHeapMb();
  if (base === undefined) return undefined;
  const interner = new AttrInterner();
  const rib = new LocRib(IPV4_UNICAST, interner, DEFAULT_BEST_PATH_OPTIONS);
  const src: RouteSource = { id: 2, name: 'bench-rib', kind: SourceKind.Ibgp, address: '10.1.0.2', routerId: 2, peerAs: 64512, rrClient: false, preference: 100 };
  const f = emptyAttrFields();
  f.nextHop = '10.1.0.2';
  const set = interner.internSet(f);
  const step = 2 ** (32 - len);
  for (let i = 0; i < n; i++) rib.upsert(ipv4Key(0x40000000 + i * step, len), src, 0, interner.ref(set), interner.ref(set), 100);
  const withSecond = retainedHeapMb()!;
  if (rib.stats().prefixes !== n) throw new Error('rib');
  // A second RIB's size equals the first's: the heap without the FIB is base - that size.
  return base - (withSecond - base);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.child) await child(args);
  else process.exitCode = await parent(args);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
