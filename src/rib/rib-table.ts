/**
 * DOC: `RibTable`: the read-only Map view of a Loc-RIB by prefix key (`rib.table`), for the consumers that walk or
 * look up the table by key (FIB, graceful restart, enhanced route refresh, the API).
 *
 * The Loc-RIB stores candidate lists in an array by slot (loc-rib.ts); this view translates. `get`/`has` cost one
 * slot lookup; iteration runs over the slots in order (order of first sight of each prefix), skips prefixes without
 * paths and is live like a Map iterator: it reads each slot when it reaches it, so it sees prefixes added or changed
 * ahead of it and never yields one removed before it got there.
 */
import type { PrefixKey } from '../util/prefix';
import type { Route } from './types';

/** What the view needs from its Loc-RIB. */
export interface SlotTable {
  readonly slotCount: number;
  readonly size: number;
  findSlot(key: PrefixKey): number;
  keyOf(slot: number): PrefixKey;
  headAt(slot: number): Route | null;
}

export class RibTable implements ReadonlyMap<PrefixKey, Route> {
  constructor(private readonly rib: SlotTable) {}

  /** Prefixes with at least one path. */
  get size(): number {
    return this.rib.size;
  }

  /** The head of the prefix's candidate list (best first), if it has any path. */
  get(key: PrefixKey): Route | undefined {
    const s = this.rib.findSlot(key);
    return s < 0 ? undefined : (this.rib.headAt(s) ?? undefined);
  }

  has(key: PrefixKey): boolean {
    return this.get(key) !== undefined;
  }

  forEach(fn: (value: Route, key: PrefixKey, map: ReadonlyMap<PrefixKey, Route>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }

  *keys(): MapIterator<PrefixKey> {
    const rib = this.rib;
    for (let s = 0; s < rib.slotCount; s++) if (rib.headAt(s) !== null) yield rib.keyOf(s);
  }

  *values(): MapIterator<Route> {
    const rib = this.rib;
    for (let s = 0; s < rib.slotCount; s++) {
      const h = rib.headAt(s);
      if (h !== null) yield h;
    }
  }

  *entries(): MapIterator<[PrefixKey, Route]> {
    const rib = this.rib;
    for (let s = 0; s < rib.slotCount; s++) {
      const h = rib.headAt(s);
      if (h !== null) yield [rib.keyOf(s), h];
    }
  }

  [Symbol.iterator](): MapIterator<[PrefixKey, Route]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return 'RibTable';
  }
}
