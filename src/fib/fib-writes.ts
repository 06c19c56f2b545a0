/**
 * DOC: the FIB's write pipeline: the batches being filled, the batches in flight, and their settlement, over one
 * or more route writers.
 *
 * The FIB encodes each prefix's operation into `batchFor(key)` and calls `send`; each non-empty batch goes to its
 * RouteWriter (writer threads for bulk installs: the kernel's insert cost then runs beside the event loop, not on it) and
 * a fresh batch takes its place, so the next slice is evaluated while the kernel installs the previous one.
 *
 * Several writers (`writers.length`, the FIB's `writerThreads`, default 1): the kernel parses, allocates and
 * notifies partly outside its routing lock, so two processes writing disjoint routes at once installed a million
 * routes in 3.4–3.7 s against 4.7 s for one on an idle 2-core machine (4.3 against 4.7 s under load). Through the
 * FIB, with the event loop's thread busy too, two writer threads were slower than one on 2 cores (`node
 * dist/bench/fib.js --routes 1000000 --fib-only --writer-threads 2`: 7.7–8.2 s against 4.5–4.6 s), so one is the
 * default; more are for machines with cores to spare. Order matters only per prefix (a replace then a delete of the
 * same prefix must not swap), so prefixes are sharded by a hash of their key: every operation on one prefix goes
 * through the same writer, in order. Writers answer in order (each serializes its batches).
 *
 * At most `maxInFlight` batches per writer are out (`room` waits for a free place): enough to keep the writers
 * busy, few enough that a failure answer comes back while its prefix is still recent. Each answer is handed to
 * `settle(batch, result)`; a writer failure (socket or thread gone) reports every message of the batch as unknown,
 * which the FIB treats as a failure to retry. Finished batches are reset and reused: no allocation per batch.
 */
import { FibBatch } from './fib-batch';
import type { RouteWriter } from './netlink/route-writer';
import type { BatchResult } from './netlink/transport';
import type { PrefixKey } from '../util/prefix';

export class FibWrites {
  /** The batch being filled, per writer. */
  private readonly current: FibBatch[];
  private readonly spare: FibBatch[] = [];
  private readonly flying = new Set<FibBatch>();
  private waiters: (() => void)[] = [];
  private mask: number;

  constructor(
    private writers: readonly RouteWriter[],
    private readonly maxInFlight: number,
    private readonly settle: (b: FibBatch, res: BatchResult, err?: Error) => void,
  ) {
    if (writers.length === 0 || (writers.length & (writers.length - 1)) !== 0) throw new RangeError('writers: a power of two');
    this.mask = writers.length - 1;
    this.current = writers.map(() => new FibBatch());
  }

  /** The writers in use. */
  get active(): readonly RouteWriter[] {
    return this.writers;
  }

  /**
   * Switches to other writers (the FIB starts writer threads for a large backlog and retires them when idle).
   * Only between rounds: nothing queued, nothing in flight. Returns the previous writers (the caller closes them).
   */
  replaceWriters(writers: readonly RouteWriter[]): readonly RouteWriter[] {
    if (this.flying.size > 0 || this.queued > 0) throw new Error('replaceWriters with batches queued or in flight');
    if (writers.length === 0 || (writers.length & (writers.length - 1)) !== 0) throw new RangeError('writers: a power of two');
    const old = this.writers;
    this.writers = writers;
    this.mask = writers.length - 1;
    while (this.current.length > writers.length) this.spare.push(this.current.pop()!);
    while (this.current.length < writers.length) this.current.push(this.spare.pop() ?? new FibBatch());
    return old;
  }

  /** The batch an operation on `k` goes into (always the same writer for one prefix). */
  batchFor(k: PrefixKey): FibBatch {
    return this.current[this.shard(k)];
  }

  /** Operations queued or in flight (for the FIB's `pending` counter). */
  get ops(): number {
    let n = 0;
    for (const b of this.current) n += b.ops;
    for (const b of this.flying) n += b.ops;
    return n;
  }

  /** Operations encoded and not yet sent. */
  get queued(): number {
    let n = 0;
    for (const b of this.current) n += b.ops;
    return n;
  }

  get inFlight(): number {
    return this.flying.size;
  }

  /** Sends every batch that holds anything and starts new ones. */
  send(): void {
    for (let i = 0; i < this.current.length; i++) {
      const b = this.current[i];
      if (b.ops === 0) continue;
      this.current[i] = this.spare.pop() ?? new FibBatch();
      this.flying.add(b);
      const done = (res: BatchResult, err?: Error) => {
        try {
          this.settle(b, res, err);
        } finally {
          b.reset();
          this.flying.delete(b);
          this.spare.push(b);
          const ws = this.waiters;
          this.waiters = [];
          for (const w of ws) w();
        }
      };
      this.writers[i].batch(b.w.take()).then(
        (res) => done(res),
        (e: Error) => done({ count: b.messages, failed: [], unknown: Array.from({ length: b.messages }, (_, j) => j), acked: 0 }, e),
      );
    }
  }

  /** Resolves once fewer than `limit` batches are in flight (default: room for one more round on every writer). */
  async room(limit = this.maxInFlight * this.writers.length - this.writers.length + 1): Promise<void> {
    while (this.flying.size >= limit) await new Promise<void>((r) => this.waiters.push(r));
  }

  /** Resolves once every batch sent has been settled. */
  drained(): Promise<void> {
    return this.room(1);
  }

  /** Closes every writer. */
  close(): void {
    for (const w of this.writers) w.close();
  }

  private shard(k: PrefixKey): number {
    if (this.mask === 0) return 0;
    if (typeof k === 'number') {
      // IPv4 keys are address × 64 + length: mix the address bits above the host part of common lengths.
      const a = Math.floor(k / 64);
      return ((a >>> 8) ^ (a >>> 16) ^ (a >>> 24)) & this.mask;
    }
    let h = 0;
    for (let i = 0; i < 17; i++) h = (h * 31 + k.charCodeAt(i)) | 0;
    return h & this.mask;
  }
}
