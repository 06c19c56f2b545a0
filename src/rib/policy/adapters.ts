/**
 * DOC: glue from compiled policies to the RIB's hook types: `ImportPolicy` (importer.ts) and `ExportPolicy`
 * (export-rules.ts).
 *
 * Each adapter owns one reusable EvalContext and PolicyResult, so the per-route path allocates nothing beyond what
 * the policy itself re-interns. A policy that cannot read the prefix (no `net` condition anywhere, checked once on
 * the policy's data form) is evaluated once per run of routes with the same inputs: a full table shares a handful
 * of attribute sets, so this is most of the import cost of a feed. Route-level facts the RIB's Route record does not carry (the resolved outgoing
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
import { evaluate, newEvalContext, newPolicyResult, type CompiledPolicy, type FunctionTable } from './policy';
import type { Action, Condition, Rule } from './types';

/** Per-route facts outside the attribute set. */
export interface RouteFacts {
  /** The route's interface (kernel/direct: the device; BGP: the resolved outgoing interface). */
  ifnameOf?: (route: Route) => string | undefined;
  /** The kernel metric of a kernel-learned route. */
  krtMetricOf?: (route: Route) => number | undefined;
}

/** Whether a condition list (with nested `not`/`any`) reads the route's prefix. */
function conditionsReadPrefix(conds: readonly Condition[] | undefined): boolean {
  for (const c of conds ?? []) {
    if (c.kind === 'prefix' || c.kind === 'prefixSet') return true;
    if (c.kind === 'not' && conditionsReadPrefix([c.cond])) return true;
    if (c.kind === 'any' && conditionsReadPrefix(c.conds)) return true;
  }
  return false;
}

function actionsReadPrefix(actions: readonly Action[] | undefined, fns: FunctionTable | undefined, seen: Set<string>): boolean {
  for (const a of actions ?? []) {
    if (a.kind === 'if' && (conditionsReadPrefix(a.match) || actionsReadPrefix(a.then, fns, seen) || actionsReadPrefix(a.else, fns, seen))) return true;
    if (a.kind === 'call') {
      if (seen.has(a.fn)) continue;
      seen.add(a.fn);
      const def = fns?.find(a.fn);
      // A function we cannot see may test anything.
      if (def === undefined || rulesReadPrefix(def.rules, fns, seen)) return true;
    }
  }
  return false;
}

function rulesReadPrefix(rules: readonly Rule[], fns: FunctionTable | undefined, seen: Set<string>): boolean {
  for (const r of rules) {
    if (conditionsReadPrefix(r.match) || actionsReadPrefix(r.actions, fns, seen) || actionsReadPrefix(r.else, fns, seen)) return true;
  }
  return false;
}

/**
 * Whether `policy` may read the route's prefix (a `net` condition anywhere, also in called functions). Calls are
 * resolved in `fns`; without it, or for a name it lacks, a call counts as reading the prefix.
 */
export function policyReadsPrefix(policy: CompiledPolicy, fns?: FunctionTable): boolean {
  return rulesReadPrefix(policy.def.rules, fns, new Set());
}

/**
 * An ImportPolicy running `policy` for the session `peerName` (iBGP when `peerInternal`). The returned result object
 * is reused by the next call: read it before importing the next route. When the policy cannot read the prefix
 * (`policyReadsPrefix`, calls resolved in `fns`), its outcome depends only on (attribute set, source), so a run of
 * routes sharing one set (every NLRI of an UPDATE) costs one evaluation.
 */
export function importPolicyOf(
  policy: CompiledPolicy, interner: AttrInterner, session: { peerName: string; peerInternal: boolean }, fns?: FunctionTable,
): ImportPolicy {
  const ctx = newEvalContext(session);
  const r = newPolicyResult();
  const out: ImportResult = { attrs: null, preference: 0 };
  const memoize = !policyReadsPrefix(policy, fns);
  let memoIn: AttrSet | null = null;
  let memoSource: RouteSource | null = null;
  return (prefix: PrefixKey, _family: Family, attrs: AttrSet, source: RouteSource): ImportResult => {
    // The memo is valid while its output is still interned (refs > 0: a freed set is never resurrected).
    if (memoize && attrs === memoIn && source === memoSource && (out.attrs === null || out.attrs.refs > 0)) {
      if (out.attrs !== null) interner.ref(out.attrs);
      return out;
    }
    ctx.prefix = prefix;
    ctx.attrs = attrs;
    ctx.source = source.kind;
    ctx.sourceName = source.name;
    ctx.preference = source.preference;
    evaluate(policy, ctx, interner, r);
    ctx.attrs = undefined as unknown as AttrSet;
    out.attrs = r.verdict === 'accept' ? r.attrs : null;
    out.preference = r.preference;
    memoIn = memoize ? attrs : null;
    memoSource = memoize ? source : null;
    return out;
  };
}

/**
 * An ExportPolicy running `policy` toward the session `peerName` (iBGP when `peerInternal`). When the policy cannot
 * read the prefix (see importPolicyOf), consecutive routes with the same (attribute set, source, preference,
 * interface, kernel metric) reuse one evaluation.
 */
export function exportPolicyOf(
  policy: CompiledPolicy, interner: AttrInterner, session: { peerName: string; peerInternal: boolean }, facts: RouteFacts = {},
  fns?: FunctionTable,
): ExportPolicy {
  const ctx = newEvalContext(session);
  const r = newPolicyResult();
  const memoize = !policyReadsPrefix(policy, fns);
  let memoIn: AttrSet | null = null;
  let memoSource: RouteSource | null = null;
  let memoPreference = 0;
  let memoIfname: string | undefined;
  let memoKrtMetric: number | undefined;
  let memoOut: AttrSet | null = null;
  return (route: Route, attrs: AttrSet): AttrSet | null => {
    const ifname = facts.ifnameOf?.(route);
    const krtMetric = facts.krtMetricOf?.(route);
    if (
      memoize && attrs === memoIn && route.source === memoSource && route.preference === memoPreference &&
      ifname === memoIfname && krtMetric === memoKrtMetric && (memoOut === null || memoOut.refs > 0)
    ) {
      return memoOut === null ? null : interner.ref(memoOut);
    }
    ctx.prefix = route.prefix;
    ctx.attrs = attrs;
    ctx.source = route.source.kind;
    ctx.sourceName = route.source.name;
    ctx.preference = route.preference;
    ctx.ifname = ifname;
    ctx.krtMetric = krtMetric;
    evaluate(policy, ctx, interner, r);
    ctx.attrs = undefined as unknown as AttrSet;
    const out = r.verdict === 'accept' ? r.attrs : null;
    if (memoize) {
      memoIn = attrs;
      memoSource = route.source;
      memoPreference = route.preference;
      memoIfname = ifname;
      memoKrtMetric = krtMetric;
      memoOut = out;
    }
    return out;
  };
}
