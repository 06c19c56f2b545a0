import t from 'tap';
import { AttrInterner } from '../../../src/rib/attrs/intern';
import { prependAs } from '../../../src/rib/policy/actions';
import { compilePolicy, evaluate, newPolicyResult } from '../../../src/rib/policy/policy';
import type { Action } from '../../../src/rib/policy/types';
import { SourceKind } from '../../../src/rib/types';
import { ConfigError } from '../../../src/util/errors';
import { attrs, ctx, run } from './helpers';

function accepting(actions: Action[]): { actions: Action[] }[] {
  return [{ actions: [...actions, { kind: 'accept' }] }];
}

t.test('an untouched accepted route returns the identical AttrSet with one new reference', async (t) => {
  const interner = new AttrInterner();
  const a = attrs(interner, { localPref: 100, nextHop: '10.0.0.1' });
  const start = interner.stats();
  const r = run(interner, accepting([]), ctx('10.0.0.0/24', a));
  t.equal(r.verdict, 'accept');
  t.equal(r.attrs, a, 'same object');
  t.equal(a.refs, 2);
  interner.release(r.attrs);
  t.same(interner.stats(), start);
});

t.test('setting an attribute to its current value keeps the same object', async (t) => {
  const interner = new AttrInterner();
  const a = attrs(interner, { localPref: 100, med: 5, nextHop: '10.0.0.1', communities: [7] });
  const r = run(interner, accepting([
    { kind: 'setLocalPref', value: 100 }, { kind: 'setMed', value: 5 }, { kind: 'setNextHop', value: '10.0.0.1' },
    { kind: 'addCommunity', value: [0, 7] }, { kind: 'removeCommunity', value: [0, 8] },
  ]), ctx('10.0.0.0/24', a));
  t.equal(r.attrs, a);
  interner.release(r.attrs);
  t.equal(a.refs, 1);
});

t.test('edits that cancel out re-intern to the same object', async (t) => {
  const interner = new AttrInterner();
  const a = attrs(interner, { localPref: 100 });
  const r = run(interner, accepting([{ kind: 'setLocalPref', value: 5 }, { kind: 'setLocalPref', value: 100 }]), ctx('10.0.0.0/24', a));
  t.equal(r.attrs, a);
  t.equal(a.refs, 2);
  interner.release(r.attrs);
});

t.test('each BGP attribute action produces the expected set; refcounts return to the start', async (t) => {
  const interner = new AttrInterner();
  const a = attrs(interner, {
    localPref: 100, nextHop: '10.0.0.1', communities: [65536 * 1 + 1], asPath: [{ type: 2, asns: [65001] }],
  });
  const start = interner.stats();
  const cases: [string, Action, (x: typeof a) => unknown, unknown][] = [
    ['setLocalPref', { kind: 'setLocalPref', value: 2147482623 }, (x) => x.localPref, 2147482623],
    ['setMed', { kind: 'setMed', value: 50 }, (x) => x.med, 50],
    ['addCommunity', { kind: 'addCommunity', value: [0, 5] }, (x) => x.communities?.value, [5, 65537]],
    ['removeCommunity', { kind: 'removeCommunity', value: [1, 1] }, (x) => x.communities, null],
    ['addLargeCommunity', { kind: 'addLargeCommunity', value: [100, 555, 107] }, (x) => x.largeCommunities?.value, [[100, 555, 107]]],
    ['prependAsPath', { kind: 'prependAsPath', asns: [64512, 64513] }, (x) => x.asPath.value, [{ type: 2, asns: [64512, 64513, 65001] }]],
    ['setNextHop', { kind: 'setNextHop', value: '10.0.0.9' }, (x) => x.nextHop, '10.0.0.9'],
  ];
  for (const [name, action, read, want] of cases) {
    const r = run(interner, accepting([action]), ctx('10.0.0.0/24', a));
    t.not(r.attrs, a, `${name}: a new set`);
    t.same(read(r.attrs), want, `${name}: value`);
    t.equal(r.attrs.refs, 1, `${name}: one reference`);
    interner.release(r.attrs);
  }
  t.same(a.communities?.value, [65537], 'the input leaf is never mutated');
  t.same(a.asPath.value, [{ type: 2, asns: [65001] }]);
  t.same(interner.stats(), start, 'every new set and leaf freed');
});

t.test('route-level actions (preference, krt_metric, krt_tunnel) never re-intern', async (t) => {
  const interner = new AttrInterner();
  const a = attrs(interner, { localPref: 2147482623 });
  const r = run(interner, accepting([
    { kind: 'setPreference', value: 200 }, { kind: 'krtMetricFromLocalPref' }, { kind: 'setKrtTunnel', value: 'tunl0' },
  ]), ctx('10.0.0.0/24', a));
  t.equal(r.attrs, a);
  t.equal(r.preference, 200);
  t.equal(r.krtMetric, 1024);
  t.equal(r.krtTunnel, 'tunl0');
  interner.release(r.attrs);
  const r2 = run(interner, accepting([{ kind: 'setKrtMetric', value: 512 }, { kind: 'localPrefFromKrtMetric' }]), ctx('10.0.0.0/24', a));
  t.equal(r2.krtMetric, 512);
  t.equal(r2.attrs.localPref, 2147483135);
  interner.release(r2.attrs);
});

t.test('krt_metric ↔ local_pref conversions are no-ops on undefined inputs', async (t) => {
  const interner = new AttrInterner();
  const a = attrs(interner);
  const r = run(interner, accepting([{ kind: 'krtMetricFromLocalPref' }, { kind: 'localPrefFromKrtMetric' }]), ctx('10.0.0.0/24', a));
  t.equal(r.krtMetric, undefined);
  t.equal(r.attrs, a);
  interner.release(r.attrs);
});

t.test('default preference follows the source kind unless the context gives one', async (t) => {
  const interner = new AttrInterner();
  const a = attrs(interner);
  const pref = (over: Parameters<typeof ctx>[2]) => {
    const r = run(interner, [], ctx('10.0.0.0/24', a, over), { default: 'reject' });
    return r.preference;
  };
  t.equal(pref({ source: SourceKind.Ebgp }), 100);
  t.equal(pref({ source: SourceKind.Static }), 200);
  t.equal(pref({ source: SourceKind.Kernel }), 10);
  t.equal(pref({ source: SourceKind.Direct }), 240);
  t.equal(pref({ source: SourceKind.Kernel, preference: 42 }), 42);
});

t.test('a rejected route takes no reference and discards edits', async (t) => {
  const interner = new AttrInterner();
  const a = attrs(interner);
  const start = interner.stats();
  const r = run(interner, [{ actions: [{ kind: 'setLocalPref', value: 7 }, { kind: 'reject' }] }], ctx('10.0.0.0/24', a));
  t.equal(r.verdict, 'reject');
  t.equal(r.attrs, a);
  t.equal(a.refs, 1);
  t.same(interner.stats(), start);
});

t.test('evaluate fills a caller-owned result object', async (t) => {
  const interner = new AttrInterner();
  const a = attrs(interner);
  const p = compilePolicy({ name: 'x', rules: [], default: 'accept' });
  const out = newPolicyResult();
  const r = evaluate(p, ctx('10.0.0.0/24', a, { krtMetric: 3 }), interner, out);
  t.equal(r, out);
  t.equal(out.verdict, 'accept');
  t.equal(out.krtMetric, 3);
  interner.release(out.attrs);
});

t.test('prependAs: into the leading AS_SEQUENCE; new segment before an AS_SET or a full segment', async (t) => {
  t.same(prependAs([], 1), [{ type: 2, asns: [1] }]);
  t.same(prependAs([{ type: 2, asns: [2] }], 1), [{ type: 2, asns: [1, 2] }]);
  t.same(prependAs([{ type: 1, asns: [2, 3] }], 1), [{ type: 2, asns: [1] }, { type: 1, asns: [2, 3] }]);
  const full = { type: 2, asns: new Array<number>(255).fill(9) };
  t.same(prependAs([full], 1), [{ type: 2, asns: [1] }, full]);
});

t.test('invalid action values are ConfigErrors', async (t) => {
  t.throws(() => compilePolicy({ name: 'x', default: 'accept', rules: [{ actions: [{ kind: 'addCommunity', value: [70000, 1] }] }] }), ConfigError);
  t.throws(() => compilePolicy({ name: 'x', default: 'accept', rules: [{ actions: [{ kind: 'setLocalPref', value: -1 }] }] }), ConfigError);
  t.throws(() => compilePolicy({ name: 'x', default: 'accept', rules: [{ actions: [{ kind: 'setNextHop', value: 'x' }] }] }), ConfigError);
});

t.test('the re-intern memo returns the live canonical set and never a freed one', async (t) => {
  const interner = new AttrInterner();
  const a = attrs(interner, { nextHop: '10.0.0.1' });
  const start = interner.stats();
  const rules = accepting([{ kind: 'setLocalPref', value: 7 }, { kind: 'addCommunity', value: [1, 2] }]);
  const r1 = run(interner, rules, ctx('10.0.0.0/24', a));
  const r2 = run(interner, rules, ctx('10.0.1.0/24', a));
  t.equal(r2.attrs, r1.attrs, 'same edits on the same base: same object');
  t.equal(r1.attrs.refs, 2);
  const other = run(interner, accepting([{ kind: 'setLocalPref', value: 8 }, { kind: 'addCommunity', value: [1, 2] }]), ctx('10.0.2.0/24', a));
  t.not(other.attrs, r1.attrs, 'different edits miss the memo');
  t.equal(other.attrs.localPref, 8);
  interner.release(other.attrs);
  const first = r1.attrs;
  interner.release(r1.attrs);
  interner.release(r2.attrs);
  t.equal(first.refs, 0, 'freed');
  const r3 = run(interner, rules, ctx('10.0.3.0/24', a));
  t.equal(r3.attrs.refs, 1, 'a live set with exactly one reference');
  t.equal(r3.attrs.localPref, 7);
  t.same(r3.attrs.communities?.value, [65538]);
  interner.release(r3.attrs);
  t.same(interner.stats(), start);
});
