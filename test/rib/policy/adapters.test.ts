import t from 'tap';
import { AttrInterner } from '../../../src/rib/attrs/intern';
import { exportPolicyOf, importPolicyOf } from '../../../src/rib/policy/adapters';
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
