/**
 * DOC: `StoredRoute`, the Loc-RIB's compact implementation of the `Route` record (types.ts), one per path held.
 *
 * Why a class and not a plain object: at a million paths the route record is most of the daemon's heap
 * (performance.md, S1), so it keeps only what cannot be derived, in five in-object fields: 64 octets on 64-bit V8
 * without pointer compression (a 24-octet header and five 8-octet fields), where the plain record took 112:
 *  - no prefix key: an IPv4 key (`address * 64 + length`) is above the small-integer range, so V8 boxed it in a
 *    separate 16-octet HeapNumber besides its field. The route keeps its prefix's Loc-RIB slot instead, a small
 *    integer stored inline, and `prefix` is a getter that reads the key back from the table's `PrefixSlots`. Each
 *    Loc-RIB makes its own subclass (`storedRouteClass`) whose getter closes over that table, so a route needs no
 *    pointer to its table (the price: one V8 map per Loc-RIB, i.e. two-way polymorphic sites with IPv4 and IPv6);
 *  - `flags` (two bits, RouteFlag) packed with the slot: `meta = slot * 4 + flags`, a small integer while the slot
 *    is below 2^29; `flags` is a getter/setter pair so `r.flags |= RouteFlag.Stale` works as before;
 *  - the fields that are nearly always at their default move to a side record, `extra`, which is null when the
 *    path id is 0 (no ADD-PATH), the preference is the source's and import policy changed nothing
 *    (`rawAttrs === attrs`), as for every path in S1. Otherwise `extra` holds all three (48 more octets);
 *  - no IGP cost: next-hop resolution does not compute one, so it is always 0 (a prototype getter). When it starts
 *    to, give it a place here.
 * Invariants: every instance is made by the one constructor below, so all instances of one Loc-RIB share one V8
 * map with fields inline; `extra === null` exactly when all three defaults hold (`update` keeps it so).
 */
import { BugError } from '../util/errors';
import type { PrefixKey } from '../util/prefix';
import type { AttrSet } from './attrs/attr-set';
import type { Route, RouteSource } from './types';

/** The rarely non-default fields of a stored route. */
class RouteExtra {
  constructor(
    public pathId: number,
    public preference: number,
    public rawAttrs: AttrSet,
  ) {}
}

/** A Loc-RIB path; see the module comment. `prefix` comes from the per-table subclass. */
export abstract class StoredRoute implements Route {
  readonly source: RouteSource;
  /** After import policy; null when import policy rejected the route. */
  attrs: AttrSet | null;
  next: Route | null;
  /** The prefix's slot times 4, plus the RouteFlag bits. */
  private meta: number;
  private extra: RouteExtra | null;

  constructor(slot: number, source: RouteSource, pathId: number, rawAttrs: AttrSet, attrs: AttrSet | null, preference: number, flags: number) {
    checkFlags(flags);
    this.source = source;
    this.attrs = attrs;
    this.next = null;
    this.meta = slot * 4 + flags;
    this.extra = pathId === 0 && preference === source.preference && rawAttrs === attrs ? null : new RouteExtra(pathId, preference, rawAttrs);
  }

  abstract get prefix(): PrefixKey;

  /** The prefix's slot in its Loc-RIB. */
  get slot(): number {
    return (this.meta - (this.meta % 4)) / 4;
  }

  get pathId(): number {
    return this.extra === null ? 0 : this.extra.pathId;
  }

  get rawAttrs(): AttrSet {
    return this.extra === null ? (this.attrs as AttrSet) : this.extra.rawAttrs;
  }

  get preference(): number {
    return this.extra === null ? this.source.preference : this.extra.preference;
  }

  get flags(): number {
    return this.meta % 4;
  }

  set flags(v: number) {
    checkFlags(v);
    this.meta = this.meta - (this.meta % 4) + v;
  }

  /** Always 0: see the module comment. */
  get igpCost(): number {
    return 0;
  }

  /** Replaces the attributes, preference and flags (the path id stays). */
  update(rawAttrs: AttrSet, attrs: AttrSet | null, preference: number, flags: number): void {
    this.flags = flags;
    this.attrs = attrs;
    const pathId = this.pathId;
    if (pathId === 0 && preference === this.source.preference && rawAttrs === attrs) {
      this.extra = null;
    } else if (this.extra === null) {
      this.extra = new RouteExtra(pathId, preference, rawAttrs);
    } else {
      this.extra.preference = preference;
      this.extra.rawAttrs = rawAttrs;
    }
  }
}

function checkFlags(v: number): void {
  if (v >>> 0 !== v || v > 3) throw new BugError(`route flags ${v} do not fit in two bits`);
}

/** Constructor of the routes of one Loc-RIB. */
export type StoredRouteClass = new (
  slot: number, source: RouteSource, pathId: number, rawAttrs: AttrSet, attrs: AttrSet | null, preference: number, flags: number,
) => StoredRoute;

/** The route class of one Loc-RIB, whose `prefix` getter reads slot keys from `keys`. */
export function storedRouteClass(keys: { keyOf(slot: number): PrefixKey }): StoredRouteClass {
  return class TableRoute extends StoredRoute {
    get prefix(): PrefixKey {
      return keys.keyOf(this.slot);
    }
  };
}
