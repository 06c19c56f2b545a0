import t from 'tap';
import { ConfigError } from '../../src/util/errors';
import { deriveNodeConfig, hashToIPv4, parseConfigText, type PeerConfig } from '../../src/config';
import { loadFixture, thrown } from './fixtures';

const row = (p: PeerConfig) => [p.name, p.peerAs, p.localAs, p.passive, p.internal, p.origin];

t.test('global, node-specific, selector and reverse peerings per node', (t) => {
  const cfg = loadFixture('peers.yaml');
  t.same(cfg.errors, []);
  t.same(cfg.warnings.map((w) => w.message), [
    'BGPPeer "node-a-only" references unknown BGPFilter "missing-filter" (skipped, as confd does) at peers.yaml:52',
  ]);
  const a = deriveNodeConfig(cfg, 'a');
  t.same(a.peers.map(row), [
    ['Global_10_1_0_252_port_179', 65000, 64512, false, false, 'BGPPeer/global-tor-179'],
    ['Global_10_1_0_253_port_1179', 65000, 64512, false, false, 'BGPPeer/global-tor-port'],
    ['Global_10_1_0_254', 65000, 64512, false, false, 'BGPPeer/global-tor'],
    // A global peer whose IP is a Calico node: port auto-filled from node.d's listenPort, passive on the lower IPs.
    ['Global_10_1_0_4_port_1790', 64512, 64512, true, true, 'BGPPeer/global-to-d'],
    ['Node_10_1_0_3', 65010, 64512, false, false, 'BGPPeer/edge-peers'],
    ['Node_192_0_2_1', 65100, 65555, false, false, 'BGPPeer/node-a-only'],
  ]);
  const b = deriveNodeConfig(cfg, 'b');
  t.same(b.peers.map((p) => p.name), [
    'Global_10_1_0_252_port_179', 'Global_10_1_0_253_port_1179', 'Global_10_1_0_254', 'Global_10_1_0_4_port_1790',
    'Node_10_1_0_3', 'Node_192_0_2_2',
  ]);
  const c = deriveNodeConfig(cfg, 'c');
  // to-d would give c a node-specific peering to 10.1.0.4:1790, but the global one to the same IP/port wins.
  t.same(c.peers.map(row).slice(3), [
    ['Global_10_1_0_4_port_1790', 64512, 65010, true, false, 'BGPPeer/global-to-d'],
    ['Node_10_1_0_1', 64512, 65010, false, false, 'BGPPeer/edge-peers (reverse)'],
    ['Node_10_1_0_2', 64512, 65010, false, false, 'BGPPeer/edge-peers (reverse)'],
  ]);
  const d = deriveNodeConfig(cfg, 'd');
  t.same(d.peers.map(row).slice(3), [
    ['Node_10_1_0_1', 64512, 64512, false, true, 'BGPPeer/global-to-d (reverse)'],
    ['Node_10_1_0_2', 64512, 64512, false, true, 'BGPPeer/global-to-d (reverse)'],
    ['Node_10_1_0_3', 65010, 64512, false, false, 'BGPPeer/global-to-d (reverse)'],
  ]);
  t.equal(d.listen.port, 1790);
  t.end();
});

t.test('every BGPPeer option reaches the derived peer', (t) => {
  const a = deriveNodeConfig(loadFixture('peers.yaml'), 'a');
  t.strictSame(a.peers.find((p) => p.name === 'Node_192_0_2_1'), {
    name: 'Node_192_0_2_1', kind: 'node', family: 'ipv4', peerIp: '192.0.2.1', peerAs: 65100, localAs: 65555,
    passive: false, multihop: 2, rrClient: false, nextHopMode: 'self', filters: ['f1'], internal: false,
    calicoNode: false, origin: 'BGPPeer/node-a-only', localAsOverride: 65555, sourceAddress: '10.1.0.1',
    ttlSecurity: 2, password: { secretKeyRef: { name: 'bgp-secrets', key: 'upstream' }, resolved: true, digest: '020c79bef7c9318f06e146be675e3e0356bc8bd9daf4cfafb75a2ab648e3e64b' },
    gracefulRestartTime: 120, keepaliveTime: 20, allowLocalAs: 1, reachableBy: '10.1.0.250',
  });
  t.same(Object.keys(a.bgpFilters), ['f1']);
  t.same(a.advertisements.reachableByRoutes, [{ prefix: '192.0.2.1/32', via: '10.1.0.250' }]);
  const b = deriveNodeConfig(loadFixture('peers.yaml'), 'b');
  const z2 = b.peers.find((p) => p.name === 'Node_192_0_2_2');
  t.equal(z2?.sourceAddress, undefined, 'sourceAddress None: no source address');
  t.equal(z2?.nextHopMode, 'keep', 'keepOriginalNextHop on eBGP gives next hop keep');
  t.end();
});

t.test('keepOriginalNextHop is ignored for iBGP peers', (t) => {
  const cfg = loadFixture('peers.yaml', (s) => s.replace('  peerIP: 192.0.2.2\n  asNumber: 65100', '  peerIP: 192.0.2.2\n  asNumber: 64512'));
  const z2 = deriveNodeConfig(cfg, 'b').peers.find((p) => p.name === 'Node_192_0_2_2');
  t.equal(z2?.internal, true);
  t.equal(z2?.nextHopMode, 'auto');
  t.end();
});

t.test('reversePeering: Manual suppresses the reverse peerings', (t) => {
  const cfg = loadFixture('peers.yaml', (s) => s.replace("  peerSelector: role == 'edge'", "  peerSelector: role == 'edge'\n  reversePeering: Manual"));
  t.same(cfg.errors, []);
  const c = deriveNodeConfig(cfg, 'c');
  t.same(c.peers.map((p) => p.name), [
    'Global_10_1_0_252_port_179', 'Global_10_1_0_253_port_1179', 'Global_10_1_0_254', 'Global_10_1_0_4_port_1790',
  ]);
  t.end();
});

t.test('IPv6 peers: names with : → _, port suffix, v6 source address, string-compared passive', (t) => {
  const cfg = loadFixture('v6.yaml');
  t.same(cfg.errors, []);
  const x = deriveNodeConfig(cfg, 'x');
  t.same(x.peers.map((p) => [p.name, p.family, p.peerIp, p.sourceAddress, p.passive, p.port ?? null]), [
    ['Global_10_2_0_254', 'ipv4', '10.2.0.254', '10.2.0.1', false, null],
    ['Global_fd00_ff__1_port_1790', 'ipv6', 'fd00:ff::1', 'fd00:2::1', false, 1790],
    ['Mesh_10_2_0_2', 'ipv4', '10.2.0.2', '10.2.0.1', true, null],
    ['Mesh_fd00_2__10', 'ipv6', 'fd00:2::10', 'fd00:2::1', true, null],
    // y wrote fd00:2:0:0::2; addresses are canonicalised (RFC 5952) before naming and comparing.
    ['Mesh_fd00_2__2', 'ipv6', 'fd00:2::2', 'fd00:2::1', true, null],
  ]);
  t.same(x.ipv6, { ip: 'fd00:2::1', prefixLength: 64, network: 'fd00:2::/64' });
  const z = deriveNodeConfig(cfg, 'z', { CALICO_ROUTER_ID: 'hash' });
  t.same(z.peers.map((p) => [p.name, p.passive]), [
    ['Global_fd00_ff__1_port_1790', false],
    ['Mesh_fd00_2__1', false],
    ['Mesh_fd00_2__2', true],
  ]);
  t.end();
});

t.test('router id: PetrelConfiguration, CALICO_ROUTER_ID, hash, node IPv4, or an error', (t) => {
  const cfg = loadFixture('v6.yaml');
  t.same([deriveNodeConfig(cfg, 'x').routerId, deriveNodeConfig(cfg, 'x').routerIdSource], ['10.2.0.1', 'node-ipv4']);
  const env = deriveNodeConfig(cfg, 'x', { CALICO_ROUTER_ID: '192.0.2.77' });
  t.same([env.routerId, env.routerIdSource], ['192.0.2.77', 'env']);
  const hashed = deriveNodeConfig(cfg, 'z', { CALICO_ROUTER_ID: 'hash' });
  t.same([hashed.routerId, hashed.routerIdSource], ['89.78.81.154', 'hash']);
  const noId = thrown(() => deriveNodeConfig(cfg, 'z'));
  t.ok(noId instanceof ConfigError);
  t.equal(noId?.message, 'v6.yaml:12: Node[z].spec.bgp.ipv4Address: node "z" has no IPv4 address: set CALICO_ROUTER_ID (an IPv4 address or "hash") or PetrelConfiguration.spec.routerId');
  t.equal(thrown(() => deriveNodeConfig(cfg, 'x', { CALICO_ROUTER_ID: 'bogus' }))?.message,
    'env.CALICO_ROUTER_ID: CALICO_ROUTER_ID must be an IPv4 address or "hash" (got "bogus")');
  const withPetrel = parseConfigText(`${'apiVersion: petrel/v1\nkind: PetrelConfiguration\nmetadata: {name: p}\nspec: {routerId: 10.255.0.1}\n---\n'}apiVersion: projectcalico.org/v3\nkind: Node\nmetadata: {name: q}\nspec: {bgp: {ipv4Address: 10.3.0.1/24}}\n`, 'p.yaml');
  const q = deriveNodeConfig(withPetrel, 'q', { CALICO_ROUTER_ID: 'hash' });
  t.same([q.routerId, q.routerIdSource], ['10.255.0.1', 'petrel']);
  t.end();
});

t.test('hashToIPv4 matches Calico HashToIPv4, including the first-octet > 223 rule', (t) => {
  t.equal(hashToIPv4('node-1'), '53.151.27.230');
  t.equal(hashToIPv4('kube-node-2'), '142.112.61.133');
  t.equal(hashToIPv4('n13'), '212.245.13.237', 'SHA-256 starts with 244 → 212');
  t.end();
});

t.test('deriving for an unknown node or from an invalid config throws', (t) => {
  t.equal(thrown(() => deriveNodeConfig(loadFixture('v6.yaml'), 'nope'))?.message, 'Node: no Node resource named "nope"');
  const bad = parseConfigText('apiVersion: projectcalico.org/v3\nkind: Node\nmetadata: {name: q}\nspec: {bgp: {asNumber: 0}}\n', 'bad.yaml');
  const e = thrown(() => deriveNodeConfig(bad, 'q'));
  t.equal(e?.name, 'ConfigErrors');
  t.equal(e?.message, '1 configuration error:\n  bad.yaml:4: Node[q].spec.bgp.asNumber: is not a valid AS number (1..4294967295 or asdot X.Y) (got 0)');
  t.end();
});
