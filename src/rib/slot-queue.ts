/**
 * DOC: `SlotQueue`: an exporter's set of changed prefixes waiting to be encoded, as slots (loc-rib.ts).
 *
 * A membership bitmap (one octet per slot) plus a FIFO of slots in an Int32Array: `add` is a byte test and, when
 * the slot is new, one array write; a prefix changed again while queued keeps its place (BIRD's prefix hash rule:
 * the newer state simply replaces the older one, as the exporter reads the Adj-RIB-Out when it encodes). `delete`
 * clears the bit only; the stale FIFO entry is skipped when taken, and compacted away when the FIFO would grow.
 * Nothing here allocates per prefix, and the GC has nothing to trace.
 */

export class SlotQueue {
  private bits = new Uint8Array(1024);
  private fifo = new Int32Array(1024);
  private head = 0;
  private tail = 0;
  private count = 0;

  /** Slots queued. */
  get size(): number {
    return this.count;
  }

  has(slot: number): boolean {
    return slot < this.bits.length && this.bits[slot] !== 0;
  }

  /** Queues `slot` unless it is queued already. */
  add(slot: number): void {
    if (slot >= this.bits.length) this.growBits(slot);
    if (this.bits[slot] !== 0) return;
    this.bits[slot] = 1;
    this.count++;
    if (this.tail === this.fifo.length) this.makeRoom();
    this.fifo[this.tail++] = slot;
  }

  delete(slot: number): boolean {
    if (!this.has(slot)) return false;
    this.bits[slot] = 0;
    if (--this.count === 0) this.head = this.tail = 0;
    return true;
  }

  /** Moves up to `max` slots, oldest first, to the end of `out` and removes them; returns how many. */
  take(max: number, out: number[]): number {
    let n = 0;
    const bits = this.bits;
    const fifo = this.fifo;
    while (n < max && this.head < this.tail) {
      const s = fifo[this.head++];
      if (bits[s] === 0) continue; // deleted while queued
      bits[s] = 0;
      out.push(s);
      n++;
    }
    this.count -= n;
    if (this.count === 0) this.head = this.tail = 0;
    return n;
  }

  clear(): void {
    this.bits.fill(0);
    this.head = this.tail = this.count = 0;
  }

  /** Makes this queue an exact copy of `other` (same slots, same order). */
  copyFrom(other: SlotQueue): void {
    this.bits = other.bits.slice();
    this.fifo = other.fifo.slice();
    this.head = other.head;
    this.tail = other.tail;
    this.count = other.count;
  }

  private growBits(slot: number): void {
    let n = this.bits.length * 2;
    while (n <= slot) n *= 2;
    const b = new Uint8Array(n);
    b.set(this.bits);
    this.bits = b;
  }

  /** Drops consumed and stale entries (keeping the first entry of each queued slot); grows when still full. */
  private makeRoom(): void {
    const fifo = this.fifo;
    const bits = this.bits;
    let w = 0;
    if (this.tail - this.head > this.count) {
      for (let r = this.head; r < this.tail; r++) {
        const s = fifo[r];
        if (bits[s] !== 1) continue;
        bits[s] = 2;
        fifo[w++] = s;
      }
      for (let r = 0; r < w; r++) bits[fifo[r]] = 1;
    } else {
      fifo.copyWithin(0, this.head, this.tail);
      w = this.tail - this.head;
    }
    this.head = 0;
    this.tail = w;
    if (w > fifo.length / 2) {
      const grown = new Int32Array(fifo.length * 2);
      grown.set(fifo.subarray(0, w));
      this.fifo = grown;
    }
  }
}
