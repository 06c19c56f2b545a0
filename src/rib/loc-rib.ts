/**
 * DOC: the Loc-RIB of one family: every candidate path per prefix, best first, and the change journal.
 *
 * `table` maps a prefix key to the head of its candidate list (routes linked through `Route.next`, best first, as
 * `selectBest` orders them). The Adj-RIB-In is folded in (BIRD's design): a route rejected by import policy stays in
 * the list with `attrs === null`, so soft reconfiguration re-evaluates it from here without a route refresh. Each
 * change of a prefix's best path or multipath set appends the prefix to `journal`, which exporters and the FIB pull
 * from. The table owns one reference on each route's `rawAttrs` and `attrs` and releases them on removal.
 * Invariant: a source's `pathCounts` (when it has one) changes exactly where a path of it is added, removed or
 * switches between accepted and filtered, so it always equals what a scan of the tables would count.
 */
import type { PrefixKey } from '../util/prefix';
import { Journal } from '../util/journal';
import { PrefixMap } from '../util/prefix-map';
import type { Family } from '../bgp/family';
import type { AttrSet } from './attrs/attr-set';
import type { AttrInterner } from './attrs/intern';
import { selectBest, type BestPathOptions } from './select';
import { RouteFlag, type Route, type RouteSource } from './types';

export interface LocRibStats {
  prefixes: number;
  paths: number;
  journalRetained: number;
}

export class LocRib {
  /** Prefix → head of its candidate list. IPv4 keys are held unboxed (util/prefix-map.ts). */
  readonly table = new PrefixMap<Route>();
  readonly journal = new Journal<PrefixKey>();
  private paths = 0;

  constructor(
    readonly family: Family,
    private readonly interner: AttrInterner,
    readonly options: BestPathOptions,
  ) {}

  /**
   * Adds or replaces the path (source, pathId) of `prefix`. Takes over one reference on `rawAttrs` and on `attrs`
   * (the caller interned them). Returns true when the prefix's best path or multipath set may have changed.
   */
  upsert(prefix: PrefixKey, source: RouteSource, pathId: number, rawAttrs: AttrSet, attrs: AttrSet | null, preference: number, flags = 0): boolean {
    const head = this.table.get(prefix);
    if (head === undefined) {
      this.table.set(prefix, newRoute(prefix, source, pathId, rawAttrs, attrs, preference, flags));
      this.paths++;
      countAdded(source, attrs);
      if (attrs !== null && !(flags & RouteFlag.Unresolved)) {
        this.journal.append(prefix);
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
      r.rawAttrs = rawAttrs;
      r.attrs = attrs;
      r.preference = preference;
      r.flags = flags;
      if (head.next === null) {
        this.journal.append(prefix);
        return true;
      }
    } else {
      const added = newRoute(prefix, source, pathId, rawAttrs, attrs, preference, flags);
      added.next = head;
      this.paths++;
      countAdded(source, attrs);
      return this.reselect(prefix, added, head);
    }
    return this.reselect(prefix, head, head);
  }

  /** Removes the path (source, pathId) of `prefix`. Returns true when the best path may have changed. */
  withdraw(prefix: PrefixKey, source: RouteSource, pathId: number): boolean {
    const head = this.table.get(prefix);
    if (head === undefined) return false;
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
        this.table.delete(prefix);
        if (r.attrs !== null && !(r.flags & RouteFlag.Unresolved)) {
          this.journal.append(prefix);
          return true;
        }
        return false;
      }
      return this.reselect(prefix, r.next, head);
    }
    prev.next = r.next;
    // A non-best path left; the multipath set may have shrunk.
    return this.reselect(prefix, head, head);
  }

  private reselect(prefix: PrefixKey, list: Route, oldHead: Route): boolean {
    const oldBest = eligible(oldHead) ? oldHead : null;
    const oldBestAttrs = oldBest ? oldBest.attrs : null;
    const sel = selectBest(list, this.options);
    const head = sel.head as Route;
    this.table.set(prefix, head);
    const changed = sel.best !== oldBest || (sel.best !== null && sel.best.attrs !== oldBestAttrs) || sel.multipathCount > 1 || list !== oldHead;
    if (changed) this.journal.append(prefix);
    return changed;
  }

  /** The best eligible route of a prefix, if any. */
  best(prefix: PrefixKey): Route | undefined {
    const head = this.table.get(prefix);
    return head !== undefined && eligible(head) ? head : undefined;
  }

  /** The candidate list of a prefix, best first (possibly including filtered and unresolved paths). */
  candidates(prefix: PrefixKey): Route | undefined {
    return this.table.get(prefix);
  }

  /** Re-runs selection for a prefix after something outside the table changed (next hop cost, policy). */
  reevaluate(prefix: PrefixKey): boolean {
    const head = this.table.get(prefix);
    return head ? this.reselect(prefix, head, head) : false;
  }

  /**
   * Removes up to `budget` paths of `source`, continuing where the previous call stopped. Returns true when the
   * source has no paths left. Meant to be sliced by the caller so keepalives keep flowing (architecture §11).
   */
  flushSource(source: RouteSource, budget: number, state: { it?: Iterator<[PrefixKey, Route]> }): boolean {
    state.it ??= this.table.entries();
    let visited = 0;
    for (;;) {
      if (visited >= budget) return false;
      const next = state.it.next();
      if (next.done) return true;
      visited++;
      const [prefix, head] = next.value;
      for (let r: Route | null = head; r !== null; ) {
        const following: Route | null = r.next;
        if (r.source === source) this.withdraw(prefix, source, r.pathId);
        r = following;
      }
    }
  }

  stats(): LocRibStats {
    return { prefixes: this.table.size, paths: this.paths, journalRetained: this.journal.retained };
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

function newRoute(prefix: PrefixKey, source: RouteSource, pathId: number, rawAttrs: AttrSet, attrs: AttrSet | null, preference: number, flags: number): Route {
  return { prefix, source, pathId, attrs, rawAttrs, preference, igpCost: 0, flags, next: null };
}
