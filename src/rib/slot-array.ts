/**
 * DOC: `SlotArray<T>`: a growable array indexed by prefix slot (loc-rib.ts), stored in fixed chunks of 8192 entries.
 *
 * Why not a plain JS array: a million-entry array lives in V8's large-object space and grows by copying (×1.5), so
 * while a table fills, each growth leaves the old backing store (up to 8 MB) as garbage until the next full GC;
 * together with the growth slack that was about 20 MB of the daemon's peak RSS in S1 for the Loc-RIB heads and an
 * Adj-RIB-Out. Chunks of 64 KB are ordinary old-space objects, allocated once and never copied: the array costs its
 * entries plus under one chunk of slack, and growing it makes no garbage. A read is one more indexed load.
 * Entries never written read as null. `length` is one past the highest index written.
 */

const SHIFT = 13;
const SIZE = 1 << SHIFT;
const MASK = SIZE - 1;

export class SlotArray<T> {
  private chunks: (T | null)[][] = [];
  private end = 0;

  /** One past the highest index written (every written index is below this). */
  get length(): number {
    return this.end;
  }

  /** The entry at `i` (null when never written or out of range). */
  get(i: number): T | null {
    const c = this.chunks[i >>> SHIFT];
    return c === undefined ? null : c[i & MASK];
  }

  /** Stores `v` at `i`, growing as needed. */
  set(i: number, v: T | null): void {
    const k = i >>> SHIFT;
    while (this.chunks.length <= k) this.chunks.push(new Array<T | null>(SIZE).fill(null));
    this.chunks[k][i & MASK] = v;
    if (i >= this.end) this.end = i + 1;
  }

  /** Empties the array (keeps no chunk). */
  clear(): void {
    this.chunks = [];
    this.end = 0;
  }

  /** Makes this array a copy of `other` with `map` applied to each non-null entry. */
  copyFrom(other: SlotArray<T>, map: (v: T) => T): void {
    this.chunks = other.chunks.map((c) => c.map((v) => (v === null ? null : map(v))));
    this.end = other.end;
  }
}
