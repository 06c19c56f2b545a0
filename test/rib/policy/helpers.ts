/**
 * DOC: fixtures for policy tests: a real AttrInterner (refcounts are checked), attribute sets from partial fields,
 * evaluation contexts from prefix text, and a one-call `run` of a policy definition.
 */
import type { AttrSet } from '../../../src/rib/attrs/attr-set';
import { AttrInterner, emptyAttrFields, type AttrFields } from '../../../src/rib/attrs/intern';
import { compilePolicy, evaluate, FunctionTable } from '../../../src/rib/policy/policy';
import type { EvalContext, FunctionDef, PolicyDef, PolicyResult, Rule } from '../../../src/rib/policy/types';
import { SourceKind } from '../../../src/rib/types';
import { parsePrefix, type PrefixKey } from '../../../src/util/prefix';

export function key(text: string): PrefixKey {
  const k = parsePrefix(text);
  if (k === undefined) throw new Error(`bad prefix ${text}`);
  return k;
}

/** Interns a set from partial fields (one reference, owned by the caller). */
export function attrs(interner: AttrInterner, over: Partial<AttrFields> = {}): AttrSet {
  return interner.internSet({ ...emptyAttrFields(), ...over });
}

/** A context for `prefix`; BGP (eBGP) source unless overridden. */
export function ctx(prefix: string, a: AttrSet, over: Partial<EvalContext> = {}): EvalContext {
  return { prefix: key(prefix), attrs: a, source: SourceKind.Ebgp, ...over };
}

/** Compiles and runs a policy made of `rules` (default reject unless given). */
export function run(
  interner: AttrInterner, rules: Rule[], c: EvalContext, opts: { default?: 'accept' | 'reject'; functions?: FunctionDef[] } = {},
): PolicyResult {
  const def: PolicyDef = { name: 'test', rules, default: opts.default ?? 'reject' };
  return evaluate(compilePolicy(def, new FunctionTable(opts.functions ?? [])), c, interner);
}

/** Whether a single-rule `if (conds) accept` policy accepts `c` (the reference taken on accept is released). */
export function matches(interner: AttrInterner, rule: Rule['match'], c: EvalContext): boolean {
  const r = run(interner, [{ match: rule, actions: [{ kind: 'accept' }] }], c);
  if (r.verdict === 'accept') interner.release(r.attrs);
  return r.verdict === 'accept';
}
