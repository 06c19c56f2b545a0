/**
 * DOC: best-path selection for one prefix: orders its candidate list, picks the best route and the ECMP set.
 *
 * Owns the candidate order of a `Route.next` list (architecture §8 "Destination keeps a totally ordered candidate
 * list"). The pairwise comparison (`best-path.ts`) is not transitive when MED is compared only within a neighbour
 * AS (the classic 3-route MED cycle), so sorting with it could depend on insertion order. We implement
 * deterministic MED instead of OpenBGPD's redo queue:
 *   1. group the candidates by neighbouring AS (ineligible routes form one last group);
 *   2. order each group with the full comparison (MED applies: same neighbour AS, so the order is total);
 *   3. k-way merge the groups, comparing the current group heads with every step except MED.
 * Each stage is a total order over a set, so the result depends only on the set, never on insertion order. With
 * `alwaysCompareMed` the comparison is a plain lexicographic total order and we simply sort.
 *
 * The ECMP set (BIRD `merge paths`): the best route plus every eligible BGP candidate in its multipath class
 * (equal through step 7; MED counts only within one neighbour AS, as BIRD's bgp_rte_mergable), skipping a route
 * whose next hop is already in the set (the kernel route gets distinct next hops), up to `multipathLimit`. Its
 * members are moved right after the best route, so the list always starts with the ECMP set (`multipathCount`
 * routes); the rest keep their merge order.
 *
 * Allocation: a one-candidate list is O(1) and allocates only the small result object; `multipath` is then built
 * lazily on first read (`multipathCount` answers "is there ECMP?" without allocating). Longer lists sort in reused
 * module scratch arrays (insertion sort up to 16 candidates) and allocate `multipath` only when it has more than
 * one route.
 */
import {
  codeMultipath,
  compareCode,
  DEFAULT_BEST_PATH_OPTIONS,
  isBgpSource,
  isEligible,
  MedMode,
  type BestPathOptions,
} from './best-path';
import type { Route } from './types';

export type { BestPathOptions } from './best-path';

/** The outcome of `selectBest`. */
export interface Selection {
  /** The relinked list head (best first; may be ineligible when no candidate is eligible). */
  readonly head: Route | null;
  /** The best route, null when no candidate is eligible (all filtered or unresolved) or the list is empty. */
  readonly best: Route | null;
  /** Size of the ECMP set: 0 without a best route, 1 without ECMP. The first `multipathCount` list entries. */
  readonly multipathCount: number;
  /** The ECMP set, best first: `[best]` without ECMP, `[]` without a best route. Built lazily for one route. */
  readonly multipath: Route[];
}

class SelectionResult implements Selection {
  constructor(
    readonly head: Route | null,
    readonly best: Route | null,
    readonly multipathCount: number,
    private mp: Route[] | null,
  ) {}

  get multipath(): Route[] {
    return (this.mp ??= this.best === null ? [] : [this.best]);
  }
}

const EMPTY: Selection = Object.freeze(new SelectionResult(null, null, 0, Object.freeze([]) as unknown as Route[]));

const enum SortMode {
  /** Group key (eligible first, then neighbour AS ascending), then the full comparison within the group. */
  Grouped = 0,
  /** The full comparison with always-compare-med (a total order on its own). */
  Always = 1,
}

/** Lists longer than this are sorted with Array.prototype.sort on a copy instead of the in-place insertion sort. */
const INSERTION_SORT_MAX = 16;

const buf: (Route | undefined)[] = [];
const out: (Route | undefined)[] = [];
const runEnd: number[] = [];
const runPos: number[] = [];

/** Neighbour-AS group of a candidate; -1 for ineligible ones (they form one group, sorted last). */
function groupKey(r: Route): number {
  return r.attrs !== null && isEligible(r) ? r.attrs.asPath.neighborAs : -1;
}

function sortCompare(a: Route, b: Route, mode: SortMode): number {
  if (mode === SortMode.Always) return compareCode(a, b, MedMode.Always, false);
  const ga = groupKey(a);
  const gb = groupKey(b);
  if (ga !== gb) {
    if (ga < 0 || gb < 0) return ga < 0 ? 1 : -1;
    return ga < gb ? -1 : 1;
  }
  return compareCode(a, b, MedMode.SameNeighborAs, false);
}

function sortScratch(n: number, mode: SortMode): void {
  if (n > INSERTION_SORT_MAX) {
    const sorted = (buf.slice(0, n) as Route[]).sort((a, b) => sortCompare(a, b, mode));
    for (let i = 0; i < n; i++) buf[i] = sorted[i];
    return;
  }
  for (let i = 1; i < n; i++) {
    const r = buf[i] as Route;
    let j = i - 1;
    while (j >= 0 && sortCompare(buf[j] as Route, r, mode) > 0) {
      buf[j + 1] = buf[j];
      j--;
    }
    buf[j + 1] = r;
  }
}

/** Stage 3 of deterministic MED: merges the sorted runs of `buf` into `out`, comparing heads without MED. */
function mergeRuns(n: number, runs: number): void {
  let m = 0;
  while (m < n) {
    let pick = -1;
    let pickRoute: Route | undefined;
    for (let j = 0; j < runs; j++) {
      const p = runPos[j] as number;
      if (p >= (runEnd[j] as number)) continue;
      const r = buf[p] as Route;
      if (pickRoute === undefined || compareCode(r, pickRoute, MedMode.Never, false) < 0) {
        pick = j;
        pickRoute = r;
      }
    }
    out[m++] = pickRoute;
    runPos[pick]!++;
  }
}

function sameNextHop(a: Route, b: Route): boolean {
  const x = a.attrs;
  const y = b.attrs;
  return x !== null && y !== null && x.nextHop === y.nextHop && x.nextHopLinkLocal === y.nextHopLinkLocal;
}

/**
 * Moves the ECMP members of `order[0]` (the best route) right after it, keeping the relative order of the rest.
 * Returns the set size.
 */
function gatherMultipath(order: (Route | undefined)[], n: number, medMode: MedMode, limit: number): number {
  const best = order[0] as Route;
  let count = 1;
  for (let i = 1; i < n && count < limit; i++) {
    const r = order[i] as Route;
    if (!isEligible(r) || !codeMultipath(compareCode(best, r, medMode, true))) continue;
    let dup = false;
    for (let j = 0; j < count; j++) {
      if (sameNextHop(order[j] as Route, r)) {
        dup = true;
        break;
      }
    }
    if (dup) continue;
    for (let k = i; k > count; k--) order[k] = order[k - 1];
    order[count++] = r;
  }
  return count;
}

/**
 * Orders the candidates of one prefix best-first (deterministic MED: the result depends only on the set), relinks
 * `next` accordingly and returns the new head, the best route and the ECMP set. The returned object is fresh and
 * immutable; its `multipath` array is owned by the caller. Throws `BugError` when two candidates are the same path.
 */
export function selectBest(head: Route | null, opts: BestPathOptions): Selection {
  if (head === null) return EMPTY;
  if (head.next === null) {
    const best = isEligible(head) ? head : null;
    return new SelectionResult(head, best, best === null ? 0 : 1, null);
  }
  let n = 0;
  for (let r: Route | null = head; r !== null; r = r.next) buf[n++] = r;

  let order = buf;
  if (opts.alwaysCompareMed) {
    sortScratch(n, SortMode.Always);
  } else {
    sortScratch(n, SortMode.Grouped);
    let runs = 0;
    let key = groupKey(buf[0] as Route);
    runPos[0] = 0;
    for (let i = 1; i < n; i++) {
      const k = groupKey(buf[i] as Route);
      if (k !== key) {
        runEnd[runs++] = i;
        runPos[runs] = i;
        key = k;
      }
    }
    runEnd[runs++] = n;
    if (runs > 1) {
      mergeRuns(n, runs);
      order = out;
    }
  }

  const first = order[0] as Route;
  const best = isEligible(first) ? first : null;
  let count = best === null ? 0 : 1;
  const limit = opts.multipathLimit ?? DEFAULT_BEST_PATH_OPTIONS.multipathLimit;
  if (best !== null && opts.multipath && limit > 1 && isBgpSource(best.source.kind)) {
    count = gatherMultipath(order, n, opts.alwaysCompareMed ? MedMode.Always : MedMode.SameNeighborAs, limit);
  }

  for (let i = 0; i < n - 1; i++) (order[i] as Route).next = order[i + 1] as Route;
  (order[n - 1] as Route).next = null;
  const mp = count > 1 ? (order.slice(0, count) as Route[]) : null;
  // Drop scratch references so removed routes are not kept alive by this module.
  for (let i = 0; i < n; i++) {
    buf[i] = undefined;
    out[i] = undefined;
  }
  return new SelectionResult(first, best, count, mp);
}
