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

  // One-entry memo of the last re-intern: (base, edited values) → result. Consecutive routes of a feed share the
  // base set and get the same edits (Calico's prelude sets one LOCAL_PREF, apply_communities the same list), so
  // this skips fieldsOf + key building for nearly every accepted route. The result is reused only while it is
  // still interned (refs > 0): a freed set is never resurrected, so refs > 0 means it is the canonical object.
  private memoBase: AttrSet | null = null;
  private memoOut: AttrSet | null = null;
  private memoLocalPref = -1;
  private memoMed = -1;
  private memoNextHop = '';
  private memoCommunities: readonly number[] | null = null;
  private memoLarge: readonly (readonly [number, number, number])[] | null = null;
  private memoAsPath: AsPathSegment[] = [];

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
    const m = this.memoOut;
    if (
      m !== null && m.refs > 0 && this.memoBase === this.base && this.memoLocalPref === this.localPref &&
      this.memoMed === this.med && this.memoNextHop === this.nextHop && this.memoAsPath === this.asPath &&
      sameNumbers(this.memoCommunities, this.communities) && sameTriples(this.memoLarge, this.largeCommunities)
    ) {
      return interner.ref(m);
    }
    const out = this.intern(interner);
    this.memoBase = this.base;
    this.memoOut = out;
    this.memoLocalPref = this.localPref;
    this.memoMed = this.med;
    this.memoNextHop = this.nextHop;
    this.memoCommunities = this.communities;
    this.memoLarge = this.largeCommunities;
    this.memoAsPath = this.asPath;
    return out;
  }

  private intern(interner: AttrInterner): AttrSet {
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

function sameNumbers(a: readonly number[] | null, b: readonly number[] | null): boolean {
  if (a === b) return true;
  if (a === null || b === null || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameTriples(
  a: readonly (readonly [number, number, number])[] | null, b: readonly (readonly [number, number, number])[] | null,
): boolean {
  if (a === b) return true;
  if (a === null || b === null || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    if (x[0] !== y[0] || x[1] !== y[1] || x[2] !== y[2]) return false;
  }
  return true;
}
