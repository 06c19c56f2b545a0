/**
 * DOC: `ShapeIdArray`: a growable array of route-shape ids (route-shape.ts) indexed by prefix slot, for the FIB's
 * installed table.
 *
 * Why: the installed table has one entry per route of ours, a million in S1. As a `SlotArray` of shape pointers it
 * was 8 MB of V8 heap that every full GC traces; shapes are few (one per next-hop set and metric), so an entry is a
 * 16-bit id in Uint16Array chunks of 8192 (2 MB at a million routes, outside the V8 heap). The first id above
 * 65,535 widens every chunk to 32 bits, once. 0 means "no entry". Chunks are allocated once, never copied.
 */
const SHIFT = 13;
const SIZE = 1 << SHIFT;
const MASK = SIZE - 1;

export class ShapeIdArray {
  private chunks: (Uint16Array | Uint32Array)[] = [];
  private wide = false;
  private end = 0;

  /** One past the highest index written. */
  get length(): number {
    return this.end;
  }

  /** The id at `i` (0 when never written or out of range). */
  get(i: number): number {
    const c = this.chunks[i >>> SHIFT];
    return c === undefined ? 0 : c[i & MASK];
  }

  /** Stores `id` (0 clears) at `i`, growing as needed. */
  set(i: number, id: number): void {
    if (id > 0xffff && !this.wide) this.widen();
    const k = i >>> SHIFT;
    while (this.chunks.length <= k) this.chunks.push(this.wide ? new Uint32Array(SIZE) : new Uint16Array(SIZE));
    this.chunks[k][i & MASK] = id;
    if (i >= this.end) this.end = i + 1;
  }

  private widen(): void {
    this.wide = true;
    this.chunks = this.chunks.map((c) => Uint32Array.from(c));
  }
}
