/**
 * DOC: the kernel route Petrel wants for one prefix, computed from the Loc-RIB on demand (BIRD's kernel protocol
 * export: best route → kernel filter → next hops).
 *
 * Rules, in order:
 *  - no eligible best route → none;
 *  - routes learned from the kernel or from interfaces (SourceKind.Kernel/Direct) are never installed back
 *    (BIRD's krt_import_control; the kernel already has them);
 *  - the kernel policy (Calico's `calico_kernel_programming`) runs on the best route: reject → none; `krt_metric`
 *    → RTA_PRIORITY; `krt_tunnel` naming an existing device → `via <BGP next hop> dev <tunnel> onlink` (Calico's
 *    BIRD fork, contract §6.1; an empty or missing device gives the normal resolved route);
 *  - a local static route without a next hop → `blackhole` (Calico's block and service routes);
 *  - otherwise the next hops: the best route's, plus with `mergePaths` the rest of the Loc-RIB's ECMP set (its
 *    members follow the best route in the candidate list: select.ts), each resolved through the kernel table
 *    (nexthop-resolver.ts). Members that do not resolve are left out; if none resolves the answer is
 *    `UNRESOLVED`: the route stays in the Loc-RIB (still best, still exported, as BIRD keeps a route whose
 *    gateway is unreachable out of the kernel only) and is installed as soon as a kernel change resolves it.
 *    Choice: we do not set RouteFlag.Unresolved in the Loc-RIB, because the importer owns route flags and Calico's
 *    next hops are normally on a connected subnet; a next-hop tracker feeding that flag is future work.
 * Allocation: one reused EvalContext/PolicyResult and a scratch next-hop array; the shape is interned.
 */
import { Af, RouteType } from './netlink/codec';
import type { RouteShape, ShapeNexthop } from './route-shape';
import { ShapeTable } from './route-shape';
import type { NexthopResolver } from './nexthop-resolver';
import type { LocRib } from '../rib/loc-rib';
import type { AttrInterner } from '../rib/attrs/intern';
import type { AttrSet } from '../rib/attrs/attr-set';
import { codeMultipath, compareCode, isBgpSource, isEligible, MedMode, DEFAULT_BEST_PATH_OPTIONS } from '../rib/best-path';
import { evaluate, newEvalContext, newPolicyResult, type CompiledPolicy } from '../rib/policy/policy';
import type { EvalContext } from '../rib/policy/types';
import { SourceKind, type Route } from '../rib/types';
import type { PrefixKey } from '../util/prefix';

/** The answer when the route is wanted but none of its next hops resolves. */
export const UNRESOLVED = 'unresolved';

/** What `DesiredRoutes.compute` answers: a shape to install, null for no route, or UNRESOLVED. */
export type Desired = RouteShape | null | typeof UNRESOLVED;

/** Computes desired kernel routes. One instance per FIB. */
export class DesiredRoutes {
  private readonly ctx: EvalContext = newEvalContext();
  private readonly result = newPolicyResult();
  private readonly nhs: ShapeNexthop[] = [];
  /** Tunnel device names the kernel policy asked for (a change of such a link re-evaluates routes). */
  readonly tunnelNames = new Set<string>();

  constructor(
    private readonly shapes: ShapeTable,
    private readonly resolver: NexthopResolver,
    private readonly interner: AttrInterner,
    /** Kernel policy per address family; undefined accepts everything unchanged. */
    public policies: { v4?: CompiledPolicy; v6?: CompiledPolicy },
    private readonly mergePaths: boolean,
  ) {
    for (let i = 0; i < 16; i++) this.nhs.push({ gw: '', oif: 0, onlink: false });
  }

  /** The desired kernel route of `prefix`, at `slot` of `rib`. */
  compute(rib: LocRib, slot: number, prefix: PrefixKey): Desired {
    const best = rib.headAt(slot);
    if (best === null || !isEligible(best)) return null;
    const kind = best.source.kind;
    if (kind === SourceKind.Kernel || kind === SourceKind.Direct) return null;
    const attrs = best.attrs as AttrSet;
    const family = typeof prefix === 'number' ? Af.Inet : Af.Inet6;
    const first = attrs.nextHop === '' ? null : this.resolver.resolve(attrs.nextHop);

    let metric = 0;
    let tunnel: string | undefined;
    const policy = family === Af.Inet ? this.policies.v4 : this.policies.v6;
    if (policy !== undefined) {
      const c = this.ctx;
      c.prefix = prefix;
      c.attrs = attrs;
      c.source = kind;
      c.sourceName = best.source.name;
      c.preference = best.preference;
      c.ifname = first?.ifname;
      const r = evaluate(policy, c, this.interner, this.result);
      c.attrs = undefined as unknown as AttrSet;
      if (r.verdict === 'reject') return null;
      this.interner.release(r.attrs);
      metric = r.krtMetric ?? 0;
      tunnel = r.krtTunnel;
      if (metric < 0 || metric > 0xffffffff) metric = 0;
    }

    if (attrs.nextHop === '') {
      // A locally originated route without a gateway: Calico's blackhole for a block or service range.
      if (kind !== SourceKind.Static) return null;
      return this.shapes.intern(family, RouteType.Blackhole, metric, this.nhs, 0);
    }

    let tunnelIndex: number | undefined;
    if (tunnel !== undefined && tunnel !== '') {
      this.tunnelNames.add(tunnel);
      tunnelIndex = this.resolver.linkIndex(tunnel);
    }
    let n = this.addNexthops(attrs.nextHop, first, tunnelIndex, 0);
    if (this.mergePaths && isBgpSource(kind) && rib.options.multipath) {
      const medMode = rib.options.alwaysCompareMed ? MedMode.Always : MedMode.SameNeighborAs;
      const limit = rib.options.multipathLimit ?? DEFAULT_BEST_PATH_OPTIONS.multipathLimit;
      let members = 1;
      for (let r: Route | null = best.next; r !== null && members < limit; r = r.next) {
        if (!isEligible(r) || !codeMultipath(compareCode(best, r, medMode, true))) break;
        const nh = (r.attrs as AttrSet).nextHop;
        if (this.sameNextHopBefore(best, r)) break;
        members++;
        n = this.addNexthops(nh, tunnelIndex === undefined ? this.resolver.resolve(nh) : null, tunnelIndex, n);
      }
    }
    if (n === 0) return UNRESOLVED;
    return this.shapes.intern(family, RouteType.Unicast, metric, this.nhs, n);
  }

  /** Appends the kernel next hops for one BGP next hop at `n`; returns the new count (deduplicated). */
  private addNexthops(nextHop: string, res: ReturnType<NexthopResolver['resolve']>, tunnelIndex: number | undefined, n: number): number {
    if (tunnelIndex !== undefined) return this.push(n, nextHop, tunnelIndex, true);
    if (res === null) return n;
    for (const nh of res.nexthops) n = this.push(n, nh.gw, nh.oif, nh.onlink);
    return n;
  }

  private push(n: number, gw: string, oif: number, onlink: boolean): number {
    for (let i = 0; i < n; i++) if (this.nhs[i].gw === gw && this.nhs[i].oif === oif) return n;
    if (n >= this.nhs.length) return n;
    const s = this.nhs[n];
    s.gw = gw;
    s.oif = oif;
    s.onlink = onlink;
    return n + 1;
  }

  /** Whether `r`'s next hop equals that of an ECMP member before it (select.ts ends the set there). */
  private sameNextHopBefore(best: Route, r: Route): boolean {
    const y = r.attrs as AttrSet;
    for (let m: Route | null = best; m !== null && m !== r; m = m.next) {
      const x = m.attrs as AttrSet;
      if (x.nextHop === y.nextHop && x.nextHopLinkLocal === y.nextHopLinkLocal) return true;
    }
    return false;
  }
}
