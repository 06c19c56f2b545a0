/**
 * DOC: event-loop lag monitor: how long timers and I/O callbacks waited behind running JavaScript.
 *
 * Keepalives must never starve (architecture §11): long RIB work is sliced, and this monitor is how we see whether
 * the slicing works. It wraps Node's `perf_hooks.monitorEventLoopDelay` (a libuv timer sampling the loop's delay
 * into an HDR histogram, no per-sample JavaScript) with two histograms: one since start and one per interval. Every
 * `intervalMs` the interval's p99 is compared with `warnP99Ms` and the interval histogram starts afresh; the last
 * finished interval is kept for `show status`. Values are milliseconds.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
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
  /** Sampling resolution in ms (default 10). */
  resolutionMs?: number;
  /** Interval for `lastInterval` and the warning check (default 10000). */
  intervalMs?: number;
  /** Warn when an interval's p99 exceeds this many ms (default 100). */
  warnP99Ms?: number;
  log?: Logger;
}

const NS = 1e6;

function figures(h: IntervalHistogram): LagFigures {
  if (h.count === 0) return { p50: 0, p99: 0, max: 0, samples: 0 };
  return { p50: h.percentile(50) / NS, p99: h.percentile(99) / NS, max: h.max / NS, samples: h.count };
}

export class LoopLagMonitor {
  private readonly total: IntervalHistogram;
  private readonly interval: IntervalHistogram;
  private last: LagFigures = { p50: 0, p99: 0, max: 0, samples: 0 };
  private timer: NodeJS.Timeout | null = null;
  readonly intervalMs: number;
  private readonly warnP99Ms: number;
  private readonly log?: Logger;

  constructor(opts: LoopLagOptions = {}) {
    const resolution = opts.resolutionMs ?? 10;
    this.total = monitorEventLoopDelay({ resolution });
    this.interval = monitorEventLoopDelay({ resolution });
    this.intervalMs = opts.intervalMs ?? 10000;
    this.warnP99Ms = opts.warnP99Ms ?? 100;
    this.log = opts.log;
  }

  start(): this {
    this.total.enable();
    this.interval.enable();
    this.timer = setInterval(() => this.rotate(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    this.total.disable();
    this.interval.disable();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
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
