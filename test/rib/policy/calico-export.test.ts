import t, { type Test } from 'tap';
import { AttrInterner } from '../../../src/rib/attrs/intern';
import { CalicoPolicies, calicoExportPolicyDef, exportToBgpPeersDef } from '../../../src/rib/policy/calico';
import { evaluate } from '../../../src/rib/policy/policy';
import type { EvalContext, PolicyResult } from '../../../src/rib/policy/types';
import { SourceKind } from '../../../src/rib/types';
import { attrs, ctx } from './helpers';
import { calicoInput, filter } from './calico-fixture';

const MESH = { peerName: 'Mesh_10_192_0_3', peerInternal: true };
const EBGP = { peerName: 'Global_10_0_0_1', peerInternal: false };
const LP_NORMAL = 2147483647 - 1024;

function setup(input = calicoInput()) {
  const interner = new AttrInterner();
  const policies = new CalicoPolicies(input, 'ipv4');
  const exportPolicy = policies.exportPolicy({ name: 'Mesh_10_192_0_3', filters: [] });
  const empty = attrs(interner);
  const start = interner.stats();
  const results: PolicyResult[] = [];
  const exp = (c: EvalContext, peer = MESH): PolicyResult => {
    const r = evaluate(exportPolicy, { ...c, ...peer }, interner, undefined);
    if (r.verdict === 'accept') results.push(r);
    return r;
  };
  const done = (t: Test) => {
    for (const r of results) interner.release(r.attrs);
    t.same(interner.stats(), start, 'refcounts back to the start');
  };
  return { interner, policies, empty, exp, done };
}

const staticRoute = (p: string, a: ReturnType<typeof attrs>) => ctx(p, a, { source: SourceKind.Static, sourceName: 'static1' });
const kernelRoute = (p: string, a: ReturnType<typeof attrs>, ifname: string, krtMetric: number) =>
  ctx(p, a, { source: SourceKind.Kernel, sourceName: 'kernel1', ifname, krtMetric });

t.test('the confirmed block aggregate is accepted for mesh and eBGP peers, with the prelude and communities', async (t) => {
  const { empty, exp, done } = setup();
  for (const peer of [MESH, EBGP]) {
    const r = exp(staticRoute('192.168.10.0/26', empty), peer);
    t.equal(r.verdict, 'accept');
    t.equal(r.krtMetric, 1024, 'krt_metric defaulted to the normal priority');
    t.equal(r.attrs.localPref, LP_NORMAL, 'bgp_local_pref = 2147483647 - krt_metric');
    t.same(r.attrs.communities?.value, [100 * 65536 + 6532], 'prefixAdvertisements community');
    t.same(r.attrs.largeCommunities?.value, [[100, 555, 107]]);
  }
  done(t);
});

t.test('a /32 inside the own block is suppressed unless krt_metric < 1024', async (t) => {
  const { empty, exp, done } = setup();
  t.equal(exp(kernelRoute('192.168.10.5/32', empty, 'cali1234', 1024)).verdict, 'reject');
  t.equal(exp(kernelRoute('192.168.10.5/32', empty, 'cali1234', 1024), EBGP).verdict, 'reject');
  const elevated = exp(kernelRoute('192.168.10.5/32', empty, 'cali1234', 512));
  t.equal(elevated.verdict, 'accept', 'elevated priority escapes aggregation');
  t.equal(elevated.attrs.localPref, 2147483647 - 512);
  done(t);
});

t.test('a borrowed /32 of another block in the pool is accepted by the pool rule', async (t) => {
  const { empty, exp, done } = setup();
  const r = exp(kernelRoute('192.168.20.5/32', empty, 'cali99', 1024));
  t.equal(r.verdict, 'accept');
  t.equal(r.attrs.localPref, LP_NORMAL);
  t.same(r.attrs.communities?.value, [100 * 65536 + 6532]);
  t.equal(exp(kernelRoute('192.168.20.5/32', empty, 'cali99', 1024), EBGP).verdict, 'accept');
  done(t);
});

t.test('a pendingDeletion block is not aggregated: its /32s fall through to the pool accept', async (t) => {
  const { empty, exp, done } = setup();
  t.equal(exp(kernelRoute('192.168.10.70/32', empty, 'cali1', 1024)).verdict, 'accept');
  t.equal(exp(staticRoute('192.168.10.64/26', empty)).verdict, 'accept');
  done(t);
});

t.test('routes in a BGP-export-disabled pool are rejected for every peer', async (t) => {
  const { empty, exp, done } = setup();
  t.equal(exp(staticRoute('10.9.1.0/26', empty)).verdict, 'reject');
  t.equal(exp(staticRoute('10.9.1.0/26', empty), EBGP).verdict, 'reject');
  t.equal(exp(kernelRoute('10.9.1.7/32', empty, 'cali5', 512), EBGP).verdict, 'reject', 'before aggregation');
  done(t);
});

t.test('tunnel-device routes are rejected for iBGP peers only', async (t) => {
  const { empty, exp, done } = setup();
  for (const ifname of ['vxlan.calico', 'wireguard.cali', 'tunl0']) {
    t.equal(exp(kernelRoute('10.244.3.0/26', empty, ifname, 1024)).verdict, 'reject', `${ifname} to mesh`);
    t.equal(exp(kernelRoute('10.244.3.0/26', empty, ifname, 1024), EBGP).verdict, 'accept', `${ifname} to eBGP`);
  }
  t.equal(exp(kernelRoute('10.244.3.0/26', empty, 'eth0', 1024)).verdict, 'accept', 'other devices pass');
  done(t);
});

t.test('tunl0 routes pass to iBGP when Petrel owns IPIP (felixTunnelInterfaces without tunl0)', async (t) => {
  const { empty, exp, done } = setup(calicoInput({ felixTunnelInterfaces: ['*.cali', '*.calico'] }));
  t.equal(exp(kernelRoute('192.168.30.0/26', empty, 'tunl0', 1024)).verdict, 'accept');
  t.equal(exp(kernelRoute('192.168.30.0/26', empty, 'vxlan.calico', 1024)).verdict, 'reject');
  done(t);
});

t.test('BPF-local routes (bpf*.cali) are rejected for every peer', async (t) => {
  const { empty, exp, done } = setup();
  t.equal(exp(kernelRoute('192.168.20.9/32', empty, 'bpfout.cali', 1024)).verdict, 'reject');
  t.equal(exp(kernelRoute('192.168.20.9/32', empty, 'bpfout.cali', 1024), EBGP).verdict, 'reject');
  done(t);
});

t.test('service routes are accepted; RR service ranges only when configured; others rejected', async (t) => {
  const { empty, exp, done } = setup(calicoInput({ rrExportRanges: ['10.50.0.0/16'] }));
  const svc = exp(staticRoute('10.101.0.0/16', empty));
  t.equal(svc.verdict, 'accept');
  t.equal(svc.attrs.communities, null, 'no community outside prefixAdvertisements');
  t.equal(exp(staticRoute('10.50.0.0/16', empty)).verdict, 'accept');
  t.equal(exp(ctx('8.8.8.0/24', empty)).verdict, 'reject', 'final reject');
  done(t);
  const plain = setup();
  t.equal(plain.exp(staticRoute('10.50.0.0/16', plain.empty)).verdict, 'reject');
  plain.done(t);
});

t.test('a BGP route with local_pref gets krt_metric from it and keeps its attribute set', async (t) => {
  const { interner, exp, done } = setup();
  const learned = attrs(interner, { localPref: 100, nextHop: '10.192.0.3', asPath: [] });
  const r = exp(ctx('172.17.3.0/26', learned, { source: SourceKind.Ibgp, ifname: 'eth0' }), EBGP);
  t.equal(r.verdict, 'accept');
  t.equal(r.krtMetric, 2147483647 - 100);
  t.equal(r.attrs, learned, 'unchanged: same object');
  interner.release(learned);
  done(t);
});

t.test('BGPFilter export functions run after the prelude and before calico_export_to_bgp_peers', async (t) => {
  const input = calicoInput({
    bgpFilters: {
      edge: filter('edge', {
        exportV4: [
          { action: 'Reject', cidr: '192.168.10.0/26', matchOperator: 'Equal', peerType: 'eBGP' },
          { action: 'Accept', cidr: '8.8.8.0/24', matchOperator: 'Equal', priority: 1024, operations: [{ addCommunity: { value: '65000:1' } }] },
        ],
      }),
    },
  });
  const interner = new AttrInterner();
  const policies = new CalicoPolicies(input, 'ipv4');
  const p = policies.exportPolicy({ name: 'Global_10_0_0_1', filters: ['edge', 'missing'] });
  t.same(p.def.rules.map((r) => r.actions[0]?.kind === 'call' ? (r.actions[0] as { fn: string }).fn : r.actions[0]?.kind),
    ['krtMetricFromLocalPref', 'bgp_edge_exportFilterV4', 'calico_export_to_bgp_peers', 'reject']);
  const empty = attrs(interner);
  const ev = (c: EvalContext, peer: typeof MESH) => evaluate(p, { ...c, ...peer }, interner);
  t.equal(ev(staticRoute('192.168.10.0/26', empty), EBGP).verdict, 'reject', 'filter reject ends the export');
  const mesh = ev(staticRoute('192.168.10.0/26', empty), MESH);
  t.equal(mesh.verdict, 'accept', 'peerType eBGP rule skipped for iBGP');
  interner.release(mesh.attrs);
  const r = ev(ctx('8.8.8.0/24', empty), EBGP);
  t.equal(r.verdict, 'accept', 'priority condition sees the local_pref set by the prelude');
  t.same(r.attrs.communities?.value, [65000 * 65536 + 1]);
  interner.release(r.attrs);
  t.equal(policies.exportPolicy({ name: 'other', filters: ['edge', 'missing'] }), p, 'same filters share one policy');
});

t.test('IPv6: block aggregate accepted, /128 inside suppressed, pool accepted', async (t) => {
  const interner = new AttrInterner();
  const p = new CalicoPolicies(calicoInput(), 'ipv6').exportPolicy({ name: 'Mesh_fd00__3', filters: [] });
  const empty = attrs(interner);
  const ev = (c: EvalContext) => evaluate(p, { ...c, ...MESH }, interner);
  const block = ev(staticRoute('fd00:10:0:1::/122', empty));
  t.equal(block.verdict, 'accept');
  t.equal(block.attrs.communities, null, 'IPv4 prefixAdvertisements do not apply');
  interner.release(block.attrs);
  t.equal(ev(kernelRoute('fd00:10:0:1::5/128', empty, 'cali1', 1024)).verdict, 'reject');
  const borrowed = ev(kernelRoute('fd00:10:0:2::5/128', empty, 'cali1', 1024));
  t.equal(borrowed.verdict, 'accept');
  interner.release(borrowed.attrs);
  t.equal(ev(staticRoute('10.101.0.0/16', empty)).verdict, 'reject', 'IPv4 statics are not in the IPv6 policy');
});

t.test('calico_export_to_bgp_peers keeps the contract order', async (t) => {
  const fn = exportToBgpPeersDef(calicoInput({ rrExportRanges: ['10.50.0.0/16'] }), 'ipv4');
  const summary = fn.rules.map((r) => {
    const a = r.actions[0];
    const m = r.match?.find((c) => c.kind === 'prefix') as { prefix: string } | undefined;
    return a.kind === 'call' ? `call ${a.fn}` : `${a.kind} ${m ? m.prefix : r.match?.[0]?.kind}`;
  });
  t.same(summary, [
    'reject 10.9.0.0/16', 'reject peerType', 'call reject_local_routes', 'call apply_communities', 'call calico_aggr',
    'accept 10.101.0.0/16', 'accept 10.50.0.0/16',
    'accept 10.244.0.0/16', 'accept 172.16.0.0/16', 'accept 172.17.0.0/16', 'accept 192.168.0.0/16',
  ]);
  const def = calicoExportPolicyDef(calicoInput(), { name: 'x', filters: [] }, 'ipv4');
  t.equal(def.default, 'reject');
});
