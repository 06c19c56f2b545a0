/**
 * DOC: when the FIB's writes leave the event loop's thread: writer threads start for a large backlog and end after
 * a quiet spell (owns the threads and the retire timer; the FIB asks `maybeStart` before each round and calls
 * `retireLater` when it goes idle).
 *
 * Why on demand: a writer thread is worth it for a bulk install (a full table, a restart: the kernel's insert cost
 * then runs beside BGP), not for a Calico node's few hundred routes, which the main thread writes in milliseconds.
 * The native writer (native/nlwriter.c) costs ~0.5 MB, the worker_thread fallback ~18 MB; either way an idle
 * node runs none. Switching happens only between rounds, with nothing queued or in flight (FibWrites).
 */
import type { Logger } from 'pino';
import type { FibWrites } from './fib-writes';
import { createRouteWriter, type OffloadedRouteWriter, type RouteWriter } from './netlink/route-writer';
import type { TransportOptions } from './netlink/transport';

/** Route-writer threads (fib-writes.ts: more than one did not pay on 2 cores). */
const DEFAULT_THREADS = 1;
/** Prefixes waiting before the writes move to threads. */
const DEFAULT_BACKLOG = 20_000;
/** Idle time after which the writer threads are ended. */
const DEFAULT_IDLE_MS = 30_000;

export interface WriterThreadOptions {
  /** Threads to start (a power of two); 0 never starts any. */
  threads?: number;
  backlog?: number;
  idleMs?: number;
  transport?: TransportOptions;
  log?: Logger;
}

export class WriterThreads {
  private threads: OffloadedRouteWriter[] | undefined;
  private wanted: number;
  private retireTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly writes: FibWrites,
    /** The event loop's writer, used when no thread runs. */
    private readonly inline: RouteWriter,
    private readonly opts: WriterThreadOptions,
  ) {
    this.wanted = opts.threads ?? DEFAULT_THREADS;
  }

  /** Threads running now. */
  get running(): number {
    return this.threads?.length ?? 0;
  }

  /** Starts the threads when `backlog` prefixes wait and none run (waits for the batches in flight first). */
  async maybeStart(backlog: number): Promise<void> {
    if (this.wanted === 0 || this.threads !== undefined || this.stopped || backlog < (this.opts.backlog ?? DEFAULT_BACKLOG)) return;
    await this.writes.drained();
    const writers: OffloadedRouteWriter[] = [];
    for (let i = 0; i < this.wanted; i++) writers.push(createRouteWriter({ silenceEchoes: true, ...this.opts.transport }));
    try {
      await Promise.all(writers.map((w) => w.open()));
    } catch (e) {
      for (const w of writers) w.close();
      this.wanted = 0;
      this.opts.log?.warn({ err: e instanceof Error ? e.message : String(e) }, 'route writer threads did not start; writing on the main thread');
      return;
    }
    this.threads = writers;
    this.writes.replaceWriters(writers);
    this.opts.log?.info({ threads: writers.length, backlog }, 'route writer threads started');
  }

  /** Ends the threads after `idleMs` unless work came back (`isIdle` is asked when the timer fires). */
  retireLater(isIdle: () => boolean): void {
    if (this.threads === undefined || this.stopped) return;
    if (this.retireTimer !== undefined) clearTimeout(this.retireTimer);
    this.retireTimer = setTimeout(() => {
      this.retireTimer = undefined;
      if (this.threads === undefined || this.stopped || !isIdle()) return;
      const threads = this.threads;
      this.threads = undefined;
      this.writes.replaceWriters([this.inline]);
      for (const w of threads) w.close();
      this.opts.log?.info({ threads: threads.length }, 'route writer threads ended (idle)');
    }, this.opts.idleMs ?? DEFAULT_IDLE_MS);
    this.retireTimer.unref();
  }

  /** Stops the timer (the writers themselves are closed with FibWrites). */
  stop(): void {
    this.stopped = true;
    if (this.retireTimer !== undefined) clearTimeout(this.retireTimer);
  }
}
