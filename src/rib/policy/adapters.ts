/**
 * DOC: glue from compiled policies to the RIB's hook types: `ImportPolicy` (importer.ts) and `ExportPolicy`
 * (export-rules.ts).
 *
 * Each adapter owns one reusable EvalContext and PolicyResult, so the per-route path allocates nothing beyond what
 * the policy itself re-interns. Route-level facts the RIB's Route record does not carry (the resolved outgoing
 * interface, the kernel metric of a learned route) come from optional lookups supplied by the owner (nexthop
 * resolution, the kernel protocol).
 */
import type { Family } from '../../bgp/family';
import type { PrefixKey } from '../../util/prefix';
import type { AttrSet } from '../attrs/attr-set';
import type { AttrInterner } from '../attrs/intern';
import type { ExportPolicy } from '../export-rules';
import type { ImportPolicy, ImportResult } from '../importer';
import type { Route, RouteSource } from '../types';
import { evaluate, newPolicyResult, type CompiledPolicy } from './policy';
import type { EvalContext } from './types';

/** Per-route facts outside the attribute set. */
export interface RouteFacts {
  /** The route's interface (kernel/direct: the device; BGP: the resolved outgoing interface). */
  ifnameOf?: (route: Route) => string | undefined;
  /** The kernel metric of a kernel-learned route. */
  krtMetricOf?: (route: Route) => number | undefined;
}

/** An ImportPolicy running `policy` for the session `peerName` (iBGP when `peerInternal`). */
export function importPolicyOf(
  policy: CompiledPolicy, interner: AttrInterner, session: { peerName: string; peerInternal: boolean },
): ImportPolicy {
  const ctx: EvalContext = {
    prefix: 0, attrs: undefined as unknown as AttrSet, source: 0, sourceName: undefined,
    peerName: session.peerName, peerInternal: session.peerInternal, ifname: undefined, krtMetric: undefined,
    krtTunnel: undefined, preference: undefined,
  };
  const r = newPolicyResult();
  return (prefix: PrefixKey, _family: Family, attrs: AttrSet, source: RouteSource): ImportResult => {
    ctx.prefix = prefix;
    ctx.attrs = attrs;
    ctx.source = source.kind;
    ctx.sourceName = source.name;
    ctx.preference = source.preference;
    evaluate(policy, ctx, interner, r);
    ctx.attrs = undefined as unknown as AttrSet;
    return { attrs: r.verdict === 'accept' ? r.attrs : null, preference: r.preference };
  };
}

/** An ExportPolicy running `policy` toward the session `peerName` (iBGP when `peerInternal`). */
export function exportPolicyOf(
  policy: CompiledPolicy, interner: AttrInterner, session: { peerName: string; peerInternal: boolean }, facts: RouteFacts = {},
): ExportPolicy {
  const ctx: EvalContext = {
    prefix: 0, attrs: undefined as unknown as AttrSet, source: 0, sourceName: undefined,
    peerName: session.peerName, peerInternal: session.peerInternal, ifname: undefined, krtMetric: undefined,
    krtTunnel: undefined, preference: undefined,
  };
  const r = newPolicyResult();
  return (route: Route, attrs: AttrSet): AttrSet | null => {
    ctx.prefix = route.prefix;
    ctx.attrs = attrs;
    ctx.source = route.source.kind;
    ctx.sourceName = route.source.name;
    ctx.preference = route.preference;
    ctx.ifname = facts.ifnameOf?.(route);
    ctx.krtMetric = facts.krtMetricOf?.(route);
    evaluate(policy, ctx, interner, r);
    ctx.attrs = undefined as unknown as AttrSet;
    return r.verdict === 'accept' ? r.attrs : null;
  };
}
