/**
 * DOC: one propagation run (S1, S1 with many attribute sets, S3): feeders → DUT → sink, with the FIB counter in
 * the DUT's namespace, and the tools-only calibration run that proves the feeder and sink are not the bottleneck.
 *
 * A run: fresh namespaces; FIB counter subscribed; DUT started; sink and feeder sessions Established; resource
 * baseline sampled; `go`; then wait until the sink holds every prefix and (FIB on) the kernel does too, or until
 * nothing has moved for `stallMs`, or `timeoutMs`. t_prop = sink's last prefix − feeder's first write, t_fib =
 * the counter's last route − the same origin. CPU is the DUT tree's user+sys over the run (startup excluded), RSS
 * the sum of its processes' VmHWM. Session health (E1): the feeder's and sink's sessions must stay up and the DUT
 * must never be silent toward them for a hold time (`maxSilenceMs`, speaker.ts); a drop or such a silence is a
 * hold-timer problem and named in `holdProblem`. The DUT's own warnings/errors are summarized in `logProblems`.
 * Everything is torn down (helpers, daemon, namespaces) even on failure.
 * The calibration: the feeder sends to a sink listening in the DUT's namespace directly, no DUT in between.
 */
import { Child, msBetween, type ChildEvent } from './child';
import { createDut, type DutKind, type DutOptions, type DutSpec } from './duts/index';
import type { FeedSpec } from './feed';
import type { FeederArgs } from './feeder-main';
import type { FibCounterArgs } from './fib-counter-main';
import { ProcSampler } from './proc-stats';
import type { SinkArgs } from './sink-main';
import { logLabel, runError, teardownRun } from './run-cleanup';
import { createTopology, DUT_FEED_IP, DUT_SINK_IP, SINK_IP, type Topology } from './topology';
import { ipv4ToNumber } from './feed';

/** What to send. */
export interface PropagationParams {
  feeders: number;
  prefixesPerFeeder: number;
  /** Distinct attribute sets per feeder. */
  attrSets: number;
  fib: boolean;
  holdTime: number;
  keepaliveTime: number;
  /** Give up after this long from `go` (default: 60 s + 0.12 ms per prefix). */
  timeoutMs?: number;
  /** Give up when no count moved for this long (default 20 s). */
  stallMs?: number;
}

/** Figures of one DUT run. */
export interface PropagationResult {
  dut: DutKind | 'tools';
  version: string;
  fib: boolean;
  /** Every expected prefix reached the sink (and the FIB, when on). */
  complete: boolean;
  error?: string;
  expected: number;
  sinkCount: number;
  fibCount?: number;
  tPropMs?: number;
  tFibMs?: number;
  fibMethod?: string;
  peakRssMb?: number;
  cpuSeconds?: number;
  lagP99Ms?: number;
  /** Petrel: the event loop's longest delay since start, ms. */
  lagMaxMs?: number;
  /** The DUT's longest silence toward the feeders or the sink once Established, ms. */
  maxSilenceMs?: number;
  /** Sessions that went down, or a silence of a hold time or more: what a peer's hold timer would have caught. */
  holdProblem?: string;
  /** The DUT's log lines at warning level or above (`N× message`). */
  logProblems?: string[];
  /** The DUT's processes: name, peak RSS, CPU seconds (since start). */
  processes?: { pid: number; name: string; peakRssMb: number; cpuSeconds: number }[];
  /** Time for the feeder's buffers to be fully handed to the kernel. */
  feederWriteMs?: number;
  feederCpuMs?: number;
  sinkCpuMs?: number;
}

const FEED_BASE = ipv4ToNumber('32.0.0.0');
const SINK_AS = 65002;

/** AS of feeder `k`: 65001, then 65011, 65012, ... (the sink is 65002). */
export function feederAs(k: number): number {
  return k === 0 ? 65001 : 65010 + k;
}

/** The feed of feeder `k`: consecutive /24s after those of feeders 0..k-1. */
export function feederFeed(p: PropagationParams, k: number, nextHop: string): FeedSpec {
  return {
    count: p.prefixesPerFeeder, base: FEED_BASE + k * p.prefixesPerFeeder * 256, attrSets: p.attrSets,
    localAs: feederAs(k), nextHop: ipv4ToNumber(nextHop),
  };
}

function feederArgs(p: PropagationParams, topo: Topology, dutIp: string): FeederArgs {
  return {
    dut: dutIp, port: 179, holdTime: p.holdTime, connectTimeoutMs: 30_000,
    sessions: topo.feedAddresses.map((ip, k) => ({ localAddress: ip, localAs: feederAs(k), routerId: ip, feed: feederFeed(p, k, ip) })),
  };
}

/** The DUT's configuration for a propagation run. */
export function propagationSpec(p: PropagationParams, topo: Topology): DutSpec {
  return {
    localAs: 65000, routerId: DUT_FEED_IP, fib: p.fib, holdTime: p.holdTime, keepaliveTime: p.keepaliveTime,
    neighbors: [...topo.feedAddresses.map((a, k) => ({ address: a, remoteAs: feederAs(k) })), { address: SINK_IP, remoteAs: SINK_AS }],
  };
}

/** `done` of a helper if it has sent it; undefined if not (yet), including when it died first. */
async function doneOf(h: Child): Promise<ChildEvent | undefined> {
  return h.maybeEvent('done', 0).catch(() => undefined);
}

/**
 * Waits for `done` from each helper, bounded by the deadline and by a stall of every count; returns early when a
 * pending helper has exited without `done` (the caller decides what replaces it).
 */
async function waitDone(helpers: Child[], out: Map<Child, ChildEvent>, deadline: number, stallMs: number): Promise<void> {
  let lastKey = '';
  let lastMove = Date.now();
  for (;;) {
    for (const h of helpers) {
      const d = out.get(h) ?? (await doneOf(h));
      if (d) out.set(h, d);
    }
    const pending = helpers.filter((h) => !out.has(h));
    if (pending.length === 0 || Date.now() > deadline || pending.some((h) => h.exited)) return;
    const key = JSON.stringify(await Promise.all(pending.map(async (h) => (await h.status())?.['distinct'])));
    if (key !== lastKey) {
      lastKey = key;
      lastMove = Date.now();
    } else if (Date.now() - lastMove > stallMs) return;
    await Promise.race(pending.map((h) => h.maybeEvent('done', 500).catch(() => undefined)));
  }
}

/** Runs the propagation scenario against one DUT kind. */
export async function runPropagation(kind: DutKind, p: PropagationParams, opts: DutOptions = {}): Promise<PropagationResult> {
  const dut = createDut(kind, opts);
  const expected = p.feeders * p.prefixesPerFeeder;
  const res: PropagationResult = { dut: kind, version: await dut.version(), fib: p.fib, complete: false, expected, sinkCount: 0 };
  const helpers: Child[] = [];
  let topo: Topology | undefined;
  try {
    topo = await createTopology(p.feeders);
    const fibArgs: FibCounterArgs = { mode: 'monitor', expect: p.fib ? expected : 0 };
    let fibc = new Child('fib counter', 'fib-counter-main', fibArgs, topo.dut.name);
    helpers.push(fibc);
    const baseline = Number((await fibc.waitEvent('ready', 10_000))['baseline']);
    await dut.start(topo.dut.name, propagationSpec(p, topo));
    const sinkArgs: SinkArgs = {
      mode: 'active', peer: DUT_SINK_IP, port: 179, localAddress: SINK_IP, localAs: SINK_AS, routerId: SINK_IP,
      holdTime: p.holdTime, expect: expected, connectTimeoutMs: 30_000,
    };
    const sink = new Child('sink', 'sink-main', sinkArgs, topo.sink.name);
    helpers.push(sink);
    const feeder = new Child('feeder', 'feeder-main', feederArgs(p, topo, DUT_FEED_IP), topo.feed.name);
    helpers.push(feeder);
    await sink.waitEvent('established', 40_000);
    await feeder.waitEvent('established', 60_000);
    const sampler = new ProcSampler(() => dut.rootPids());
    sampler.sample();
    const cpu0 = sampler.cpuSeconds();
    const timer = setInterval(() => sampler.sample(), 250);
    try {
      feeder.send('go');
      const timeoutMs = p.timeoutMs ?? 60_000 + expected * 0.12;
      const sent = await feeder.waitEvent('sent', timeoutMs);
      const t0 = sent['t0'];
      const deadline = Date.now() + timeoutMs;
      const done = new Map<Child, ChildEvent>();
      await waitDone(p.fib && dut.hasFib ? [sink, fibc] : [sink], done, deadline, p.stallMs ?? 20_000);
      if (p.fib && dut.hasFib && !done.has(fibc) && fibc.exited) {
        // The monitor died of a notification overrun (ENOBUFS aborts the netlink addon): count from the kernel's
        // trie statistics instead.
        fibc = new Child('fib counter (poll)', 'fib-counter-main', { mode: 'poll', expect: expected, baseline, pollMs: 200 } satisfies FibCounterArgs, topo.dut.name);
        helpers.push(fibc);
        await fibc.waitEvent('ready', 10_000);
        await waitDone([sink, fibc], done, deadline, p.stallMs ?? 20_000);
      }
      sampler.sample();
      res.cpuSeconds = sampler.cpuSeconds() - cpu0;
      res.peakRssMb = sampler.peakRssMb();
      res.processes = sampler.breakdown();
      res.feederWriteMs = msBetween(t0, sent['tWritten']);
      res.feederCpuMs = Number(sent['cpuMs']);
      const sd = done.get(sink);
      if (sd) {
        res.tPropMs = msBetween(t0, sd['tLast']);
        res.sinkCount = Number(sd['distinct']);
        res.sinkCpuMs = Number(sd['cpuMs']);
      } else {
        res.sinkCount = Number((await sink.status())?.['distinct'] ?? 0);
      }
      const fd = done.get(fibc);
      if (fd) {
        res.tFibMs = msBetween(t0, fd['tLast']);
        res.fibCount = Number(fd['distinct']);
        res.fibMethod = String(fd['method']);
      } else if (!fibc.exited) {
        res.fibCount = Number((await fibc.status())?.['distinct'] ?? 0);
      }
      const lag = await dut.loopLag?.();
      res.lagP99Ms = lag?.p99Ms;
      res.lagMaxMs = lag?.maxMs;
      const health = await sessionHealth([feeder, sink], p.holdTime);
      res.maxSilenceMs = health.maxSilenceMs;
      res.holdProblem = health.problem;
      res.logProblems = dut.logProblems?.();
      res.complete = !!sd && (!p.fib || !dut.hasFib || !!fd);
      if (!res.complete) res.error = `incomplete: sink ${res.sinkCount}/${expected}${p.fib && dut.hasFib ? `, FIB ${res.fibCount ?? '?'}/${expected}` : ''}`;
    } finally {
      clearInterval(timer);
    }
  } catch (e) {
    res.error = runError(e, dut);
  } finally {
    await teardownRun(helpers, dut, topo, opts.logDir ? { dir: opts.logDir, label: logLabel(kind, `fib-${p.fib ? 'on' : 'off'}`) } : undefined);
  }
  return res;
}

/**
 * The DUT's longest silence seen by any of the helpers' sessions and what went wrong with them: a `session-down`
 * event, a session reported down in `status`, or a silence of at least `holdTime` seconds.
 */
export async function sessionHealth(helpers: Child[], holdTime: number): Promise<{ maxSilenceMs?: number; problem?: string }> {
  const problems: string[] = [];
  let max: number | undefined;
  for (const h of helpers) {
    const st = await h.status();
    const why = new Set([...h.eventsNamed('session-down').map((e) => String(e['why'])), ...((st?.['down'] as string[] | undefined) ?? [])]);
    for (const w of why) problems.push(`${h.name} session down: ${w}`);
    const gap = Number(st?.['maxGapMs']);
    if (Number.isFinite(gap)) max = Math.max(max ?? 0, gap);
  }
  if (max !== undefined && max >= holdTime * 1000) problems.push(`DUT silent for ${(max / 1000).toFixed(1)} s (hold time ${holdTime} s)`);
  return { maxSilenceMs: max, problem: problems.length ? problems.join('; ') : undefined };
}

/** The tools-only calibration: the feeder sends straight to a sink listening where the DUT would be. */
export async function runToolsCalibration(p: PropagationParams): Promise<PropagationResult> {
  const expected = p.feeders * p.prefixesPerFeeder;
  const res: PropagationResult = { dut: 'tools', version: `feeder+sink, node ${process.version}`, fib: false, complete: false, expected, sinkCount: 0 };
  const helpers: Child[] = [];
  let topo: Topology | undefined;
  try {
    topo = await createTopology(1);
    const sink = new Child('sink', 'sink-main', {
      mode: 'passive', peer: '', port: 179, localAddress: DUT_FEED_IP, localAs: 65000, routerId: DUT_FEED_IP, holdTime: p.holdTime,
      expect: expected, connectTimeoutMs: 0,
    } satisfies SinkArgs, topo.dut.name);
    helpers.push(sink);
    await sink.waitEvent('listening', 10_000);
    // One session carrying every feeder's prefixes (the sink accepts one connection).
    const one: PropagationParams = { ...p, feeders: 1, prefixesPerFeeder: expected, attrSets: p.attrSets * p.feeders };
    const feeder = new Child('feeder', 'feeder-main', feederArgs(one, topo, DUT_FEED_IP), topo.feed.name);
    helpers.push(feeder);
    await feeder.waitEvent('established', 60_000);
    await sink.waitEvent('established', 10_000);
    feeder.send('go');
    const sent = await feeder.waitEvent('sent', 60_000);
    const done = await sink.waitEvent('done', 60_000);
    res.tPropMs = msBetween(sent['t0'], done['tLast']);
    res.sinkCount = Number(done['distinct']);
    res.feederWriteMs = msBetween(sent['t0'], sent['tWritten']);
    res.feederCpuMs = Number(sent['cpuMs']);
    res.sinkCpuMs = Number(done['cpuMs']);
    res.complete = res.sinkCount === expected;
  } catch (e) {
    res.error = runError(e);
  } finally {
    await teardownRun(helpers, undefined, topo);
  }
  return res;
}
