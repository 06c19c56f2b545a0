/**
 * DOC: the hash table the interner keeps sets and AS path leaves in, chained through the entries themselves.
 *
 * The caller computes the hash and compares candidates (`head` then `next`); the table only links, unlinks and
 * resizes. Why not a Map: a Map entry costs ~40 bytes plus a key object, and with 100k+ entries its lookups were
 * a visible share of interning time (bench/rib-path.ts).
 */
const MIN_BUCKETS = 1024;

/** What a chained table holds: its hash and the next entry of its bucket. */
export interface Chained<T> {
  readonly hash: number;
  next: T | null;
}

/**
 * Bucket heads by hash, chains running through the entries' `next` (so an entry costs its two fields and about
 * 12 bytes of bucket, against ~40 for a Map entry). Load factor 1 at most; shrinks below 1/8.
 */
export class ChainTable<T extends Chained<T>> {
  private buckets: (T | null)[] = new Array<T | null>(MIN_BUCKETS).fill(null);
  private mask = MIN_BUCKETS - 1;
  /** Entries in the table. */
  size = 0;

  /** The first entry of the bucket `hash` falls in (walk `next`, compare `hash` and contents). */
  head(hash: number): T | null {
    return this.buckets[hash & this.mask];
  }

  add(s: T): void {
    const i = s.hash & this.mask;
    s.next = this.buckets[i];
    this.buckets[i] = s;
    if (++this.size > this.buckets.length) this.resize(this.buckets.length * 2);
  }

  /** Unlinks `s`; false when it is not in the table. */
  remove(s: T): boolean {
    const i = s.hash & this.mask;
    let p = this.buckets[i];
    if (p === s) {
      this.buckets[i] = s.next;
    } else {
      while (p !== null && p.next !== s) p = p.next;
      if (p === null) return false;
      p.next = s.next;
    }
    s.next = null;
    this.size--;
    if (this.buckets.length > MIN_BUCKETS && this.size < this.buckets.length >> 3) this.resize(this.buckets.length >> 1);
    return true;
  }

  *values(): IterableIterator<T> {
    for (const h of this.buckets) for (let s = h; s !== null; s = s.next) yield s;
  }

  private resize(n: number): void {
    const old = this.buckets;
    this.buckets = new Array<T | null>(n).fill(null);
    this.mask = n - 1;
    for (let h of old) {
      while (h !== null) {
        const nx = h.next;
        const i = h.hash & this.mask;
        h.next = this.buckets[i];
        this.buckets[i] = h;
        h = nx;
      }
    }
  }
}
