/**
 * DOC: the BGP decision process: compares two candidate routes of one prefix (architecture §8).
 *
 * Owns the step order, the `BestPathReason` of each step (GoBGP) and the multipath (ECMP) class (OpenBGPD's
 * comparator magnitude, BIRD's `merge paths`). Pure code: no I/O, no clock, no allocation on the compare path.
 *
 * Steps (the numbers match the `// Step n` comments below and the `BestPathReason` values):
 *   0  eligibility: a route filtered by import policy (`attrs === null`) or with an unresolved next hop
 *      (`RouteFlag.Unresolved`) never wins (RFC 4271 §9.1.2.1); two ineligible routes are ordered by steps 10-11 only.
 *   1  higher `route.preference` (BIRD's protocol preference: a local choice Calico relies on, e.g. 200).
 *   2  higher LOCAL_PREF, absent = 100 (RFC 4271 §9.1.1; BIRD `default bgp_local_pref`).
 *   3  shorter AS_PATH (RFC 4271 §9.1.2.2(a), length precomputed at intern time).
 *   4  lower ORIGIN (RFC 4271 §9.1.2.2(b)).
 *   5  lower MED, only between routes with the same neighbouring AS unless `alwaysCompareMed`; absent = 0
 *      (RFC 4271 §9.1.2.2(c)).
 *   6  peer type, lower rank wins: local sources (static, kernel, direct) 0 < eBGP 1 < iBGP 2 (RFC 4271 §9.1.2.2(d)
 *      for eBGP/iBGP). Local choice: a locally originated route beats a BGP one of equal preference, so it never
 *      lands in a BGP ECMP class. In practice preference (step 1) separates them first, as in BIRD.
 *   7  lower IGP cost to the next hop (RFC 4271 §9.1.2.2(e)).
 *      Routes equal through step 7 form the multipath class (BIRD `bgp_rte_mergable`), when both are BGP routes
 *      (BIRD merges only routes of the same protocol type; static/kernel/direct routes never merge) and the
 *      `multipath` option is on.
 *   8  lower ORIGINATOR_ID if present, else the peer's BGP identifier, unsigned (RFC 4271 §9.1.2.2(f), RFC 4456 §9).
 *   9  shorter CLUSTER_LIST (RFC 4456 §9).
 *  10  lower peer address (RFC 4271 §9.1.2.2(g)): no address (local sources) < IPv4 (numeric) < IPv6 (bytewise).
 *  11  lower ADD-PATH path id, then lower source id: makes the order total. Two routes tying here are one route
 *      entered twice: `BugError` (OpenBGPD's "politician" fatalx).
 *
 * Result encoding (no allocation): `compareCode` returns a number `c`. `c === 0` means equal (only `a === b`);
 * otherwise `sign(c)` is the winner (< 0: a better) and `|c| - 1` packs `reason << 1 | multipath`. Decode with
 * `codeReason` / `codeMultipath`. `compareRoutes` is the friendly form: it fills and returns one reused
 * `Comparison` object, valid until the next call (copy the fields you keep).
 *
 * MED makes the pairwise order non-transitive (the classic 3-route cycle), so a list cannot simply be sorted
 * with `compareRoutes`; `select.ts` implements deterministic MED on top of `compareCode`'s `MedMode`.
 */
import { BugError } from '../util/errors';
import { RouteFlag, SourceKind, type Route } from './types';

/** The decision step that separated two routes. Values are the step numbers; `Equal` means the same route. */
export const enum BestPathReason {
  Eligibility = 0,
  Preference = 1,
  LocalPref = 2,
  AsPathLength = 3,
  Origin = 4,
  Med = 5,
  PeerType = 6,
  IgpCost = 7,
  RouterId = 8,
  ClusterListLength = 9,
  PeerAddress = 10,
  TieBreak = 11,
  Equal = 12,
}

const REASON_NAMES: readonly string[] = [
  'eligibility',
  'preference',
  'local-pref',
  'as-path-length',
  'origin',
  'med',
  'peer-type',
  'igp-cost',
  'router-id',
  'cluster-list-length',
  'peer-address',
  'tie-break',
  'equal',
];

/** A stable lower-case name for a reason (used in `show route` output and logs). */
export function bestPathReasonName(r: BestPathReason): string {
  return REASON_NAMES[r] ?? `unknown(${r as number})`;
}

/** Options of the decision process (per table). */
export interface BestPathOptions {
  /** Compare MED between routes from different neighbouring ASes (BIRD `med metric`). Default false. */
  alwaysCompareMed: boolean;
  /** Build an ECMP set from routes equal through step 7 (BIRD `merge paths`). Default true. */
  multipath: boolean;
  /** Largest ECMP set, counted in distinct next hops (BIRD `merge paths on limit N`). Default 16. */
  multipathLimit?: number;
}

/** The defaults named in the option docs. Frozen; spread it to change a field. */
export const DEFAULT_BEST_PATH_OPTIONS: Readonly<Required<BestPathOptions>> = Object.freeze({
  alwaysCompareMed: false,
  multipath: true,
  multipathLimit: 16,
});

/** The outcome of one comparison. */
export interface Comparison {
  /** < 0: a is better; > 0: b is better; 0: the same route. */
  sign: number;
  /** The step that decided (`Equal` when sign is 0). */
  reason: BestPathReason;
  /** a and b are equal through step 7 and may share an ECMP route (false when the option is off). */
  multipath: boolean;
}

/** How step 5 treats MED. `Never` is what deterministic MED uses to merge the neighbour-AS groups. */
export const enum MedMode {
  /** RFC 4271 §9.1.2.2(c): compare only when both routes come from the same neighbouring AS. */
  SameNeighborAs = 0,
  /** Compare MED regardless of neighbouring AS (`alwaysCompareMed`). */
  Always = 1,
  /** Skip step 5 entirely. */
  Never = 2,
}

/** Default LOCAL_PREF when the attribute is absent (eBGP routes): RFC 4271 §9.1.1, BIRD's default 100. */
const DEFAULT_LOCAL_PREF = 100;

/** Packs a non-equal outcome: sign * ((reason << 1 | mp) + 1). */
function enc(sign: number, reason: BestPathReason, mp: number): number {
  return sign * (((reason << 1) | mp) + 1);
}

/** The step that decided a `compareCode` result. */
export function codeReason(code: number): BestPathReason {
  if (code === 0) return BestPathReason.Equal;
  return ((code < 0 ? -code : code) - 1) >> 1;
}

/** Whether a `compareCode` result puts the two routes in one multipath class. */
export function codeMultipath(code: number): boolean {
  return code === 0 || (((code < 0 ? -code : code) - 1) & 1) === 1;
}

/** Whether a route may be best (step 0). */
export function isEligible(r: Route): boolean {
  return r.attrs !== null && (r.flags & RouteFlag.Unresolved) === 0;
}

/** Whether a source is a BGP session (only BGP routes merge into ECMP sets, as in BIRD). */
export function isBgpSource(kind: SourceKind): boolean {
  return kind === SourceKind.Ebgp || kind === SourceKind.Ibgp;
}

/** Step 6 rank: local sources 0, eBGP 1, iBGP 2. */
function peerTypeRank(kind: SourceKind): number {
  return kind === SourceKind.Ebgp ? 1 : kind === SourceKind.Ibgp ? 2 : 0;
}

/**
 * Compares two candidates of the same prefix; see the module doc for steps and encoding. `multipath` is the
 * `merge paths` option: when false no result carries the multipath bit (except `a === b`).
 * Throws `BugError` when two distinct routes tie through step 11.
 */
export function compareCode(a: Route, b: Route, medMode: MedMode, multipath: boolean): number {
  if (a === b) return 0;
  const x = a.attrs;
  const y = b.attrs;
  // Step 0: eligibility (RFC 4271 §9.1.2.1: unresolvable next hops are excluded; filtered routes are not candidates).
  const aOk = x !== null && (a.flags & RouteFlag.Unresolved) === 0;
  const bOk = y !== null && (b.flags & RouteFlag.Unresolved) === 0;
  if (!aOk || !bOk) {
    if (aOk) return enc(-1, BestPathReason.Eligibility, 0);
    if (bOk) return enc(1, BestPathReason.Eligibility, 0);
    return tieBreak(a, b, 0);
  }
  // Both non-null here (aOk/bOk imply it); the casts avoid re-checking on the hot path.
  const xa = x as NonNullable<typeof x>;
  const ya = y as NonNullable<typeof y>;
  // Step 1: higher preference (local choice, BIRD).
  if (a.preference !== b.preference) return enc(a.preference > b.preference ? -1 : 1, BestPathReason.Preference, 0);
  // Step 2: higher LOCAL_PREF (RFC 4271 §9.1.1), absent = 100.
  const lpa = xa.localPref < 0 ? DEFAULT_LOCAL_PREF : xa.localPref;
  const lpb = ya.localPref < 0 ? DEFAULT_LOCAL_PREF : ya.localPref;
  if (lpa !== lpb) return enc(lpa > lpb ? -1 : 1, BestPathReason.LocalPref, 0);
  // Step 3: shorter AS_PATH (RFC 4271 §9.1.2.2(a)).
  const pa = xa.asPath;
  const pb = ya.asPath;
  if (pa !== pb && pa.length !== pb.length) return enc(pa.length < pb.length ? -1 : 1, BestPathReason.AsPathLength, 0);
  // Step 4: lower ORIGIN (RFC 4271 §9.1.2.2(b)).
  if (xa.origin !== ya.origin) return enc(xa.origin < ya.origin ? -1 : 1, BestPathReason.Origin, 0);
  // Step 5: lower MED, same neighbouring AS only unless always-compare (RFC 4271 §9.1.2.2(c)); absent = 0.
  if (medMode === MedMode.Always || (medMode === MedMode.SameNeighborAs && (pa === pb || pa.neighborAs === pb.neighborAs))) {
    const ma = xa.med < 0 ? 0 : xa.med;
    const mb = ya.med < 0 ? 0 : ya.med;
    if (ma !== mb) return enc(ma < mb ? -1 : 1, BestPathReason.Med, 0);
  }
  // Step 6: local < eBGP < iBGP (RFC 4271 §9.1.2.2(d) for the BGP part).
  const ka = a.source.kind;
  const kb = b.source.kind;
  if (ka !== kb) {
    const ra = peerTypeRank(ka);
    const rb = peerTypeRank(kb);
    if (ra !== rb) return enc(ra < rb ? -1 : 1, BestPathReason.PeerType, 0);
  }
  // Step 7: lower IGP cost to the next hop (RFC 4271 §9.1.2.2(e)).
  if (a.igpCost !== b.igpCost) return enc(a.igpCost < b.igpCost ? -1 : 1, BestPathReason.IgpCost, 0);
  // Equal through step 7: the multipath class (BIRD bgp_rte_mergable), for BGP routes only.
  const mp = multipath && isBgpSource(ka) && isBgpSource(kb) ? 1 : 0;
  // Step 8: lower ORIGINATOR_ID, else BGP identifier (RFC 4271 §9.1.2.2(f), RFC 4456 §9), unsigned 32-bit.
  const ida = xa.originatorId !== '' ? parseIpv4Range(xa.originatorId, 0, xa.originatorId.length) : a.source.routerId >>> 0;
  const idb = ya.originatorId !== '' ? parseIpv4Range(ya.originatorId, 0, ya.originatorId.length) : b.source.routerId >>> 0;
  if (ida !== idb) return enc(ida < idb ? -1 : 1, BestPathReason.RouterId, mp);
  // Step 9: shorter CLUSTER_LIST (RFC 4456 §9).
  const ca = xa.clusterList === null ? 0 : xa.clusterList.value.length;
  const cb = ya.clusterList === null ? 0 : ya.clusterList.value.length;
  if (ca !== cb) return enc(ca < cb ? -1 : 1, BestPathReason.ClusterListLength, mp);
  return tieBreak(a, b, mp);
}

/** Steps 10 and 11, shared by eligible routes and by pairs of ineligible ones. */
function tieBreak(a: Route, b: Route, mp: number): number {
  // Step 10: lower peer address (RFC 4271 §9.1.2.2(g)).
  const sa = a.source;
  const sb = b.source;
  if (sa !== sb && sa.address !== sb.address) {
    const c = compareAddress(sa.address, sb.address);
    if (c !== 0) return enc(c, BestPathReason.PeerAddress, mp);
  }
  // Step 11: lower path id, then lower source id (local rule: a total order).
  if (a.pathId !== b.pathId) return enc(a.pathId < b.pathId ? -1 : 1, BestPathReason.TieBreak, mp);
  if (sa.id !== sb.id) return enc(sa.id < sb.id ? -1 : 1, BestPathReason.TieBreak, mp);
  throw new BugError(`best path: two routes for one path (source ${sa.name} id ${sa.id}, path id ${a.pathId})`);
}

const result: Comparison = { sign: 0, reason: BestPathReason.Equal, multipath: true };

/**
 * Compares two candidates of one prefix with RFC 4271 MED semantics (or always-compare-med). Returns a reused
 * object, overwritten by the next call. Throws `BugError` on a true duplicate.
 */
export function compareRoutes(a: Route, b: Route, opts: BestPathOptions): Comparison {
  const code = compareCode(a, b, opts.alwaysCompareMed ? MedMode.Always : MedMode.SameNeighborAs, opts.multipath);
  result.sign = code < 0 ? -1 : code > 0 ? 1 : 0;
  result.reason = codeReason(code);
  result.multipath = codeMultipath(code);
  return result;
}

// ---- address comparison without allocation (peer addresses and ORIGINATOR_ID are text in the data model) ----

const v6a = new Uint16Array(8);
const v6b = new Uint16Array(8);

/**
 * Orders two addresses as IPs: '' (no address) < IPv4 (numeric) < IPv6 (bytewise). Text that does not parse is
 * ordered after valid addresses of its family, by string comparison, so the order stays total.
 */
export function compareAddress(a: string, b: string): number {
  const fa = a.length === 0 ? 0 : a.indexOf(':') >= 0 ? 2 : 1;
  const fb = b.length === 0 ? 0 : b.indexOf(':') >= 0 ? 2 : 1;
  if (fa !== fb) return fa < fb ? -1 : 1;
  if (fa === 0) return 0;
  if (fa === 1) {
    const na = parseIpv4Range(a, 0, a.length);
    const nb = parseIpv4Range(b, 0, b.length);
    if (na >= 0 && nb >= 0) return na < nb ? -1 : na > nb ? 1 : 0;
    if (na >= 0 || nb >= 0) return na >= 0 ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const okA = parseIpv6(a, v6a);
  const okB = parseIpv6(b, v6b);
  if (okA && okB) {
    for (let i = 0; i < 8; i++) if (v6a[i] !== v6b[i]) return v6a[i] < v6b[i] ? -1 : 1;
    return 0;
  }
  if (okA || okB) return okA ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Parses a dotted quad in s[start, end) to an unsigned number; -1 when it is not one. */
export function parseIpv4Range(s: string, start: number, end: number): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else if (c === 46 && digits > 0 && dots < 3) {
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

/** Parses IPv6 text (RFC 4291 §2.2 forms, with an optional `%zone` ignored) into 8 groups; false when invalid. */
export function parseIpv6(s: string, out: Uint16Array): boolean {
  let end = s.indexOf('%');
  if (end < 0) end = s.length;
  let i = 0;
  let n = 0;
  let gap = -1;
  if (end >= 2 && s.charCodeAt(0) === 58 && s.charCodeAt(1) === 58) {
    gap = 0;
    i = 2;
  } else if (end === 0 || s.charCodeAt(0) === 58) {
    return false;
  }
  while (i < end) {
    if (n >= 8) return false;
    const start = i;
    let v = 0;
    for (; i < end; i++) {
      const c = s.charCodeAt(i);
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (d < 0) break;
      v = v * 16 + d;
    }
    if (i < end && s.charCodeAt(i) === 46) {
      // RFC 4291 §2.2(3): embedded IPv4 in the last 32 bits.
      if (n > 6) return false;
      const v4 = parseIpv4Range(s, start, end);
      if (v4 < 0) return false;
      out[n++] = v4 >>> 16;
      out[n++] = v4 & 0xffff;
      i = end;
      break;
    }
    const len = i - start;
    if (len === 0 || len > 4) return false;
    out[n++] = v;
    if (i === end) break;
    if (s.charCodeAt(i) !== 58) return false;
    i++;
    if (i < end && s.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = n;
      i++;
    } else if (i === end) {
      return false;
    }
  }
  if (gap < 0) return n === 8;
  if (n === 8) return false;
  const tail = n - gap;
  for (let k = tail - 1; k >= 0; k--) out[8 - tail + k] = out[gap + k];
  for (let k = gap; k < 8 - tail; k++) out[k] = 0;
  return true;
}
