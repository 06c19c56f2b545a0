/**
 * DOC: scenario C1 (performance.md): the DUT is one node of a 200-peer Calico full mesh (iBGP, AS 64512); each
 * peer (harness/mesh-main.ts, all in one helper process on the feed side, 10.10.1.2 upwards) announces a /26
 * block and ten /32s. Measured: the time from the last session coming up to the last of the 2,200 routes in the
 * DUT's kernel table (target ≤ 2 s), peak RSS (target ≤ 80 MB), and steady idle CPU (target ≈ 0): over 5 s that
 * start 10 s after convergence, past start-up one-offs (V8's background JIT and its memory reducer's
 * mark-compacts ~8 s after start) that are not what "idle" asks about. Petrel is configured as a real mesh (Node resources, nodeToNodeMeshEnabled); the others get 200
 * iBGP neighbors. OpenBGPD has no Linux FIB, so it has no C1 figure. Also reported: Petrel's loop-lag p99/max,
 * mesh sessions that went down, and the DUT's log warnings (`--log-dir` keeps the log).
 */
import { Child, msBetween } from '../harness/child';
import { createDut, type DutKind, type DutOptions, type DutSpec } from '../harness/duts/index';
import type { FibCounterArgs } from '../harness/fib-counter-main';
import type { MeshArgs } from '../harness/mesh-main';
import { ProcSampler } from '../harness/proc-stats';
import { formatTable, ratio, type Row } from '../harness/report';
import { logLabel, runError, teardownRun } from '../harness/run-cleanup';
import { createTopology, DUT_FEED_IP, type Topology } from '../harness/topology';

/** Options of C1. */
export interface MeshOptions {
  duts: DutKind[];
  /** Mesh peers (default 200). */
  peers?: number;
  holdTime: number;
  keepaliveTime: number;
  dutOptions?: DutOptions;
  /** Idle-CPU window (default 5000 ms). */
  idleMs?: number;
  /** Wait between convergence and the idle window (default 10 000 ms). */
  idleAfterMs?: number;
  log?: (line: string) => void;
}

/** Figures of one DUT. */
export interface MeshResult {
  dut: DutKind;
  version: string;
  complete: boolean;
  error?: string;
  peers: number;
  expectedRoutes: number;
  fibCount?: number;
  /** Last session up → last route in the FIB. */
  convergeMs?: number;
  /** First session up → last session up. */
  sessionsUpMs?: number;
  peakRssMb?: number;
  /** CPU seconds from start to convergence. */
  cpuSeconds?: number;
  /** CPU use in the idle window, percent of one core. */
  idleCpuPercent?: number;
  lagP99Ms?: number;
  lagMaxMs?: number;
  /** Mesh sessions that went down during the run (`peer: why`). */
  sessionsDown?: string[];
  /** The DUT's log lines at warning level or above (`N× message`). */
  logProblems?: string[];
  /** The DUT's processes: name, peak RSS, CPU seconds (since start). */
  processes?: { pid: number; name: string; peakRssMb: number; cpuSeconds: number }[];
}

const MESH_AS = 64512;

/** Peer `i`'s block and ten host routes (100.64.0.0/18 blocks, 100.80.0.0/16 hosts). */
export function meshPeerRoutes(i: number): { block: string; hosts: string[] } {
  const b = 0x64400000 + i * 64;
  const block = `${b >>> 24}.${(b >>> 16) & 255}.${(b >>> 8) & 255}.${b & 255}/26`;
  const hosts: string[] = [];
  for (let j = 0; j < 10; j++) {
    const h = 0x64500000 + i * 16 + j;
    hosts.push(`${h >>> 24}.${(h >>> 16) & 255}.${(h >>> 8) & 255}.${h & 255}`);
  }
  return { block, hosts };
}

/** Runs C1 against one DUT. */
export async function runMesh(kind: DutKind, o: MeshOptions): Promise<MeshResult> {
  const peers = o.peers ?? 200;
  const dut = createDut(kind, o.dutOptions);
  const expectedRoutes = peers * 11;
  const res: MeshResult = { dut: kind, version: await dut.version(), complete: false, peers, expectedRoutes };
  if (!dut.hasFib) {
    res.error = `n/a: ${kind} has no Linux FIB`;
    return res;
  }
  const helpers: Child[] = [];
  let topo: Topology | undefined;
  try {
    topo = await createTopology(peers);
    const fibc = new Child('fib counter', 'fib-counter-main', { mode: 'monitor', expect: expectedRoutes } satisfies FibCounterArgs, topo.dut.name);
    helpers.push(fibc);
    await fibc.waitEvent('ready', 10_000);
    const spec: DutSpec & { mesh: boolean } = {
      localAs: MESH_AS, routerId: DUT_FEED_IP, fib: true, holdTime: o.holdTime, keepaliveTime: o.keepaliveTime, mesh: true,
      neighbors: topo.feedAddresses.map((address) => ({ address, remoteAs: MESH_AS })),
    };
    await dut.start(topo.dut.name, spec);
    const sampler = new ProcSampler(() => dut.rootPids());
    const timer = setInterval(() => sampler.sample(), 250);
    try {
      const meshArgs: MeshArgs = {
        dut: DUT_FEED_IP, port: 179, holdTime: o.holdTime, localAs: MESH_AS,
        peers: topo.feedAddresses.map((address, i) => ({ address, ...meshPeerRoutes(i) })),
      };
      const mesh = new Child('mesh peers', 'mesh-main', meshArgs, topo.feed.name);
      helpers.push(mesh);
      const up = await mesh.waitEvent('all-established', 90_000).catch(async (e: Error) => {
        // Say how far the mesh got: which sessions never came up is the first thing to look at.
        const st = await mesh.status();
        throw new Error(`${e.message} (${String(st?.['up'] ?? '?')}/${peers} sessions up)`);
      });
      const done = await fibc.maybeEvent('done', 30_000);
      sampler.sample();
      res.cpuSeconds = sampler.cpuSeconds();
      res.sessionsUpMs = msBetween(up['tFirstUp'], up['tLastUp']);
      if (done) {
        res.convergeMs = msBetween(up['tLastUp'], done['tLast']);
        res.fibCount = Number(done['distinct']);
        const idleMs = o.idleMs ?? 5000;
        await new Promise((r) => setTimeout(r, o.idleAfterMs ?? 10_000));
        sampler.sample();
        const c0 = sampler.cpuSeconds();
        await new Promise((r) => setTimeout(r, idleMs));
        sampler.sample();
        res.idleCpuPercent = ((sampler.cpuSeconds() - c0) / (idleMs / 1000)) * 100;
        res.complete = true;
      } else {
        res.fibCount = Number((await fibc.status())?.['distinct'] ?? 0);
        res.error = `incomplete: FIB ${res.fibCount}/${expectedRoutes}`;
      }
      res.peakRssMb = sampler.peakRssMb();
      res.processes = sampler.breakdown();
      const lag = await dut.loopLag?.();
      res.lagP99Ms = lag?.p99Ms;
      res.lagMaxMs = lag?.maxMs;
      res.sessionsDown = mesh.eventsNamed('session-down').map((e) => `${String(e['peer'])}: ${String(e['why'])}`);
      res.logProblems = dut.logProblems?.();
    } finally {
      clearInterval(timer);
    }
  } catch (e) {
    res.error = runError(e, dut);
  } finally {
    await teardownRun(helpers, dut, topo, o.dutOptions?.logDir ? { dir: o.dutOptions.logDir, label: logLabel(kind, 'c1') } : undefined);
  }
  return res;
}

/** Runs C1 against every DUT and builds its table. */
export async function runMeshScenario(o: MeshOptions): Promise<{ scenario: 'C1'; results: MeshResult[]; table: string }> {
  const results: MeshResult[] = [];
  for (const kind of o.duts) {
    o.log?.(`C1: ${kind}`);
    const r = await runMesh(kind, o);
    o.log?.(`  → ${r.error ?? `converged ${r.convergeMs?.toFixed(0)} ms after the last session`}`);
    if (r.sessionsDown?.length) o.log?.(`  ${r.sessionsDown.length} session(s) down: ${r.sessionsDown.slice(0, 3).join('; ')}`);
    for (const l of r.logProblems?.slice(0, 5) ?? []) o.log?.(`  log: ${l}`);
    if (r.processes?.length) o.log?.(`  RSS by process: ${r.processes.map((x) => `${x.name} ${x.peakRssMb.toFixed(1)} MB`).join(', ')}`);
    results.push(r);
  }
  const b = results.find((r) => r.dut === 'bird2' && r.complete);
  const rows: Row[] = results.map((r) => ({
    DUT: r.dut, version: r.version, 'converge s': r.convergeMs === undefined ? undefined : r.convergeMs / 1000,
    '×bird2': ratio(r.convergeMs, b?.convergeMs), 'sessions up s': r.sessionsUpMs === undefined ? undefined : r.sessionsUpMs / 1000,
    'RSS MB': r.peakRssMb, '×bird2 ': ratio(r.peakRssMb, b?.peakRssMb), 'CPU s': r.cpuSeconds, 'idle CPU %': r.idleCpuPercent,
    'lag p99 ms': r.dut === 'petrel' ? (r.lagP99Ms ?? 'n/a') : '-', 'lag max ms': r.dut === 'petrel' ? (r.lagMaxMs ?? 'n/a') : '-',
    fib: `${r.fibCount ?? '?'}/${r.expectedRoutes}`,
    note: [
      r.error, r.sessionsDown?.length ? `${r.sessionsDown.length} session(s) down` : undefined,
      r.logProblems?.length ? `log: ${r.logProblems.slice(0, 2).join(', ')}` : undefined,
    ].filter(Boolean).join('; '),
  }));
  const cols = ['DUT', 'version', 'converge s', '×bird2', 'sessions up s', 'RSS MB', '×bird2 ', 'CPU s', 'idle CPU %', 'lag p99 ms', 'lag max ms', 'fib', 'note'];
  return { scenario: 'C1', results, table: `${formatTable(cols, rows)}\ntargets: converge ≤ 2 s after the last session is up; RSS ≤ 80 MB; idle CPU ≈ 0` };
}
