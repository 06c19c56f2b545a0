/**
 * DOC: policy compilation and evaluation: PolicyDef/FunctionDef (data) → a tree of closures, run per route.
 *
 * Choice: closures, not a flat instruction array. Each condition and action is compiled once per policy into a
 * small closure with its literals pre-parsed and captured; a rule is `test(s) ? then(s) : else(s)`; a rule list is
 * a loop returning the first non-Continue outcome. V8 inlines these monomorphic closures well, there is no
 * interpreter dispatch `switch` per instruction, and nested `if`/`call` need no jump offsets. (A flat array would
 * win only if we serialised policies across a worker boundary; the data form `PolicyDef` already covers that.)
 *
 * Semantics (BIRD, calico-contract.md §4.7): every step returns Continue, Accept or Reject. Accept/Reject
 * propagate out of any depth, including called functions, and end the evaluation; a function that falls off its
 * end returns Continue to its caller; a policy whose rules all fall through takes its `default` verdict.
 * Functions live in a FunctionTable and are compiled once, shared by every policy that calls them; unknown
 * names and recursion are ConfigErrors at compile time (BIRD resolves symbols when parsing).
 * Evaluation uses one module-level FilterState: evaluation is synchronous and never re-entered.
 */
import { ConfigError } from '../../util/errors';
import type { AttrInterner } from '../attrs/intern';
import type { AttrSet } from '../attrs/attr-set';
import { compileEdit, type Edit } from './actions';
import { FilterState } from './filter-state';
import { compileConditions } from './match';
import type { Action, EvalContext, FunctionDef, PolicyDef, PolicyResult, Rule, Verdict } from './types';

/** What a compiled step decided. */
export const enum Outcome {
  Continue = 0,
  Accept = 1,
  Reject = 2,
}

/** A compiled statement, rule, rule list or function body. */
export type Step = (s: FilterState) => Outcome;

const CONTINUE: Step = () => Outcome.Continue;
const ACCEPT: Step = () => Outcome.Accept;
const REJECT: Step = () => Outcome.Reject;

/** Named functions, compiled lazily on first call site and then shared. */
export class FunctionTable {
  private readonly defs = new Map<string, FunctionDef>();
  private readonly compiled = new Map<string, Step>();
  private readonly compiling = new Set<string>();

  constructor(defs: Iterable<FunctionDef> = []) {
    for (const d of defs) this.define(d);
  }

  /** Adds a function; a second definition of a name is a ConfigError (BIRD: "symbol already defined"). */
  define(def: FunctionDef): void {
    if (this.defs.has(def.name)) throw new ConfigError(`function ${def.name} is already defined`);
    this.defs.set(def.name, def);
  }

  has(name: string): boolean {
    return this.defs.has(name);
  }

  /** The definition of `name`, for display. */
  find(name: string): FunctionDef | undefined {
    return this.defs.get(name);
  }

  /** The compiled body of `name`. */
  get(name: string): Step {
    const done = this.compiled.get(name);
    if (done) return done;
    const def = this.defs.get(name);
    if (!def) throw new ConfigError(`call of undefined function ${name}`);
    if (this.compiling.has(name)) throw new ConfigError(`function ${name} calls itself (recursion is not allowed)`);
    this.compiling.add(name);
    try {
      const body = compileRules(def.rules, this);
      this.compiled.set(name, body);
      return body;
    } finally {
      this.compiling.delete(name);
    }
  }
}

function editStep(edits: Edit[]): Step {
  if (edits.length === 1) {
    const e = edits[0];
    return (s) => { e(s); return Outcome.Continue; };
  }
  return (s) => {
    for (let i = 0; i < edits.length; i++) edits[i](s);
    return Outcome.Continue;
  };
}

function sequence(steps: Step[]): Step {
  if (steps.length === 0) return CONTINUE;
  if (steps.length === 1) return steps[0];
  return (s) => {
    for (let i = 0; i < steps.length; i++) {
      const o = steps[i](s);
      if (o !== Outcome.Continue) return o;
    }
    return Outcome.Continue;
  };
}

/** Compiles an action list; runs of edits become one step. Statements after a terminal action are unreachable. */
export function compileActions(actions: readonly Action[], fns: FunctionTable): Step {
  const steps: Step[] = [];
  let edits: Edit[] = [];
  const flush = () => {
    if (edits.length) steps.push(editStep(edits));
    edits = [];
  };
  for (const a of actions) {
    const edit = compileEdit(a);
    if (edit) { edits.push(edit); continue; }
    flush();
    switch (a.kind) {
      case 'accept': steps.push(ACCEPT); break;
      case 'reject': steps.push(REJECT); break;
      case 'error': {
        const msg = a.message;
        steps.push((s) => { s.error = msg; return Outcome.Reject; });
        break;
      }
      case 'call': steps.push(fns.get(a.fn)); break;
      case 'if': steps.push(compileRule({ match: a.match, actions: a.then, else: a.else }, fns)); break;
      default: throw new ConfigError(`unknown action ${JSON.stringify(a)}`);
    }
    if (a.kind === 'accept' || a.kind === 'reject' || a.kind === 'error') break;
  }
  flush();
  return sequence(steps);
}

/** Compiles `if (match) then { actions } else { else }`. */
export function compileRule(rule: Rule, fns: FunctionTable): Step {
  const test = compileConditions(rule.match);
  const then = compileActions(rule.actions, fns);
  if (test === null) return then;
  if (!rule.else || rule.else.length === 0) return (s) => (test(s) ? then(s) : Outcome.Continue);
  const otherwise = compileActions(rule.else, fns);
  return (s) => (test(s) ? then(s) : otherwise(s));
}

/** Compiles a rule list: first rule with a terminal outcome wins. */
export function compileRules(rules: readonly Rule[], fns: FunctionTable): Step {
  return sequence(rules.map((r) => compileRule(r, fns)));
}

/** A policy ready to run. */
export interface CompiledPolicy {
  readonly name: string;
  readonly def: PolicyDef;
  readonly run: Step;
  readonly fallThrough: Outcome.Accept | Outcome.Reject;
}

/** Compiles a policy against a function table (functions are compiled on first use and shared). */
export function compilePolicy(def: PolicyDef, fns: FunctionTable = new FunctionTable()): CompiledPolicy {
  return {
    name: def.name,
    def,
    run: compileRules(def.rules, fns),
    fallThrough: def.default === 'accept' ? Outcome.Accept : Outcome.Reject,
  };
}

const scratch = new FilterState();

/**
 * A reusable evaluation context with every field present (one hidden class for the hot path), for the session
 * `peerName` (iBGP when `peerInternal`); the per-route fields are filled in before each evaluation.
 */
export function newEvalContext(session: { peerName?: string; peerInternal?: boolean } = {}): EvalContext {
  return {
    prefix: 0, attrs: undefined as unknown as AttrSet, source: 0, sourceName: undefined,
    peerName: session.peerName, peerInternal: session.peerInternal, ifname: undefined, krtMetric: undefined,
    krtTunnel: undefined, preference: undefined,
  };
}

/** A fresh result object (callers on a hot path keep one and pass it to `evaluate`). */
export function newPolicyResult(): PolicyResult {
  return { verdict: 'reject', attrs: undefined as never, preference: 0, krtMetric: undefined, krtTunnel: undefined, error: undefined };
}

/**
 * Runs `policy` on one route. On accept, `result.attrs` holds one new reference (the input set itself when the
 * policy changed no BGP attribute); on reject no reference is taken and `result.attrs` is the input set.
 * `out` is filled and returned when given (no allocation per route).
 */
export function evaluate(policy: CompiledPolicy, ctx: EvalContext, interner: AttrInterner, out?: PolicyResult): PolicyResult {
  const s = scratch;
  s.reset(ctx);
  let o = policy.run(s);
  if (o === Outcome.Continue) o = policy.fallThrough;
  const r = out ?? newPolicyResult();
  const verdict: Verdict = o === Outcome.Accept ? 'accept' : 'reject';
  r.verdict = verdict;
  r.attrs = verdict === 'accept' ? s.finish(interner) : ctx.attrs;
  r.preference = s.preference;
  r.krtMetric = s.krtMetric;
  r.krtTunnel = s.krtTunnel;
  r.error = s.error;
  s.clear();
  return r;
}
