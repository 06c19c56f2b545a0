/**
 * DOC: event-loop lag monitor: how long timers and I/O callbacks waited behind running JavaScript.
 *
 * Keepalives must never starve (architecture §11): long RIB work is sliced, and this monitor is how we see whether
 * the slicing works. One JavaScript timer samples the loop: each tick records how late it fired (its lag) into two
 * HDR histograms (`perf_hooks.createHistogram`), one since start and one per interval. Every `intervalMs` the
 * interval's p99 is compared with `warnP99Ms` and the interval histogram starts afresh; the last finished interval
 * is kept for `show status`. Values are milliseconds.
 *
 * Idle costs nothing (performance.md C1: idle CPU ≈ 0). Node's `monitorEventLoopDelay` wakes the process every
 * `resolution` ms whatever it is doing; two of them at 10 ms cost ~0.55 % of a core in an otherwise idle daemon.
 * Here the sampler has two paces: while the loop is busy it ticks every `resolutionMs` (10 ms: lag is measured
 * where it matters, at the same resolution as before); while idle it ticks every `idleResolutionMs` (1 s: one
 * wake-up a second, ~0.01 % of a core). Busy means the event-loop utilization (`performance.eventLoopUtilization`,
 * time spent outside the poll wait, read once per `idleResolutionMs`) reached `busyUtilization` over the last
 * window, or a tick came at least `resolutionMs` late (a block seen directly). Idle ticks still record their lag,
 * so a long block that starts during an idle second is caught by the tick it delays. Trade-off: the first
 * `idleResolutionMs` of a burst that starts from idle are sampled coarsely; the figures therefore describe the
 * loop under work (idle seconds add one near-zero sample each instead of a hundred), which is what `show status`
 * and the benchmarks read them for.
 */
import { createHistogram, performance, type EventLoopUtilization, type RecordableHistogram } from 'node:perf_hooks';
import type { Logger } from 'pino';

/** Delay percentiles of one window, in milliseconds. */
export interface LagFigures {
  p50: number;
  p99: number;
  max: number;
  /** Samples in the window. */
  samples: number;
}

export interface LoopLagSnapshot {
  sinceStart: LagFigures;
  /** The last completed interval (zeros before the first one ends). */
  lastInterval: LagFigures;
  intervalMs: number;
}

export interface LoopLagOptions {
  /** Sampling period in ms while the loop is busy (default 10). */
  resolutionMs?: number;
  /** Sampling period in ms while the loop is idle (default 1000; at least `resolutionMs`). */
  idleResolutionMs?: number;
  /** Event-loop utilization (0..1) over an `idleResolutionMs` window at or above which sampling is busy (default 0.05). */
  busyUtilization?: number;
  /** Interval for `lastInterval` and the warning check (default 10000). */
  intervalMs?: number;
  /** Warn when an interval's p99 exceeds this many ms (default 100). */
  warnP99Ms?: number;
  log?: Logger;
}

const NS = 1e6;
/**
 * Histogram range and precision: 1 µs to 1 h (longer lags are recorded as 1 h), 2 significant figures (1 % is
 * plenty for a lag in ms). Node's default range (1 ns to 2^53, 3 figures) allocates ~350 KB per histogram; this ~25 KB.
 */
const HIST = { lowest: 1000, highest: 3_600_000 * NS, figures: 2 };
const ZERO: LagFigures = { p50: 0, p99: 0, max: 0, samples: 0 };

function figures(h: RecordableHistogram): LagFigures {
  if (h.count === 0) return ZERO;
  return { p50: h.percentile(50) / NS, p99: h.percentile(99) / NS, max: h.max / NS, samples: h.count };
}

export class LoopLagMonitor {
  private readonly total = createHistogram(HIST);
  private readonly interval = createHistogram(HIST);
  private last: LagFigures = ZERO;
  private timer: NodeJS.Timeout | null = null;
  /** The current sampling period: `resolutionMs` (busy) or `idleResolutionMs` (idle). */
  private periodMs: number;
  /** performance.now() when the pending tick was armed. */
  private armedAt = 0;
  /** Utilization window: its start (performance.now()) and the loop's counters then. */
  private windowAt = 0;
  private windowElu: EventLoopUtilization | undefined;
  private rotateAt = 0;
  readonly intervalMs: number;
  private readonly resolutionMs: number;
  private readonly idleResolutionMs: number;
  private readonly busyUtilization: number;
  private readonly warnP99Ms: number;
  private readonly log?: Logger;
  private readonly tick = (): void => this.sample();

  constructor(opts: LoopLagOptions = {}) {
    this.resolutionMs = Math.max(1, opts.resolutionMs ?? 10);
    this.idleResolutionMs = Math.max(this.resolutionMs, opts.idleResolutionMs ?? 1000);
    this.busyUtilization = opts.busyUtilization ?? 0.05;
    this.intervalMs = opts.intervalMs ?? 10000;
    this.warnP99Ms = opts.warnP99Ms ?? 100;
    this.log = opts.log;
    this.periodMs = this.resolutionMs;
  }

  /** Starts sampling at the busy pace (start-up is work); it slows down after the first quiet window. */
  start(): this {
    if (this.timer) return this;
    const now = performance.now();
    this.windowAt = now;
    this.windowElu = performance.eventLoopUtilization();
    this.rotateAt = now + this.intervalMs;
    this.arm(this.resolutionMs, now);
    return this;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Whether the sampler is at its busy pace (for tests and diagnostics). */
  get busy(): boolean {
    return this.periodMs === this.resolutionMs;
  }

  private arm(periodMs: number, now: number): void {
    this.armedAt = now;
    if (this.timer && periodMs === this.periodMs) {
      this.timer.refresh();
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.periodMs = periodMs;
    this.timer = setTimeout(this.tick, periodMs);
    this.timer.unref();
  }

  private sample(): void {
    if (!this.timer) return;
    const now = performance.now();
    const lagMs = Math.max(0, now - this.armedAt - this.periodMs);
    const ns = Math.min(HIST.highest, Math.max(1, Math.round(lagMs * NS)));
    this.total.record(ns);
    this.interval.record(ns);
    let period = this.periodMs;
    if (lagMs >= this.resolutionMs) {
      period = this.resolutionMs;
    } else if (now - this.windowAt >= this.idleResolutionMs * 0.9) {
      // (0.9: libuv's millisecond clock may fire an idle tick a fraction of a millisecond early.)
      const elu = performance.eventLoopUtilization();
      const used = performance.eventLoopUtilization(elu, this.windowElu).utilization;
      this.windowElu = elu;
      this.windowAt = now;
      period = used >= this.busyUtilization ? this.resolutionMs : this.idleResolutionMs;
    }
    if (now >= this.rotateAt) {
      this.rotateAt = now + this.intervalMs;
      this.rotate();
    }
    this.arm(period, now);
  }

  /** Closes the current interval: keeps its figures, warns if its p99 is over the threshold, starts a new one. */
  rotate(): LagFigures {
    this.last = figures(this.interval);
    this.interval.reset();
    if (this.last.p99 > this.warnP99Ms) {
      this.log?.warn({ p50: round(this.last.p50), p99: round(this.last.p99), max: round(this.last.max), intervalMs: this.intervalMs },
        'event loop lag: p99 over the threshold (long unsliced work?)');
    }
    return this.last;
  }

  snapshot(): LoopLagSnapshot {
    return { sinceStart: figures(this.total), lastInterval: this.last, intervalMs: this.intervalMs };
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
