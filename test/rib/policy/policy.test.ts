import t from 'tap';
import { AttrInterner } from '../../../src/rib/attrs/intern';
import { compilePolicy, FunctionTable } from '../../../src/rib/policy/policy';
import type { FunctionDef, Rule } from '../../../src/rib/policy/types';
import { ConfigError } from '../../../src/util/errors';
import { attrs, ctx, run } from './helpers';

const interner = new AttrInterner();
const a = attrs(interner, { localPref: 100 });

function verdictOf(rules: Rule[], prefix: string, fns: FunctionDef[] = [], def: 'accept' | 'reject' = 'reject') {
  const r = run(interner, rules, ctx(prefix, a), { functions: fns, default: def });
  if (r.verdict === 'accept') interner.release(r.attrs);
  return r;
}

const within = (p: string) => ({ kind: 'prefix' as const, op: 'within' as const, prefix: p });

t.test('first matching terminal rule wins; fall-through takes the default', async (t) => {
  const rules: Rule[] = [
    { match: [within('10.1.0.0/16')], actions: [{ kind: 'reject' }] },
    { match: [within('10.0.0.0/8')], actions: [{ kind: 'accept' }] },
  ];
  t.equal(verdictOf(rules, '10.1.2.0/24').verdict, 'reject');
  t.equal(verdictOf(rules, '10.2.2.0/24').verdict, 'accept');
  t.equal(verdictOf(rules, '11.0.0.0/8').verdict, 'reject');
  t.equal(verdictOf(rules, '11.0.0.0/8', [], 'accept').verdict, 'accept');
});

t.test('accept/reject inside a called function ends the whole filter', async (t) => {
  const inner: FunctionDef = {
    name: 'inner',
    rules: [
      { match: [within('10.1.0.0/16')], actions: [{ kind: 'accept' }] },
      { match: [within('10.2.0.0/16')], actions: [{ kind: 'reject' }] },
    ],
  };
  const outer: FunctionDef = { name: 'outer', rules: [{ actions: [{ kind: 'call', fn: 'inner' }] }, { actions: [{ kind: 'setMed', value: 9 }] }] };
  const rules: Rule[] = [
    { actions: [{ kind: 'call', fn: 'outer' }] },
    { match: [within('10.0.0.0/8')], actions: [{ kind: 'reject' }] },
    { actions: [{ kind: 'accept' }] },
  ];
  t.equal(verdictOf(rules, '10.1.0.0/24', [inner, outer]).verdict, 'accept', 'accept two calls deep ends evaluation');
  t.equal(verdictOf(rules, '10.2.0.0/24', [inner, outer]).verdict, 'reject');
  t.equal(verdictOf(rules, '10.3.0.0/24', [inner, outer]).verdict, 'reject', 'fell through both functions, then the caller rejected');
  const r = run(interner, rules, ctx('11.0.0.0/8', a), { functions: [inner, outer] });
  t.equal(r.verdict, 'accept');
  t.equal(r.attrs.med, 9, 'statements after a fall-through call run');
  interner.release(r.attrs);
});

t.test('if/else rules and nested if actions', async (t) => {
  const rules: Rule[] = [{
    match: [within('10.0.0.0/8')],
    actions: [{ kind: 'if', match: [within('10.1.0.0/16')], then: [{ kind: 'setKrtTunnel', value: '' }], else: [{ kind: 'setKrtTunnel', value: 'tunl0' }] }, { kind: 'accept' }],
    else: [{ kind: 'reject' }],
  }];
  t.equal(verdictOf(rules, '10.1.0.0/24').krtTunnel, '');
  t.equal(verdictOf(rules, '10.2.0.0/24').krtTunnel, 'tunl0');
  t.equal(verdictOf(rules, '11.0.0.0/24').verdict, 'reject');
});

t.test('statements after a terminal action are unreachable', async (t) => {
  const r = verdictOf([{ actions: [{ kind: 'accept' }, { kind: 'setPreference', value: 1 }] }], '10.0.0.0/8');
  t.equal(r.verdict, 'accept');
  t.equal(r.preference, 100);
});

t.test('a BIRD runtime error rejects and carries its message', async (t) => {
  const r = verdictOf([{ actions: [{ kind: 'error', message: 'boom' }] }], '10.0.0.0/8', [], 'accept');
  t.equal(r.verdict, 'reject');
  t.equal(r.error, 'boom');
  t.equal(verdictOf([], '10.0.0.0/8', [], 'accept').error, undefined, 'cleared on the next run');
});

t.test('unknown functions, recursion and duplicates are ConfigErrors', async (t) => {
  t.throws(() => compilePolicy({ name: 'p', default: 'reject', rules: [{ actions: [{ kind: 'call', fn: 'nope' }] }] }), ConfigError);
  const loop = new FunctionTable([
    { name: 'a', rules: [{ actions: [{ kind: 'call', fn: 'b' }] }] },
    { name: 'b', rules: [{ actions: [{ kind: 'call', fn: 'a' }] }] },
  ]);
  t.throws(() => compilePolicy({ name: 'p', default: 'reject', rules: [{ actions: [{ kind: 'call', fn: 'a' }] }] }, loop), /calls itself/);
  t.throws(() => new FunctionTable([{ name: 'a', rules: [] }, { name: 'a', rules: [] }]), /already defined/);
});

t.test('a function is compiled once and shared by its callers', async (t) => {
  const fns = new FunctionTable([{ name: 'f', rules: [{ actions: [{ kind: 'accept' }] }] }]);
  t.equal(fns.get('f'), fns.get('f'));
  t.equal(fns.has('f'), true);
  t.same(fns.find('f')?.name, 'f');
});

t.test('refcounts are balanced across all evaluations', async (t) => {
  t.equal(a.refs, 1);
  t.equal(interner.stats().sets, 1);
});
