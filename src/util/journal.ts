/**
 * DOC: an append-only change log with per-consumer cursors: how Loc-RIB changes reach exporters and the FIB.
 *
 * Producers `append` items (prefix keys); each consumer owns a cursor and `read`s at its own pace, which is where
 * backpressure comes from (architecture §8, BIRD 3's export journal). Items live in fixed-size chunks; a chunk is
 * dropped once every cursor has passed it (`compact`, run on read). A consumer that falls too far behind can be
 * re-fed from the table instead (`lag` tells how far). Consumers re-read current state when they consume an item,
 * so an item only says "this key changed", and repeated changes of one key collapse naturally.
 */
const CHUNK = 8192;

export interface JournalCursor {
  readonly name: string;
  /** Sequence number of the next item this consumer will read. */
  seq: number;
}

export class Journal<T> {
  private chunks: T[][] = [[]];
  /** Sequence number of chunks[0][0]. */
  private base = 0;
  private end = 0;
  private readonly cursors = new Set<JournalCursor>();
  private readonly wakers = new Set<() => void>();
  private waking = false;

  /** Sequence number the next appended item will get. */
  get head(): number {
    return this.end;
  }

  append(item: T): void {
    let last = this.chunks[this.chunks.length - 1];
    if (last.length === CHUNK) {
      last = [];
      this.chunks.push(last);
    }
    last.push(item);
    this.end++;
    if (!this.waking && this.wakers.size) {
      this.waking = true;
      queueMicrotask(() => {
        this.waking = false;
        for (const w of this.wakers) w();
      });
    }
  }

  /** A new cursor at the current head (it sees only later changes). */
  openCursor(name: string, atStart = false): JournalCursor {
    const c = { name, seq: atStart ? this.base : this.end };
    this.cursors.add(c);
    return c;
  }

  closeCursor(c: JournalCursor): void {
    this.cursors.delete(c);
    this.compact();
  }

  /** Calls `fn` (once per microtask at most) whenever items are appended. Returns an unsubscribe function. */
  onAppend(fn: () => void): () => void {
    this.wakers.add(fn);
    return () => this.wakers.delete(fn);
  }

  /** How many items the cursor has not read yet. */
  lag(c: JournalCursor): number {
    return this.end - c.seq;
  }

  /** Moves up to `max` items to `out` (appending) and advances the cursor; returns how many. */
  read(c: JournalCursor, max: number, out: T[]): number {
    let n = 0;
    while (n < max && c.seq < this.end) {
      const off = c.seq - this.base;
      const chunk = this.chunks[Math.floor(off / CHUNK)];
      const from = off % CHUNK;
      const take = Math.min(max - n, chunk.length - from);
      for (let i = 0; i < take; i++) out.push(chunk[from + i]);
      c.seq += take;
      n += take;
    }
    if (n) this.compact();
    return n;
  }

  /** Moves a cursor to the head, skipping what it has not read (after a full re-feed from the table). */
  skipToHead(c: JournalCursor): void {
    c.seq = this.end;
    this.compact();
  }

  /** Drops chunks every cursor has passed. */
  compact(): void {
    let min = this.end;
    for (const c of this.cursors) if (c.seq < min) min = c.seq;
    while (this.chunks.length > 1 && min - this.base >= CHUNK) {
      this.chunks.shift();
      this.base += CHUNK;
    }
    if (this.chunks.length === 1 && min === this.end && this.chunks[0].length === CHUNK) {
      this.chunks[0] = [];
      this.base = this.end;
    }
  }

  /** Items held in memory (for `show memory`). */
  get retained(): number {
    return this.end - this.base;
  }
}
