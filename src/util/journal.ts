/**
 * DOC: an append-only change log with per-consumer cursors: how Loc-RIB changes reach exporters and the FIB.
 *
 * Producers append prefix slots (the dense per-prefix index of the Loc-RIB, `PrefixSlots` in prefix-map.ts); each
 * consumer owns a cursor and reads at its own pace, which is where backpressure comes from (architecture §8, BIRD
 * 3's export journal). Items live in fixed-size Int32Array chunks (4 octets an item, nothing for the GC to trace);
 * a chunk is dropped once every cursor has passed it (`compact`, run on read) and the last one dropped is kept for
 * reuse. A consumer that falls too far behind can be re-fed from the table instead (`lag` tells how far).
 * Consumers re-read current state when they consume an item, so an item only says "this prefix changed", and
 * repeated changes of one prefix collapse naturally.
 *
 * Two views of the same items: `readSlots` / `appendSlot` (the exporters and the Loc-RIB itself) and `read` /
 * `append` by prefix key (the FIB, kernel learning), which translate through the `SlotKeys` the journal was made
 * with. Slots are never reused (loc-rib.ts), so a slot read late still names the prefix it was appended for.
 */
import type { PrefixKey } from './prefix';

const CHUNK = 8192;

export interface JournalCursor {
  readonly name: string;
  /** Sequence number of the next item this consumer will read. */
  seq: number;
}

/** Translation between prefix keys and the slots the journal stores. */
export interface SlotKeys {
  /** The slot of `key`, creating one when it has none. */
  slotOf(key: PrefixKey): number;
  keyOf(slot: number): PrefixKey;
}

export class Journal {
  private chunks: Int32Array[] = [new Int32Array(CHUNK)];
  private spare: Int32Array | undefined;
  /** Sequence number of chunks[0][0]. */
  private base = 0;
  private end = 0;
  private readonly cursors = new Set<JournalCursor>();
  private readonly wakers = new Set<() => void>();
  private waking = false;

  constructor(private readonly slots: SlotKeys) {}

  /** Sequence number the next appended item will get. */
  get head(): number {
    return this.end;
  }

  /** Records that the prefix `key` changed. */
  append(key: PrefixKey): void {
    this.appendSlot(this.slots.slotOf(key));
  }

  /** Records that the prefix of `slot` changed. */
  appendSlot(slot: number): void {
    const off = this.end - this.base;
    let i = off >>> 13;
    if (i === this.chunks.length) {
      this.chunks.push(this.spare ?? new Int32Array(CHUNK));
      this.spare = undefined;
    }
    this.chunks[i][off & (CHUNK - 1)] = slot;
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

  /** Moves up to `max` items to `out` as prefix keys (appending) and advances the cursor; returns how many. */
  read(c: JournalCursor, max: number, out: PrefixKey[]): number {
    const n = Math.min(max, this.end - c.seq);
    for (let k = 0; k < n; k++) {
      const off = c.seq + k - this.base;
      out.push(this.slots.keyOf(this.chunks[off >>> 13][off & (CHUNK - 1)]));
    }
    c.seq += n;
    if (n) this.compact();
    return n;
  }

  /** Writes up to `max` slots to `out` from index 0 and advances the cursor; returns how many. */
  readSlots(c: JournalCursor, max: number, out: Int32Array): number {
    const n = Math.min(max, out.length, this.end - c.seq);
    let done = 0;
    while (done < n) {
      const off = c.seq - this.base;
      const chunk = this.chunks[off >>> 13];
      const from = off & (CHUNK - 1);
      const take = Math.min(n - done, CHUNK - from);
      out.set(chunk.subarray(from, from + take), done);
      c.seq += take;
      done += take;
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
      this.spare = this.chunks.shift();
      this.base += CHUNK;
    }
    if (this.chunks.length === 1 && min === this.end && this.end - this.base === CHUNK) this.base = this.end;
  }

  /** Items held in memory (for `show memory`). */
  get retained(): number {
    return this.end - this.base;
  }
}
