/**
 * DOC: `AdjRibOut`: what one exporter has advertised, as an array of interned attribute sets indexed by prefix slot.
 *
 * The exporter reads and writes it by slot (`at`, `put`: array accesses, no hashing); everything else (update-group
 * replay, `show route ... adj-out`, counters) uses the read-only Map view by prefix key it also implements.
 * Iteration runs over the slots in order and is live like a Map iterator. The exporter owns the references the
 * stored sets carry (exporter.ts); this class only stores them.
 */
import type { PrefixKey } from '../util/prefix';
import type { AttrSet } from './attrs/attr-set';
import { SlotArray } from './slot-array';

/** Slot ↔ key translation (the Loc-RIB). */
export interface SlotIndex {
  findSlot(key: PrefixKey): number;
  keyOf(slot: number): PrefixKey;
}

export class AdjRibOut implements ReadonlyMap<PrefixKey, AttrSet> {
  /** Chunked (slot-array.ts): a growing Adj-RIB-Out leaves no large garbage behind. */
  private readonly sets = new SlotArray<AttrSet>();
  private count = 0;

  constructor(private readonly index: SlotIndex) {}

  /** Advertised prefixes. */
  get size(): number {
    return this.count;
  }

  /** One past the highest slot ever stored: every stored slot is below this. */
  get slotLimit(): number {
    return this.sets.length;
  }

  /** The set advertised for the prefix at `slot`, or null. */
  at(slot: number): AttrSet | null {
    return this.sets.get(slot);
  }

  /** Stores `set` (null: nothing advertised) for the prefix at `slot`. */
  put(slot: number, set: AttrSet | null): void {
    const prev = this.sets.get(slot);
    if ((prev === null) !== (set === null)) this.count += set === null ? -1 : 1;
    this.sets.set(slot, set);
  }

  /** Empties the table, calling `release` on every stored set. */
  clear(release: (set: AttrSet) => void): void {
    for (let i = 0; i < this.sets.length; i++) {
      const s = this.sets.get(i);
      if (s !== null) release(s);
    }
    this.sets.clear();
    this.count = 0;
  }

  /** Makes this table a copy of `other` (after `clear`), calling `ref` on every set it copies. */
  copyFrom(other: AdjRibOut, ref: (set: AttrSet) => AttrSet): void {
    this.sets.copyFrom(other.sets, ref);
    this.count = other.count;
  }

  get(key: PrefixKey): AttrSet | undefined {
    const s = this.index.findSlot(key);
    return s < 0 ? undefined : (this.at(s) ?? undefined);
  }

  has(key: PrefixKey): boolean {
    return this.get(key) !== undefined;
  }

  forEach(fn: (value: AttrSet, key: PrefixKey, map: ReadonlyMap<PrefixKey, AttrSet>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }

  *keys(): MapIterator<PrefixKey> {
    for (let s = 0; s < this.sets.length; s++) if (this.sets.get(s) !== null) yield this.index.keyOf(s);
  }

  *values(): MapIterator<AttrSet> {
    for (let s = 0; s < this.sets.length; s++) {
      const v = this.sets.get(s);
      if (v !== null) yield v;
    }
  }

  *entries(): MapIterator<[PrefixKey, AttrSet]> {
    for (let s = 0; s < this.sets.length; s++) {
      const v = this.sets.get(s);
      if (v !== null) yield [this.index.keyOf(s), v];
    }
  }

  [Symbol.iterator](): MapIterator<[PrefixKey, AttrSet]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return 'AdjRibOut';
  }
}
