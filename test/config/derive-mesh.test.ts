import t from 'tap';
import { deriveNodeConfig, type PeerConfig } from '../../src/config';
import { loadFixture } from './fixtures';

const brief = (p: PeerConfig) => ({ name: p.name, passive: p.passive, peerAs: p.peerAs, port: p.port, kind: p.kind });

t.test('three-node mesh: names, ports, AS and passive flags by string comparison', (t) => {
  const cfg = loadFixture('mesh-3.yaml');
  t.same(cfg.errors, []);
  t.same(cfg.warnings, []);
  const n9 = deriveNodeConfig(cfg, 'n9');
  // "10.0.0.10" and "10.0.0.11" sort before "10.0.0.9": n9 is never passive although its IP is numerically lowest.
  t.same(n9.peers.map(brief), [
    { name: 'Mesh_10_0_0_10', passive: false, peerAs: 64512, port: 1790, kind: 'mesh' },
    { name: 'Mesh_10_0_0_11', passive: false, peerAs: 64600, port: undefined, kind: 'mesh' },
  ]);
  const n10 = deriveNodeConfig(cfg, 'n10');
  t.same(n10.peers.map(brief), [
    { name: 'Mesh_10_0_0_11', passive: true, peerAs: 64600, port: undefined, kind: 'mesh' },
    { name: 'Mesh_10_0_0_9', passive: true, peerAs: 64512, port: undefined, kind: 'mesh' },
  ]);
  t.equal(n10.listen.port, 1790);
  t.equal(n10.listen.portConfigured, true);
  const n11 = deriveNodeConfig(cfg, 'n11');
  t.equal(n11.localAs, 64600);
  t.same(n11.peers.map(brief), [
    { name: 'Mesh_10_0_0_10', passive: false, peerAs: 64512, port: 1790, kind: 'mesh' },
    { name: 'Mesh_10_0_0_9', passive: true, peerAs: 64512, port: undefined, kind: 'mesh' },
  ]);
  t.end();
});

t.test('mesh peers carry source address, TTL, password reference and restart time', (t) => {
  const n9 = deriveNodeConfig(loadFixture('mesh-3.yaml'), 'n9');
  const p = n9.peers[1];
  t.same(p, {
    name: 'Mesh_10_0_0_11', kind: 'mesh', family: 'ipv4', peerIp: '10.0.0.11', peerAs: 64600, localAs: 64512,
    sourceAddress: '10.0.0.9', passive: false, multihop: 64, rrClient: false, nextHopMode: 'auto', filters: [],
    internal: false, calicoNode: true, origin: 'node-to-node mesh',
    password: { secretKeyRef: { name: 'bgp-secrets', key: 'mesh' }, resolved: true, digest: '087df99ec6a9f10a0646018b3cdac08f1e25a01bf1a930de10599ab554c853e4' }, gracefulRestartTime: 90,
  });
  t.equal(n9.peers[0].internal, true);
  t.equal(n9.meshActive, true);
  t.end();
});

t.test('nodeToNodeMeshEnabled: false removes every mesh peer', (t) => {
  const cfg = loadFixture('mesh-3.yaml', (s) => s.replace('  nodeMeshMaxRestartTime: 90s', '  nodeMeshMaxRestartTime: 90s\n  nodeToNodeMeshEnabled: false'));
  const n9 = deriveNodeConfig(cfg, 'n9');
  t.same(n9.peers, []);
  t.equal(n9.meshActive, false);
  t.end();
});

t.test('route reflector cluster: RRs leave the mesh, clients skip RRs in the mesh', (t) => {
  const cfg = loadFixture('rr.yaml');
  t.same(cfg.errors, []);
  const c1 = deriveNodeConfig(cfg, 'c1');
  t.same(c1.peers.map((p) => [p.name, p.kind, p.passive, p.rrClient, p.internal]), [
    ['Mesh_10_0_1_12', 'mesh', true, false, true],
    ['Node_10_0_1_1', 'node', false, false, true],
    ['Node_10_0_1_2', 'node', false, false, true],
  ]);
  t.equal(c1.peers[1].origin, 'BGPPeer/peer-with-rrs');
  t.equal(c1.peers[1].calicoNode, true);

  const rr1 = deriveNodeConfig(cfg, 'rr1');
  t.equal(rr1.meshActive, false);
  t.equal(rr1.rrClusterId, '224.0.0.1');
  t.same(rr1.peers.map((p) => [p.name, p.rrClient, p.rrClusterId ?? null, p.origin]), [
    // Clients (no cluster id) are reached through the reverse peering of peer-with-rrs and are RR clients.
    ['Node_10_0_1_11', true, '224.0.0.1', 'BGPPeer/peer-with-rrs (reverse)'],
    ['Node_10_0_1_12', true, '224.0.0.1', 'BGPPeer/peer-with-rrs (reverse)'],
    // The other RR has the same cluster id: a plain iBGP peer, not a client.
    ['Node_10_0_1_2', false, null, 'BGPPeer/peer-with-rrs'],
  ]);
  t.end();
});

t.test('an RR client rule needs iBGP: an eBGP peer of an RR is never an rr client', (t) => {
  const cfg = loadFixture('rr.yaml', (s) => s + `---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: ext}
spec: {node: rr1, peerIP: 192.0.2.9, asNumber: 65099}
`);
  const rr1 = deriveNodeConfig(cfg, 'rr1');
  const ext = rr1.peers.find((p) => p.name === 'Node_192_0_2_9');
  t.equal(ext?.rrClient, false);
  t.equal(ext?.internal, false);
  t.equal(ext?.rrClusterId, undefined);
  t.end();
});
