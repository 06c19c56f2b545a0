/**
 * DOC: receive fairness: each peer's backlog of framed UPDATEs and the round-robin scheduler that drains them.
 *
 * A connection frames every message of a socket chunk at once, and the FSM restarts the hold timer as each one is
 * framed (RFC 4271 §4.4, §6.5), so a busy peer's KEEPALIVEs and UPDATEs count for its hold timer when they are
 * read, not when they are imported. Decoding and importing UPDATEs is the expensive part, and a peer sending a full
 * table would hold the event loop for as long as its socket delivers data (libuv reads a readable socket up to 32
 * times per poll). So it is deferred here (architecture §11):
 * - a peer's `RxQueue` keeps its framed UPDATEs, in arrival order, as views into the received chunks (no copy: the
 *   framer never writes to a range it handed out, see framer.ts), together with the RFC 7313 BoRR/EoRR
 *   demarcations that must be applied in their place among the UPDATEs;
 * - the process-wide `RxScheduler` serves every peer with a backlog once per turn, round robin: one slice of at most
 *   `prefixBudget` prefixes or `sliceMs` ms, whichever is first (a message is never split). A turn also ends after
 *   `turnMs` ms; peers not served then come first in the next turn. Between turns it yields with setImmediate, so
 *   timers and other sockets run;
 * - while a peer's backlog holds `highWater` octets or more its socket is paused (TCP flow control then slows the
 *   sender down), and it resumes once the backlog is below `lowWater`.
 * Invariants: entries are handled in arrival order; work an entry started that must complete before the next entry
 * (`RxHandler.rxContinue`, e.g. a BoRR's stale marking) is finished first; `reset` (session down) drops the backlog
 * at once, also in the middle of a slice.
 */
import { performance } from 'node:perf_hooks';

/** Receive budgets; see the module comment. */
export interface RxBudget {
  prefixBudget: number;
  sliceMs: number;
  turnMs: number;
  highWater: number;
  lowWater: number;
}

/** Defaults: a slice imports ~4000 prefixes (a few ms); a turn never runs much beyond 10 ms. */
export const DEFAULT_RX_BUDGET: RxBudget = { prefixBudget: 4000, sliceMs: 5, turnMs: 10, highWater: 256 * 1024, lowWater: 64 * 1024 };

/** What a queue calls back into: the peer's decode and import path. */
export interface RxHandler {
  /** Decodes and imports one whole UPDATE `buf[start,end)`; returns how many prefixes it carried (its cost). */
  rxUpdate(buf: Buffer, start: number, end: number): number;
  /** An RFC 7313 BoRR or EoRR (`subtype` 1 or 2), in its place among the UPDATEs. */
  rxRefresh(afi: number, subtype: number, safi: number): void;
  /**
   * Runs up to `budget` units of the work earlier entries started; returns the units used. Less than `budget`
   * means nothing is left.
   */
  rxContinue(budget: number): number;
}

/** What a queue pauses: the peer's socket. */
export interface RxSource {
  pause(): unknown;
  resume(): unknown;
  readonly destroyed: boolean;
}

/** Stands in the buffer column for a ROUTE-REFRESH demarcation, and for entries already handled. */
const MARKER = Buffer.alloc(0);
/** Handled entries dropped from the front at once. */
const COMPACT_AT = 4096;

/** One peer's receive backlog. */
export class RxQueue {
  private bufs: Buffer[] = [];
  /** UPDATE: start offset; marker: AFI. */
  private starts: number[] = [];
  /** UPDATE: end offset; marker: subtype << 8 | SAFI. */
  private ends: number[] = [];
  private head = 0;
  private bytes = 0;
  private generation = 0;
  private source: RxSource | null = null;
  private paused = false;
  /** In the scheduler's ring. */
  scheduled = false;

  constructor(private readonly handler: RxHandler, private readonly scheduler: RxScheduler = defaultRxScheduler) {}

  /** Octets of UPDATEs waiting. */
  get backlogBytes(): number {
    return this.bytes;
  }

  /** Entries (UPDATEs and demarcations) waiting. */
  get backlogEntries(): number {
    return this.bufs.length - this.head;
  }

  /** Whether the socket is paused because of the backlog. */
  get isPaused(): boolean {
    return this.paused;
  }

  /** The socket to pause while the backlog is high (the session's established connection). */
  attach(source: RxSource | null): void {
    this.source = source;
  }

  /** Queues one framed UPDATE (a view the framer will not reuse). */
  push(buf: Buffer, start: number, end: number): void {
    this.bufs.push(buf);
    this.starts.push(start);
    this.ends.push(end);
    this.bytes += end - start;
    if (this.bytes >= this.scheduler.budget.highWater && !this.paused && this.source && !this.source.destroyed) {
      this.paused = true;
      this.source.pause();
    }
    this.scheduler.wake(this);
  }

  /** Queues an RFC 7313 demarcation (BoRR/EoRR) behind the UPDATEs received before it. */
  pushRefresh(afi: number, subtype: number, safi: number): void {
    this.bufs.push(MARKER);
    this.starts.push(afi);
    this.ends.push((subtype << 8) | safi);
    this.scheduler.wake(this);
  }

  /** Drops the backlog (session down) and lets the socket read again; safe in the middle of a slice. */
  reset(): void {
    this.generation++;
    this.bufs = [];
    this.starts = [];
    this.ends = [];
    this.head = 0;
    this.bytes = 0;
    this.resumeSource();
    this.source = null;
  }

  /**
   * Handles entries until `prefixBudget` prefixes were spent, `deadline` (performance.now() ms) passed or the
   * backlog is empty. Returns whether anything is left.
   */
  runSlice(prefixBudget: number, deadline: number): boolean {
    const h = this.handler;
    const gen = this.generation;
    let spent = 0;
    let busy = false;
    while (spent < prefixBudget) {
      const used = h.rxContinue(prefixBudget - spent);
      if (this.generation !== gen) return false;
      if (used > 0) {
        spent += used;
        busy = spent >= prefixBudget;
        if (performance.now() >= deadline) break;
        continue;
      }
      busy = false;
      const i = this.head;
      if (i === this.bufs.length) break;
      this.head = i + 1;
      const buf = this.bufs[i];
      const start = this.starts[i];
      const end = this.ends[i];
      this.bufs[i] = MARKER;
      if (buf === MARKER) {
        h.rxRefresh(start, end >>> 8, end & 0xff);
        spent++;
        busy = true; // it may have started work: the next slice asks `rxContinue` first
      } else {
        this.bytes -= end - start;
        spent += 1 + h.rxUpdate(buf, start, end);
      }
      if (this.generation !== gen) return false;
      if (performance.now() >= deadline) break;
    }
    this.compact();
    if (this.paused && this.bytes < this.scheduler.budget.lowWater) this.resumeSource();
    return busy || this.head < this.bufs.length;
  }

  private resumeSource(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.source && !this.source.destroyed) this.source.resume();
  }

  private compact(): void {
    if (this.head === this.bufs.length) {
      this.bufs.length = 0;
      this.starts.length = 0;
      this.ends.length = 0;
      this.head = 0;
    } else if (this.head >= COMPACT_AT) {
      this.bufs.splice(0, this.head);
      this.starts.splice(0, this.head);
      this.ends.splice(0, this.head);
      this.head = 0;
    }
  }
}

/** Serves the queues with a backlog round robin, one slice each per turn; see the module comment. */
export class RxScheduler {
  private readonly ring: RxQueue[] = [];
  private next = 0;
  private pending = false;
  /** Turns run so far (for tests and benchmarks). */
  turns = 0;
  /** The longest turn so far, in ms (for benchmarks). */
  longestTurnMs = 0;

  constructor(readonly budget: RxBudget = DEFAULT_RX_BUDGET) {}

  /** Queues with a backlog. */
  get active(): number {
    return this.ring.length;
  }

  /** A queue got entries: make sure it is in the ring and a turn is coming. */
  wake(q: RxQueue): void {
    if (!q.scheduled) {
      q.scheduled = true;
      this.ring.push(q);
    }
    if (!this.pending) {
      this.pending = true;
      setImmediate(this.turn);
    }
  }

  private readonly turn = (): void => {
    this.pending = false;
    this.turns++;
    const b = this.budget;
    const turnStart = performance.now();
    const turnEnd = turnStart + b.turnMs;
    for (let served = 0, n = this.ring.length; served < n && this.ring.length > 0; served++) {
      if (this.next >= this.ring.length) this.next = 0;
      const q = this.ring[this.next];
      const more = q.runSlice(b.prefixBudget, Math.min(performance.now() + b.sliceMs, turnEnd));
      const at = this.ring.indexOf(q, this.next);
      if (more) this.next = at + 1;
      else if (at >= 0) {
        this.ring.splice(at, 1);
        q.scheduled = false;
      }
      if (performance.now() >= turnEnd) break;
    }
    const took = performance.now() - turnStart;
    if (took > this.longestTurnMs) this.longestTurnMs = took;
    if (this.ring.length > 0 && !this.pending) {
      this.pending = true;
      setImmediate(this.turn);
    }
  };
}

/** The scheduler every peer of the process shares (they share one event loop). */
export const defaultRxScheduler = new RxScheduler();
