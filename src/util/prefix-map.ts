/**
 * DOC: `PrefixMap` and `PrefixSet`: a Map / Set keyed by PrefixKey that stores IPv4 keys as small integers.
 *
 * Why: an IPv4 PrefixKey is `addr * 64 + len` (prefix.ts), which exceeds V8's small-integer range, so every key a
 * plain Map or Set holds is a boxed HeapNumber (16 octets plus GC tracing each) and hashing it is about twice as
 * slow as hashing a small integer (measured: 1M inserts 260-320 ms vs 130-200 ms, lookups 200 ms vs 75 ms). Here
 * an IPv4 prefix of length 1..30 is stored under its "heap index" `2^len | (addr >>> (32 - len))` (the position of
 * the prefix in a binary trie, unique across lengths and below 2^31, so always a small integer); /0, /31, /32 and
 * IPv6 keys (strings) go to a second, ordinary Map. Conversions both ways are a few integer operations.
 *
 * Semantics are Map's / Set's except iteration order: IPv4 /1–/30 entries first (in insertion order), then the
 * others (in insertion order). Iterators are live like Map's (entries added to the part being iterated are seen).
 *
 * `PrefixSlots` (the Loc-RIB's dense per-prefix index, see rib/loc-rib.ts) uses the same heap index in its own
 * Int32Array hash table rather than a Map: it only maps keys to slots, so it needs neither values nor deletion.
 */
import type { PrefixKey } from './prefix';

/** The small-integer slot of an IPv4 key of length 1..30, or -1 when the key goes to the ordinary Map. */
export function ipv4Slot(key: PrefixKey): number {
  if (typeof key !== 'number') return -1;
  const len = key % 64;
  if (len === 0 || len > 30) return -1;
  const addr = (key - len) / 64;
  return (1 << len) | (addr >>> (32 - len));
}

/** The IPv4 key of a slot made by `ipv4Slot`. */
export function slotKey(slot: number): number {
  const len = 31 - Math.clz32(slot);
  return (((slot ^ (1 << len)) << (32 - len)) >>> 0) * 64 + len;
}

/** A Map<PrefixKey, V> that keeps IPv4 keys unboxed (see the module comment). */
export class PrefixMap<V> implements Map<PrefixKey, V> {
  private readonly small = new Map<number, V>();
  private readonly other = new Map<PrefixKey, V>();

  get size(): number {
    return this.small.size + this.other.size;
  }

  get(key: PrefixKey): V | undefined {
    const s = ipv4Slot(key);
    return s >= 0 ? this.small.get(s) : this.other.get(key);
  }

  has(key: PrefixKey): boolean {
    const s = ipv4Slot(key);
    return s >= 0 ? this.small.has(s) : this.other.has(key);
  }

  set(key: PrefixKey, value: V): this {
    const s = ipv4Slot(key);
    if (s >= 0) this.small.set(s, value);
    else this.other.set(key, value);
    return this;
  }

  delete(key: PrefixKey): boolean {
    const s = ipv4Slot(key);
    return s >= 0 ? this.small.delete(s) : this.other.delete(key);
  }

  clear(): void {
    this.small.clear();
    this.other.clear();
  }

  forEach(fn: (value: V, key: PrefixKey, map: Map<PrefixKey, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }

  *keys(): MapIterator<PrefixKey> {
    for (const s of this.small.keys()) yield slotKey(s);
    yield* this.other.keys();
  }

  *values(): MapIterator<V> {
    yield* this.small.values();
    yield* this.other.values();
  }

  *entries(): MapIterator<[PrefixKey, V]> {
    for (const [s, v] of this.small) yield [slotKey(s), v];
    yield* this.other.entries();
  }

  [Symbol.iterator](): MapIterator<[PrefixKey, V]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return 'PrefixMap';
  }
}

/** A Set<PrefixKey> that keeps IPv4 keys unboxed (see the module comment). */
export class PrefixSet implements Set<PrefixKey> {
  private readonly small = new Set<number>();
  private readonly other = new Set<PrefixKey>();

  get size(): number {
    return this.small.size + this.other.size;
  }

  has(key: PrefixKey): boolean {
    const s = ipv4Slot(key);
    return s >= 0 ? this.small.has(s) : this.other.has(key);
  }

  add(key: PrefixKey): this {
    const s = ipv4Slot(key);
    if (s >= 0) this.small.add(s);
    else this.other.add(key);
    return this;
  }

  delete(key: PrefixKey): boolean {
    const s = ipv4Slot(key);
    return s >= 0 ? this.small.delete(s) : this.other.delete(key);
  }

  clear(): void {
    this.small.clear();
    this.other.clear();
  }

  /**
   * Moves up to `max` keys (in iteration order) to the end of `out` and removes them from the set; returns how
   * many. Taking every key costs one `clear` instead of a delete per key.
   */
  take(max: number, out: PrefixKey[]): number {
    const all = max >= this.size;
    let n = 0;
    for (const s of this.small) {
      if (n >= max) break;
      out.push(slotKey(s));
      if (!all) this.small.delete(s);
      n++;
    }
    for (const k of this.other) {
      if (n >= max) break;
      out.push(k);
      if (!all) this.other.delete(k);
      n++;
    }
    if (all) this.clear();
    return n;
  }

  forEach(fn: (value: PrefixKey, key: PrefixKey, set: Set<PrefixKey>) => void, thisArg?: unknown): void {
    for (const k of this.keys()) fn.call(thisArg, k, k, this);
  }

  *keys(): SetIterator<PrefixKey> {
    for (const s of this.small) yield slotKey(s);
    yield* this.other;
  }

  values(): SetIterator<PrefixKey> {
    return this.keys();
  }

  *entries(): SetIterator<[PrefixKey, PrefixKey]> {
    for (const k of this.keys()) yield [k, k];
  }

  [Symbol.iterator](): SetIterator<PrefixKey> {
    return this.keys();
  }

  get [Symbol.toStringTag](): string {
    return 'PrefixSet';
  }
}

/**
 * A dense index of prefixes: each key gets a small integer slot on first sight (0, 1, 2, …, in order of first
 * sight), kept for the life of the index (slots are never reused; see rib/loc-rib.ts for why that is safe and what
 * it costs). Per-prefix state elsewhere then lives in plain arrays indexed by slot.
 *
 * IPv4 /1–/30 keys (their heap index, as in `ipv4Slot`) are found through an open-addressing hash table in an
 * Int32Array (Fibonacci hashing, linear probing, load ≤ 1/2): no Map entry, no boxed number, about 12 octets per
 * prefix in all, and a lookup is a multiply and one or two array reads. Other keys go through an ordinary Map.
 */
export class PrefixSlots {
  /** Hash buckets: slot + 1, or 0 when empty. */
  private buckets = new Int32Array(1024);
  /** Slot → heap index of its IPv4 key, or -1 when the key is held in `others`. */
  private heap = new Int32Array(1024);
  private count = 0;
  private readonly others = new Map<PrefixKey, number>();
  private readonly otherKeys = new Map<number, PrefixKey>();

  /** How many slots exist (every slot is below this). */
  get size(): number {
    return this.count;
  }

  /** The slot of `key`, or -1 when it has none. */
  get(key: PrefixKey): number {
    const h = ipv4Slot(key);
    if (h < 0) return this.others.get(key) ?? -1;
    const b = this.buckets;
    const mask = b.length - 1;
    for (let i = bucketOf(h, mask); ; i = (i + 1) & mask) {
      const s = b[i];
      if (s === 0) return -1;
      if (this.heap[s - 1] === h) return s - 1;
    }
  }

  /** The slot of `key`, giving it the next free one when it has none. */
  intern(key: PrefixKey): number {
    const h = ipv4Slot(key);
    if (h < 0) {
      let s = this.others.get(key);
      if (s === undefined) {
        s = this.allocate(-1);
        this.others.set(key, s);
        this.otherKeys.set(s, key);
      }
      return s;
    }
    const b = this.buckets;
    const mask = b.length - 1;
    let i = bucketOf(h, mask);
    for (; ; i = (i + 1) & mask) {
      const s = b[i];
      if (s === 0) break;
      if (this.heap[s - 1] === h) return s - 1;
    }
    const slot = this.allocate(h);
    b[i] = slot + 1;
    if (this.count * 2 > b.length) this.rehash();
    return slot;
  }

  /** The key of a slot made by `intern`. */
  keyOf(slot: number): PrefixKey {
    const h = this.heap[slot];
    return h >= 0 ? slotKey(h) : (this.otherKeys.get(slot) as PrefixKey);
  }

  private allocate(h: number): number {
    if (this.count === this.heap.length) {
      const grown = new Int32Array(this.heap.length * 2);
      grown.set(this.heap);
      this.heap = grown;
    }
    this.heap[this.count] = h;
    return this.count++;
  }

  private rehash(): void {
    const b = new Int32Array(this.buckets.length * 2);
    const mask = b.length - 1;
    for (let s = 0; s < this.count; s++) {
      const h = this.heap[s];
      if (h < 0) continue;
      let i = bucketOf(h, mask);
      while (b[i] !== 0) i = (i + 1) & mask;
      b[i] = s + 1;
    }
    this.buckets = b;
  }
}

/** The first bucket of heap index `h` (Fibonacci hashing: the top bits of h × 2^32/φ). */
function bucketOf(h: number, mask: number): number {
  return Math.imul(h, 0x9e3779b1) >>> Math.clz32(mask);
}
