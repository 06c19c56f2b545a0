/**
 * DOC: the FIB's write pipeline: the batch being filled, the batches in flight, and their settlement.
 *
 * The FIB fills `current` (a FibBatch) and calls `send`; the batch goes to the RouteWriter (a worker thread by
 * default: the kernel's insert cost then runs beside the event loop, not on it) and a fresh batch takes its place,
 * so the next slice is evaluated while the kernel installs the previous one. At most `maxInFlight` batches are out
 * (`room` waits for a free place): enough to keep the writer busy, few enough that a failure answer comes back
 * while its prefix is still recent. Each answer is handed to `settle(batch, result)` in send order (the writer
 * answers in order); a writer failure (socket or thread gone) reports every message of the batch as unknown, which
 * the FIB treats as a failure to retry. Finished batches are reset and reused: no allocation per batch.
 */
import { FibBatch } from './fib-batch';
import type { RouteWriter } from './netlink/route-writer';
import type { BatchResult } from './netlink/transport';

export class FibWrites {
  /** The batch being filled. */
  current = new FibBatch();
  private readonly spare: FibBatch[] = [];
  private readonly flying = new Set<FibBatch>();
  private waiters: (() => void)[] = [];

  constructor(
    private readonly writer: RouteWriter,
    private readonly maxInFlight: number,
    private readonly settle: (b: FibBatch, res: BatchResult, err?: Error) => void,
  ) {}

  /** Operations queued or in flight (for the FIB's `pending` counter). */
  get ops(): number {
    let n = this.current.ops;
    for (const b of this.flying) n += b.ops;
    return n;
  }

  get inFlight(): number {
    return this.flying.size;
  }

  /** Sends the current batch (if it holds anything) and starts a new one. */
  send(): void {
    const b = this.current;
    if (b.ops === 0) return;
    this.current = this.spare.pop() ?? new FibBatch();
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
    this.writer.batch(b.w.take()).then(
      (res) => done(res),
      (e: Error) => done({ count: b.messages, failed: [], unknown: Array.from({ length: b.messages }, (_, i) => i), acked: 0 }, e),
    );
  }

  /** Resolves once fewer than `limit` batches are in flight (default: room for one more). */
  async room(limit = this.maxInFlight): Promise<void> {
    while (this.flying.size >= limit) await new Promise<void>((r) => this.waiters.push(r));
  }

  /** Resolves once every batch sent has been settled. */
  drained(): Promise<void> {
    return this.room(1);
  }

  close(): void {
    this.writer.close();
  }
}
