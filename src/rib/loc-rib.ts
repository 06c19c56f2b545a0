/**
 * DOC: the Loc-RIB of one family: every candidate path per prefix, best first, and the change journal.
 *
 * Dense per-prefix index (why: the hash-map work per prefix dominated the propagation path's profile). Each prefix
 * gets a small integer slot on first sight (`slots`, util/prefix-map.ts `PrefixSlots`): one hash lookup per
 * UPDATE NLRI, and from there everything is an array read. `heads[slot]` (a chunked `SlotArray`) is the head of
 * the prefix's candidate list
 * (routes linked through `Route.next`, best first, as `selectBest` orders them) or null; the journal carries slots;
 * exporters keep their Adj-RIB-Out and dirty set as arrays and bitmaps indexed by slot (exporter.ts).
 * Slots are never reused: a prefix keeps its slot after its last path is withdrawn (and gets it back when announced
 * again), so any slot a consumer holds (journal item, Adj-RIB-Out entry, queued change, replay position) names the
 * same prefix forever, with no coordination between consumers. The cost is about 20 octets per distinct prefix ever
 * seen (hash bucket, slot→key entry, head entry, one Adj-RIB-Out entry per exporter), bounded by the number of
 * distinct prefixes, not by churn.
 *
 * Routes are `StoredRoute`s (stored-route.ts: 64 octets, the prefix read back through the slot), made only here.
 *
 * The Adj-RIB-In is folded in (BIRD's design): a route rejected by import policy stays in the list with
 * `attrs === null`, so soft reconfiguration re-evaluates it from here without a route refresh. Each change of a
 * prefix's best path or multipath set appends the prefix's slot to `journal`, which exporters and the FIB pull
 * from. The table owns one reference on each route's `rawAttrs` and `attrs` and releases them on removal.
 * `table` is a read-only Map view by prefix key (iteration in slot order, live like a Map iterator).
 * Invariant: a source's `pathCounts` (when it has one) changes exactly where a path of it is added, removed or
 * switches between accepted and filtered, so it always equals what a scan of the tables would count.
 */
import type { PrefixKey } from '../util/prefix';
import { Journal, type SlotKeys } from '../util/journal';
import { PrefixSlots } from '../util/prefix-map';
import type { Family } from '../bgp/family';
import type { AttrSet } from './attrs/attr-set';
import type { AttrInterner } from './attrs/intern';
import { RibTable } from './rib-table';
import { selectBest, type BestPathOptions } from './select';
import { SlotArray } from './slot-array';
import { storedRouteClass, type StoredRoute, type StoredRouteClass } from './stored-route';
import { RouteFlag, type Route, type RouteSource } from './types';

export interface LocRibStats {
  prefixes: number;
  paths: number;
  journalRetained: number;
}

export class LocRib implements SlotKeys {
  /** Prefix → head of its candidate list, read-only (see the module comment). */
  readonly table: RibTable = new RibTable(this);
  readonly journal = new Journal(this);
  private readonly slots = new PrefixSlots();
  /** Slot → head of the prefix's candidate list, null when it has none. */
  private readonly heads = new SlotArray<Route>();
  private prefixes = 0;
  private paths = 0;
  /** This table's route record (stored-route.ts): its `prefix` getter reads keys from `slots`. */
  private readonly Route: StoredRouteClass = storedRouteClass(this.slots);

  constructor(
    readonly family: Family,
    private readonly interner: AttrInterner,
    readonly options: BestPathOptions,
  ) {}

  /** How many slots exist: every slot is below this. */
  get slotCount(): number {
    return this.heads.length;
  }

  /** Prefixes with at least one path. */
  get size(): number {
    return this.prefixes;
  }

  /** The slot of `key`, giving it one when it has none. */
  slotOf(key: PrefixKey): number {
    const s = this.slots.intern(key);
    if (s === this.heads.length) this.heads.set(s, null);
    return s;
  }

  /** The slot of `key`, or -1 when the prefix was never seen. */
  findSlot(key: PrefixKey): number {
    return this.slots.get(key);
  }

  /** The prefix key of a slot. */
  keyOf(slot: number): PrefixKey {
    return this.slots.keyOf(slot);
  }

  /** The candidate list of the prefix at `slot` (null when it has none). */
  headAt(slot: number): Route | null {
    return this.heads.get(slot);
  }

  /** The best eligible route of the prefix at `slot`, if any. */
  bestAt(slot: number): Route | undefined {
    const head = this.heads.get(slot);
    return head !== null && eligible(head) ? head : undefined;
  }

  /**
   * Adds or replaces the path (source, pathId) of `prefix`. Takes over one reference on `rawAttrs` and on `attrs`
   * (the caller interned them). Returns true when the prefix's best path or multipath set may have changed.
   */
  upsert(prefix: PrefixKey, source: RouteSource, pathId: number, rawAttrs: AttrSet, attrs: AttrSet | null, preference: number, flags = 0): boolean {
    const slot = this.slotOf(prefix);
    const head = this.heads.get(slot);
    if (head === null) {
      this.heads.set(slot, new this.Route(slot, source, pathId, rawAttrs, attrs, preference, flags));
      this.prefixes++;
      this.paths++;
      countAdded(source, attrs);
      if (attrs !== null && !(flags & RouteFlag.Unresolved)) {
        this.journal.appendSlot(slot);
        return true;
      }
      return false;
    }
    let r: Route | null = head;
    while (r !== null && !(r.source === source && r.pathId === pathId)) r = r.next;
    if (r !== null) {
      if (r.rawAttrs === rawAttrs && r.attrs === attrs && r.preference === preference && r.flags === flags) {
        // Same path again (e.g. after a route refresh): nothing changed; drop the extra references.
        this.interner.release(rawAttrs);
        if (attrs) this.interner.release(attrs);
        return false;
      }
      this.interner.release(r.rawAttrs);
      if (r.attrs) this.interner.release(r.attrs);
      const c = source.pathCounts;
      if (c !== undefined && (r.attrs === null) !== (attrs === null)) c.filtered += attrs === null ? 1 : -1;
      (r as StoredRoute).update(rawAttrs, attrs, preference, flags);
      if (head.next === null) {
        this.journal.appendSlot(slot);
        return true;
      }
    } else {
      const added = new this.Route(slot, source, pathId, rawAttrs, attrs, preference, flags);
      added.next = head;
      this.paths++;
      countAdded(source, attrs);
      return this.reselect(slot, added, head);
    }
    return this.reselect(slot, head, head);
  }

  /** Removes the path (source, pathId) of `prefix`. Returns true when the best path may have changed. */
  withdraw(prefix: PrefixKey, source: RouteSource, pathId: number): boolean {
    const slot = this.slots.get(prefix);
    return slot < 0 ? false : this.withdrawAt(slot, source, pathId);
  }

  /** `withdraw` for the prefix at `slot`. */
  withdrawAt(slot: number, source: RouteSource, pathId: number): boolean {
    const head = this.heads.get(slot);
    if (head === null) return false;
    let prev: Route | null = null;
    let r: Route | null = head;
    while (r !== null && !(r.source === source && r.pathId === pathId)) {
      prev = r;
      r = r.next;
    }
    if (r === null) return false;
    this.paths--;
    const c = source.pathCounts;
    if (c !== undefined) {
      c.paths--;
      if (r.attrs === null) c.filtered--;
    }
    this.interner.release(r.rawAttrs);
    if (r.attrs) this.interner.release(r.attrs);
    if (prev === null) {
      if (r.next === null) {
        this.heads.set(slot, null);
        this.prefixes--;
        if (r.attrs !== null && !(r.flags & RouteFlag.Unresolved)) {
          this.journal.appendSlot(slot);
          return true;
        }
        return false;
      }
      return this.reselect(slot, r.next, head);
    }
    prev.next = r.next;
    // A non-best path left; the multipath set may have shrunk.
    return this.reselect(slot, head, head);
  }

  private reselect(slot: number, list: Route, oldHead: Route): boolean {
    const oldBest = eligible(oldHead) ? oldHead : null;
    const oldBestAttrs = oldBest ? oldBest.attrs : null;
    const sel = selectBest(list, this.options);
    this.heads.set(slot, sel.head as Route);
    const changed = sel.best !== oldBest || (sel.best !== null && sel.best.attrs !== oldBestAttrs) || sel.multipathCount > 1 || list !== oldHead;
    if (changed) this.journal.appendSlot(slot);
    return changed;
  }

  /** The best eligible route of a prefix, if any. */
  best(prefix: PrefixKey): Route | undefined {
    const slot = this.slots.get(prefix);
    return slot < 0 ? undefined : this.bestAt(slot);
  }

  /** The candidate list of a prefix, best first (possibly including filtered and unresolved paths). */
  candidates(prefix: PrefixKey): Route | undefined {
    const slot = this.slots.get(prefix);
    return slot < 0 ? undefined : (this.heads.get(slot) ?? undefined);
  }

  /** Re-runs selection for a prefix after something outside the table changed (next hop cost, policy). */
  reevaluate(prefix: PrefixKey): boolean {
    const slot = this.slots.get(prefix);
    const head = slot < 0 ? null : this.heads.get(slot);
    return head ? this.reselect(slot, head, head) : false;
  }

  /**
   * Removes up to `budget` paths of `source`, continuing where the previous call stopped (`state` starts as `{}`).
   * Returns true when the source has no paths left. Meant to be sliced by the caller so keepalives keep flowing
   * (architecture §11).
   * Slots are walked from the last to the first, so a feed received in ascending prefix order (the usual case) is
   * withdrawn from the kernel in descending order: the kernel's fib_trie deletes the lowest keys of a large node
   * in time proportional to the empty slots before them, so ascending deletes are quadratic (`node dist/bench/fib.js
   * --routes 1000000`: 15k routes/s ascending, 295k/s descending).
   */
  flushSource(source: RouteSource, budget: number, state: { slot?: number }): boolean {
    let slot = Math.min(state.slot ?? this.heads.length - 1, this.heads.length - 1);
    let visited = 0;
    for (;;) {
      if (visited >= budget) {
        state.slot = slot;
        return false;
      }
      if (slot < 0) return true;
      visited++;
      for (let r: Route | null = this.heads.get(slot); r !== null; ) {
        const following: Route | null = r.next;
        if (r.source === source) this.withdrawAt(slot, source, r.pathId);
        r = following;
      }
      slot--;
    }
  }

  stats(): LocRibStats {
    return { prefixes: this.prefixes, paths: this.paths, journalRetained: this.journal.retained };
  }
}

/** A route can be best only when policy accepted it and its next hop resolves. */
export function eligible(r: Route): boolean {
  return r.attrs !== null && (r.flags & RouteFlag.Unresolved) === 0;
}

function countAdded(source: RouteSource, attrs: AttrSet | null): void {
  const c = source.pathCounts;
  if (c === undefined) return;
  c.paths++;
  if (attrs === null) c.filtered++;
}
