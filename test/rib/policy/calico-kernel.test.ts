import t from 'tap';
import { parseConfigText } from '../../../src/config/load';
import { deriveNodeConfig } from '../../../src/config/derive';
import { AttrInterner } from '../../../src/rib/attrs/intern';
import { CalicoPolicies, calicoKernelPolicyDef } from '../../../src/rib/policy/calico';
import { evaluate } from '../../../src/rib/policy/policy';
import type { EvalContext } from '../../../src/rib/policy/types';
import { SourceKind } from '../../../src/rib/types';
import { attrs, ctx } from './helpers';
import { calicoInput, pool } from './calico-fixture';

const interner = new AttrInterner();
const ibgp = (nextHop: string, localPref = 100) => attrs(interner, { nextHop, localPref });

function kernel(c: EvalContext, input = calicoInput()) {
  const r = evaluate(new CalicoPolicies(input, c.prefix.constructor === String ? 'ipv6' : 'ipv4').kernel, c, interner);
  if (r.verdict === 'accept') interner.release(r.attrs);
  return r;
}
const bgp = (p: string, a: ReturnType<typeof attrs>, over: Partial<EvalContext> = {}) => ctx(p, a, { source: SourceKind.Ibgp, ...over });

t.test('IPIP Always pool: tunl0 and krt_metric from local_pref', async (t) => {
  const r = kernel(bgp('192.168.20.0/26', ibgp('10.192.0.3')));
  t.equal(r.verdict, 'accept');
  t.equal(r.krtTunnel, 'tunl0');
  t.equal(r.krtMetric, 2147483647 - 100);
  t.equal(r.preference, 100);
});

t.test('IPIP CrossSubnet pool: no tunnel inside the node subnet, tunl0 outside', async (t) => {
  const same = kernel(bgp('172.16.3.0/26', ibgp('10.192.0.3')));
  t.equal(same.verdict, 'accept');
  t.equal(same.krtTunnel, '');
  const other = kernel(bgp('172.16.3.0/26', ibgp('10.193.0.3')));
  t.equal(other.verdict, 'accept');
  t.equal(other.krtTunnel, 'tunl0');
});

t.test('no-encap pool accepted without a tunnel; VXLAN pool rejected', async (t) => {
  const plain = kernel(bgp('172.17.3.0/26', ibgp('10.192.0.3')));
  t.equal(plain.verdict, 'accept');
  t.equal(plain.krtTunnel, undefined);
  t.equal(kernel(bgp('10.244.3.0/26', ibgp('10.192.0.3'))).verdict, 'reject');
});

t.test('Felix-owned pools are rejected (programClusterRoutes)', async (t) => {
  const input = calicoInput();
  input.advertisements.pools = [pool('ipip', '192.168.0.0/16', { ipipMode: 'Always', programmedByPetrel: false }, { action: 'reject', reason: 'felix-owned' })];
  t.equal(kernel(bgp('192.168.20.0/26', ibgp('10.192.0.3')), input).verdict, 'reject');
  t.equal(kernel(bgp('8.8.8.0/24', ibgp('10.192.0.3')), input).verdict, 'accept', 'outside every pool: accept');
});

t.test('service CIDRs are never programmed', async (t) => {
  t.equal(kernel(ctx('10.101.0.0/16', ibgp(''), { source: SourceKind.Static })).verdict, 'reject');
  t.equal(kernel(bgp('10.101.7.0/24', ibgp('10.192.0.3'))).verdict, 'reject');
});

t.test('krt_metric for BGP routes: normal without local_pref, elevated gets preference 200, existing kept', async (t) => {
  const noLp = kernel(ctx('172.17.3.0/26', attrs(interner, { nextHop: '10.0.0.1' }), { source: SourceKind.Ebgp }));
  t.equal(noLp.krtMetric, 1024);
  t.equal(noLp.preference, 100);
  const elevated = kernel(bgp('172.17.3.5/32', ibgp('10.192.0.3', 2147483647 - 512)));
  t.equal(elevated.krtMetric, 512);
  t.equal(elevated.preference, 200);
  const given = kernel(bgp('172.17.3.0/26', ibgp('10.192.0.3'), { krtMetric: 7 }));
  t.equal(given.krtMetric, 7, 'a defined krt_metric is kept');
  const local = kernel(ctx('192.168.10.0/26', attrs(interner), { source: SourceKind.Static }));
  t.equal(local.verdict, 'accept', 'own block blackhole in a BIRD-owned pool');
  t.equal(local.krtMetric, undefined, 'non-BGP routes get no krt_metric');
  t.equal(local.krtTunnel, 'tunl0');
});

t.test('WireGuard next hops are rejected when configured', async (t) => {
  const input = { ...calicoInput(), wireguardNextHops: { ipv4: ['10.0.0.7'], ipv6: [] } };
  t.equal(kernel(bgp('172.17.3.0/26', ibgp('10.0.0.7')), input).verdict, 'reject');
  t.equal(kernel(bgp('172.17.3.0/26', ibgp('10.0.0.8')), input).verdict, 'accept');
});

t.test('kernel rule order follows the contract; IPv6 emits only rejects', async (t) => {
  const v4 = calicoKernelPolicyDef(calicoInput(), 'ipv4').rules.map((r) => r.comment ?? r.actions[0].kind);
  t.same(v4, [
    'service range', 'setKrtMetric', 'no encapsulation', 'VXLAN routes are handled by Felix.', 'IPIP CrossSubnet',
    'no encapsulation', 'IPIP Always', 'accept',
  ], 'pools in config order; the export-disabled pool 10.9.0.0/16 still gets its kernel statement');
  const v6 = calicoKernelPolicyDef(calicoInput(), 'ipv6').rules.map((r) => r.comment ?? r.actions[0].kind);
  t.same(v6, ['setKrtMetric', 'VXLAN routes are handled by Felix.', 'accept']);
  const k6 = new CalicoPolicies(calicoInput(), 'ipv6').kernel;
  const r = evaluate(k6, bgp('fd00:20::/122', ibgp('fd00::1')), interner);
  t.equal(r.verdict, 'reject');
});

t.test('import policy: elevated local_pref gets preference 200; BGPFilter import functions first', async (t) => {
  const input = calicoInput({
    bgpFilters: { f: { kind: 'BGPFilter', name: 'f', labels: {}, loc: {}, exportV4: [], exportV6: [], importV6: [], importV4: [{ action: 'Reject', cidr: '9.9.0.0/16', matchOperator: 'In' }] } },
  });
  const p = new CalicoPolicies(input, 'ipv4').importPolicy({ name: 'Node_10_0_0_1', filters: ['f'] });
  const ev = (c: EvalContext) => {
    const r = evaluate(p, c, interner);
    if (r.verdict === 'accept') interner.release(r.attrs);
    return r;
  };
  t.equal(ev(bgp('172.17.0.0/26', ibgp('10.0.0.1', 2147482624))).preference, 200);
  t.equal(ev(bgp('172.17.0.0/26', ibgp('10.0.0.1', 2147482623))).preference, 100, 'normal priority is not elevated');
  t.equal(ev(bgp('172.17.0.0/26', ibgp('10.0.0.1', 2147482623))).verdict, 'accept');
  t.equal(ev(bgp('9.9.1.0/24', ibgp('10.0.0.1'))).verdict, 'reject');
});

const YAML = `
apiVersion: projectcalico.org/v3
kind: BGPConfiguration
metadata: { name: default }
spec:
  programClusterRoutes: Enabled
  serviceClusterIPs: [{ cidr: 10.96.0.0/12 }]
---
apiVersion: projectcalico.org/v3
kind: Node
metadata: { name: node-a }
spec: { bgp: { ipv4Address: 10.192.0.2/16 } }
---
apiVersion: projectcalico.org/v3
kind: Node
metadata: { name: node-b }
spec: { bgp: { ipv4Address: 10.192.0.3/16 } }
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: { name: cross }
spec: { cidr: 172.16.0.0/16, ipipMode: CrossSubnet }
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: { name: vx }
spec: { cidr: 10.244.0.0/16, vxlanMode: Always }
---
apiVersion: projectcalico.org/v3
kind: BlockAffinity
metadata: { name: a1 }
spec: { node: node-a, cidr: 172.16.5.0/26, state: confirmed }
`;

t.test('NodeBgpConfig from the config module feeds the Calico policies unchanged', async (t) => {
  const node = deriveNodeConfig(parseConfigText(YAML, 'policy.yaml'), 'node-a');
  const pol = new CalicoPolicies(node, 'ipv4');
  const mesh = node.peers.find((p) => p.kind === 'mesh');
  t.ok(mesh, 'a mesh peer exists');
  const exp = pol.exportPolicy(mesh!);
  const empty = attrs(interner);
  const ev = (c: EvalContext) => {
    const r = evaluate(exp, { ...c, peerName: mesh!.name, peerInternal: mesh!.internal }, interner);
    if (r.verdict === 'accept') interner.release(r.attrs);
    return r.verdict;
  };
  t.equal(ev(ctx('172.16.5.0/26', empty, { source: SourceKind.Static })), 'accept', 'own block');
  t.equal(ev(ctx('172.16.5.9/32', empty, { source: SourceKind.Kernel, ifname: 'cali1', krtMetric: 1024 })), 'reject');
  t.equal(ev(ctx('10.96.0.0/12', empty, { source: SourceKind.Static })), 'accept', 'service range');
  t.equal(ev(ctx('10.244.1.0/26', empty, { source: SourceKind.Kernel, ifname: 'vxlan.calico', krtMetric: 1024 })), 'reject', 'VXLAN device to iBGP');
  const k = (nh: string) => {
    const r = evaluate(pol.kernel, bgp('172.16.9.0/26', ibgp(nh)), interner);
    if (r.verdict === 'accept') interner.release(r.attrs);
    return r.krtTunnel;
  };
  t.equal(k('10.192.0.3'), '', 'CrossSubnet: same subnet');
  t.equal(k('10.200.0.3'), 'tunl0', 'CrossSubnet: other subnet');
  t.equal(evaluate(pol.kernel, bgp('10.244.1.0/26', ibgp('10.192.0.3')), interner).verdict, 'reject', 'VXLAN is Felix\'s');
});
