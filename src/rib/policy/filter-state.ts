/**
 * DOC: FilterState, the mutable scratch view of one route under evaluation (OpenBGPD's filterstate, architecture §5.5).
 *
 * `reset` copies the handful of attributes policies read or write from the frozen input AttrSet into plain fields
 * (no allocation); actions overwrite those fields and set `dirty`. Only `finish` on an accepted route re-interns,
 * and only when dirty: an untouched route gets the identical AttrSet object back with one more reference. A
 * rejected route costs no allocation at all, which matters because most of a full table is rejected by Calico's
 * export filter. Route-level values that are not BGP attributes (krt_metric, krt_tunnel, preference) live here too.
 * Invariant: list-valued fields (communities, AS path) are never mutated in place: they may be an interned leaf's
 * value, so an edit replaces the array.
 */
import type { AsPathSegment } from '../../bgp/codec/types';
import type { AttrSet } from '../attrs/attr-set';
import type { AttrInterner } from '../attrs/intern';
import { SourceKind } from '../types';
import type { EvalContext } from './types';

/** BIRD's protocol preferences, the default starting `preference` per source kind. */
function defaultPreference(kind: SourceKind): number {
  switch (kind) {
    case SourceKind.Static: return 200;
    case SourceKind.Kernel: return 10;
    case SourceKind.Direct: return 240;
    default: return 100;
  }
}

export class FilterState {
  ctx!: EvalContext;
  base!: AttrSet;
  /** Source is RTS_BGP (eBGP or iBGP peer). */
  isBgp = false;
  ifname: string | undefined = undefined;
  localPref = -1;
  med = -1;
  nextHop = '';
  communities: readonly number[] | null = null;
  largeCommunities: readonly (readonly [number, number, number])[] | null = null;
  asPath: AsPathSegment[] = [];
  krtMetric: number | undefined = undefined;
  krtTunnel: string | undefined = undefined;
  preference = 100;
  error: string | undefined = undefined;
  /** Some BGP attribute was changed: `finish` must re-intern. */
  dirty = false;

  /** Starts evaluating `ctx`. */
  reset(ctx: EvalContext): void {
    const a = ctx.attrs;
    this.ctx = ctx;
    this.base = a;
    this.isBgp = ctx.source === SourceKind.Ebgp || ctx.source === SourceKind.Ibgp;
    this.ifname = ctx.ifname === '' ? undefined : ctx.ifname;
    this.localPref = a.localPref;
    this.med = a.med;
    this.nextHop = a.nextHop;
    this.communities = a.communities === null ? null : a.communities.value;
    this.largeCommunities = a.largeCommunities === null ? null : a.largeCommunities.value;
    this.asPath = a.asPath.value;
    this.krtMetric = ctx.krtMetric;
    this.krtTunnel = ctx.krtTunnel;
    this.preference = ctx.preference ?? defaultPreference(ctx.source);
    this.error = undefined;
    this.dirty = false;
  }

  /**
   * The attribute set to keep, with one new reference: the input object when nothing changed, else the interned
   * result of the edits (which is still the input object when the edits restored equal values).
   */
  finish(interner: AttrInterner): AttrSet {
    if (!this.dirty) return interner.ref(this.base);
    const f = interner.fieldsOf(this.base);
    f.localPref = this.localPref;
    f.med = this.med;
    f.nextHop = this.nextHop;
    f.communities = this.communities === null ? null : (this.communities as number[]);
    f.largeCommunities = this.largeCommunities === null ? null : (this.largeCommunities as [number, number, number][]);
    f.asPath = this.asPath;
    return interner.internSet(f);
  }

  /** Drops references to the caller's objects once the evaluation is over (the state object is reused). */
  clear(): void {
    this.ctx = undefined as unknown as EvalContext;
    this.base = undefined as unknown as AttrSet;
    this.communities = null;
    this.largeCommunities = null;
    this.asPath = [];
  }
}
