import t from 'tap';
import { AttrInterner } from '../../../src/rib/attrs/intern';
import { exportPolicyOf, importPolicyOf, policyReadsPrefix } from '../../../src/rib/policy/adapters';
import { compilePolicy, FunctionTable } from '../../../src/rib/policy/policy';
import type { Rule } from '../../../src/rib/policy/types';
import { CalicoPolicies } from '../../../src/rib/policy/calico';
import { SourceKind } from '../../../src/rib/types';
import { makeRoute, makeSource } from '../../helpers/routes';
import { attrs, key } from './helpers';
import { calicoInput } from './calico-fixture';

t.test('exportPolicyOf: interface and kernel metric come from the route facts; accept holds one reference', async (t) => {
  const interner = new AttrInterner();
  const pol = new CalicoPolicies(calicoInput(), 'ipv4');
  const facts = new Map<number, { ifname: string; metric: number }>();
  const exp = exportPolicyOf(pol.exportPolicy({ name: 'Mesh_10_192_0_3', filters: [] }), interner,
    { peerName: 'Mesh_10_192_0_3', peerInternal: true },
    { ifnameOf: (r) => facts.get(r.prefix as number)?.ifname, krtMetricOf: (r) => facts.get(r.prefix as number)?.metric });
  const kernelSrc = makeSource({ id: 9, kind: SourceKind.Kernel, name: 'kernel1' });
  const a = attrs(interner);
  const start = interner.stats();
  const wl = makeRoute({ source: kernelSrc, prefix: key('192.168.10.5/32'), attrs: a });
  facts.set(wl.prefix as number, { ifname: 'cali1', metric: 1024 });
  t.equal(exp(wl, a), null, 'aggregated /32');
  facts.set(wl.prefix as number, { ifname: 'cali1', metric: 100 });
  const out = exp(wl, a);
  t.not(out, null);
  t.equal(out?.localPref, 2147483647 - 100);
  t.equal(out?.refs, 1);
  interner.release(out!);
  t.same(interner.stats(), start);
});

t.test('importPolicyOf: preference from the policy, null on reject', async (t) => {
  const interner = new AttrInterner();
  const pol = new CalicoPolicies(calicoInput(), 'ipv4');
  const imp = importPolicyOf(pol.importPolicy({ name: 'Mesh_10_192_0_3', filters: [] }), interner, { peerName: 'Mesh_10_192_0_3', peerInternal: true });
  const src = makeSource({ id: 3, kind: SourceKind.Ibgp, name: 'Mesh_10_192_0_3' });
  const hi = attrs(interner, { localPref: 2147483647 - 10, nextHop: '10.192.0.3' });
  const r = imp(key('192.168.20.0/26'), 0x0101, hi, src);
  t.equal(r.attrs, hi);
  t.equal(r.preference, 200);
  interner.release(r.attrs!);
  const lo = attrs(interner, { localPref: 100, nextHop: '10.192.0.3' });
  const r2 = imp(key('192.168.20.0/26'), 0x0101, lo, src);
  t.equal(r2.preference, 100, 'the source preference');
  interner.release(r2.attrs!);
  t.equal(hi.refs, 1);
  t.equal(lo.refs, 1);
});

t.test('policyReadsPrefix: net conditions anywhere, calls resolved in the function table', async (t) => {
  const fns = new FunctionTable([
    { name: 'plain', rules: [{ match: [{ kind: 'localPref', op: '>', value: 5 }], actions: [{ kind: 'setMed', value: 1 }] }] },
    { name: 'nets', rules: [{ match: [{ kind: 'not', cond: { kind: 'prefix', op: 'within', prefix: '10.0.0.0/8' } }], actions: [{ kind: 'reject' }] }] },
  ]);
  const pol = (rules: Rule[]) => compilePolicy({ name: 'p', rules, default: 'accept' }, fns);
  t.equal(policyReadsPrefix(pol([{ actions: [{ kind: 'call', fn: 'plain' }] }]), fns), false);
  t.equal(policyReadsPrefix(pol([{ actions: [{ kind: 'call', fn: 'plain' }] }])), true, 'an unresolved call may read anything');
  t.equal(policyReadsPrefix(pol([{ actions: [{ kind: 'call', fn: 'nets' }] }]), fns), true);
  t.equal(policyReadsPrefix(pol([{ actions: [{ kind: 'if', match: [{ kind: 'prefixSet', entries: [{ prefix: '10.0.0.0/8' }] }], then: [] }] }]), fns), true);
  t.equal(policyReadsPrefix(pol([{ match: [{ kind: 'any', conds: [{ kind: 'prefix', op: 'equal', prefix: '10.0.0.0/8' }] }], actions: [] }]), fns), true);
});

t.test('importPolicyOf without net conditions: one evaluation per (set, source), same results as evaluating each', async (t) => {
  const interner = new AttrInterner();
  const pol = new CalicoPolicies(calicoInput(), 'ipv4');
  const imp = importPolicyOf(pol.importPolicy({ name: 'Mesh_10_192_0_3', filters: [] }), interner,
    { peerName: 'Mesh_10_192_0_3', peerInternal: true }, pol.functions);
  const src = makeSource({ id: 3, kind: SourceKind.Ibgp, name: 'Mesh_10_192_0_3' });
  const hi = attrs(interner, { localPref: 2147483647 - 10, nextHop: '10.192.0.3' });
  const lo = attrs(interner, { localPref: 100, nextHop: '10.192.0.3' });
  const seen: [unknown, number][] = [];
  for (const [p, a] of [['192.168.20.0/26', hi], ['192.168.21.0/26', hi], ['192.168.22.0/26', lo], ['192.168.23.0/26', hi]] as const) {
    const r = imp(key(p), 0x0101, a, src);
    seen.push([r.attrs, r.preference]);
  }
  t.same(seen, [[hi, 200], [hi, 200], [lo, 100], [hi, 200]]);
  t.equal(hi.refs, 4, 'each accepted route got its own reference');
  t.equal(lo.refs, 2);
});
