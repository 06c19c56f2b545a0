import t from 'tap';
import { deriveNodeConfig } from '../../src/config';
import { loadFixture } from './fixtures';

const withProgram = (v: string) => (s: string) => s.replace('  ipv4NormalRoutePriority: 512', `  ipv4NormalRoutePriority: 512\n  programClusterRoutes: ${v}`);

t.test('blocks: confirmed and state-less aggregate; pending dropped; pendingDeletion blackhole only; /32 no blackhole', (t) => {
  const cfg = loadFixture('advert.yaml');
  t.same(cfg.errors, []);
  t.same(cfg.warnings, []);
  const w1 = deriveNodeConfig(cfg, 'w1');
  t.strictSame(w1.advertisements.blocks, [
    { cidr: '10.14.1.0/26', family: 'ipv4', state: 'confirmed', blackhole: true, aggregate: true },
    { cidr: '10.14.2.0/26', family: 'ipv4', state: 'confirmed', blackhole: true, aggregate: true },
    { cidr: '10.14.4.0/26', family: 'ipv4', state: 'pendingDeletion', blackhole: true, aggregate: false },
    { cidr: '10.14.6.7/32', family: 'ipv4', state: 'confirmed', blackhole: false, aggregate: true },
    { cidr: 'fd00:10::40/122', family: 'ipv6', state: 'confirmed', blackhole: true, aggregate: true },
  ]);
  t.same(deriveNodeConfig(cfg, 'w2').advertisements.blocks.map((b) => b.cidr), ['10.14.9.0/26']);
  t.end();
});

t.test('pools under the default programClusterRoutes (EnabledNoEncapOnly): Felix owns IPIP and VXLAN', (t) => {
  const w1 = deriveNodeConfig(loadFixture('advert.yaml'), 'w1');
  const a = w1.advertisements;
  t.equal(a.programClusterRoutes, 'EnabledNoEncapOnly');
  t.same(a.clusterRoutePolicy, { ipip: false, noEncap: true });
  t.same(a.pools.map((p) => [p.cidr, p.export, p.programmedByPetrel, p.kernel]), [
    ['10.10.0.0/16', 'accept', false, { action: 'reject', reason: 'felix-owned' }],
    ['10.11.0.0/16', 'accept', false, { action: 'reject', reason: 'felix-owned' }],
    ['10.12.0.0/16', 'accept', false, { action: 'reject', reason: 'vxlan-felix' }],
    ['10.13.0.0/16', 'reject', true, { action: 'accept', tunnel: 'none' }],
    ['10.14.0.0/16', 'accept', true, { action: 'accept', tunnel: 'none' }],
    ['fd00:10::/48', 'accept', true, { action: 'accept', tunnel: 'none' }],
  ]);
  t.same(a.pools[3], {
    name: 'p-noexport', cidr: '10.13.0.0/16', family: 'ipv4', ipipMode: 'Never', vxlanMode: 'Never', blockSize: 26,
    natOutgoing: false, disabled: true, disableBGPExport: true, export: 'reject', programmedByPetrel: true,
    kernel: { action: 'accept', tunnel: 'none' },
  });
  t.same(a.felixTunnelInterfaces, ['*.cali', '*.calico', 'tunl0']);
  t.same(a.felixOwnedPoolCidrs, ['10.10.0.0/16', '10.11.0.0/16', '10.12.0.0/16']);
  t.same(a.normalRoutePriority, { ipv4: 512, ipv6: 1024 });
  t.end();
});

t.test('programClusterRoutes Enabled: Petrel programs IPIP with tunl0, CrossSubnet against the node subnet', (t) => {
  const a = deriveNodeConfig(loadFixture('advert.yaml', withProgram('Enabled')), 'w1').advertisements;
  t.same(a.pools.slice(0, 3).map((p) => p.kernel), [
    { action: 'accept', tunnel: 'tunl0' },
    { action: 'accept', tunnel: 'crossSubnet', localNetwork: '10.5.0.0/24' },
    { action: 'reject', reason: 'vxlan-felix' },
  ]);
  t.same(a.felixTunnelInterfaces, ['*.cali', '*.calico']);
  t.same(a.felixOwnedPoolCidrs, ['10.12.0.0/16']);
  const d = deriveNodeConfig(loadFixture('advert.yaml', withProgram('Disabled')), 'w1').advertisements;
  t.same(d.pools.map((p) => p.programmedByPetrel), [false, false, false, false, false, false]);
  t.same(d.felixOwnedPoolCidrs, ['10.10.0.0/16', '10.11.0.0/16', '10.12.0.0/16', '10.14.0.0/16', 'fd00:10::/48']);
  t.end();
});

t.test('a node without IPv4 gets no IPv4 kernel statements (confd needs network_v4)', (t) => {
  const a = deriveNodeConfig(loadFixture('advert.yaml'), 'v6only', { CALICO_ROUTER_ID: '10.255.0.9' }).advertisements;
  t.same(a.pools.map((p) => p.kernel ?? null), [null, null, null, null, null, { action: 'accept', tunnel: 'none' }]);
  t.end();
});

t.test('services: whole ranges, exclusion label, RR extra exports, env override of cluster IPs', (t) => {
  const cfg = loadFixture('advert.yaml');
  const w1 = deriveNodeConfig(cfg, 'w1').advertisements.services;
  t.strictSame(w1, {
    clusterIPs: ['10.96.0.0/12'], externalIPs: ['192.0.2.0/24'], loadBalancerIPs: ['198.51.100.0/24', '198.51.100.7/32'],
    loadBalancerAggregation: 'Enabled',
    staticRoutes: [],
    rejectCidrs: ['10.96.0.0/12', '192.0.2.0/24', '198.51.100.0/24'],
    rrExportRanges: [],
    excludedByLabel: true,
  });
  const w2 = deriveNodeConfig(cfg, 'w2', { CALICO_ADVERTISE_CLUSTER_IPS: '10.100.0.0/16' }).advertisements.services;
  t.same(w2.staticRoutes, ['10.100.0.0/16', '192.0.2.0/24', '198.51.100.0/24']);
  t.equal(w2.excludedByLabel, false);
  const rr = deriveNodeConfig(cfg, 'rr').advertisements.services;
  t.same(rr.rrExportRanges, ['192.0.2.0/24', '198.51.100.0/24', '198.51.100.7/32']);
  t.end();
});

t.test('communities: names resolved, deduplicated, sorted; node.<name> replaces the default list', (t) => {
  const cfg = loadFixture('advert.yaml');
  t.same(deriveNodeConfig(cfg, 'w1').advertisements.communities, [
    { cidr: '10.14.0.0/16', family: 'ipv4', standard: [[65000, 0], [65000, 1]], large: [[65000, 2, 3]] },
    { cidr: 'fd00:10::/48', family: 'ipv6', standard: [[65000, 6]], large: [] },
  ]);
  t.same(deriveNodeConfig(cfg, 'w2').advertisements.communities, []);
  t.end();
});

t.test('direct interfaces: ignored interfaces first, then cali* and kube-ipvs* excluded, all else included', (t) => {
  const a = deriveNodeConfig(loadFixture('advert.yaml'), 'w1').advertisements;
  t.same(a.ignoredInterfaces, ['docker*']);
  t.same(a.directInterfaces, [
    { pattern: 'docker*', include: false },
    { pattern: 'cali*', include: false },
    { pattern: 'kube-ipvs*', include: false },
    { pattern: '*', include: true },
  ]);
  t.end();
});
