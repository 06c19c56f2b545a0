/**
 * FRR as the route reflector (AS 64512, `route-reflector-client` toward both nodes) for two Petrel clients: the
 * Calico mesh is off and one global BGPPeer points every node at the RR, as for an external RR in Calico's docs.
 * Asserts: each node has exactly the Global_ session to the RR, Established, iBGP; FRR's IPv4 RIB holds both
 * blocks from their owners plus its own network; each Petrel node's whole best-path table is its own block, the
 * other node's block learned via the RR with the other node as next hop (unchanged by reflection), and the RR's
 * network, and no other path (nothing of its own comes back).
 *
 * Addresses: 10.95.0.0/24 on the segment, pool 10.244.0.0/16, RR network 10.251.0.0/24.
 */
import t from 'tap';
import { FrrDriver, waitFor } from '../lib/index.js';
import { buildLan } from '../lib/lan.js';
import { bgpConfiguration, bgpPeer, blockAffinity, calicoNode, ipPool, petrelConfiguration, writeCalicoConfig } from '../lib/calico-resources.js';
import { bestTable, petrelRoutes, startPetrelNodes, waitPeersEstablished, waitRoutes } from '../lib/petrel-nodes.js';

const RR = { ip: '10.95.0.10', net: '10.251.0.0/24' };
const NODES = [
  { name: 'node-a', ip: '10.95.0.11', block: '10.244.1.0/26' },
  { name: 'node-b', ip: '10.95.0.12', block: '10.244.2.0/26' },
] as const;
const RR_PEER = 'Global_10_95_0_10';

t.test('FRR route reflector for two Petrel clients', async (t) => {
  const lan = await buildLan(t, 'frr', [{ name: 'rr', addresses: [`${RR.ip}/24`] }, ...NODES.map((n) => ({ name: n.name, addresses: [`${n.ip}/24`] }))]);
  const config = writeCalicoConfig(t, [
    bgpConfiguration({ asNumber: 64512, nodeToNodeMeshEnabled: false }),
    ...NODES.map((n) => calicoNode(n.name, { ipv4Address: `${n.ip}/24` })),
    bgpPeer('external-rr', { peerIP: RR.ip, asNumber: 64512 }),
    ipPool('pool-v4', '10.244.0.0/16', 26),
    ...NODES.map((n) => blockAffinity(n.name, n.block)),
    petrelConfiguration(),
  ]);
  const frr = new FrrDriver(lan.hosts['rr']!.name, {
    name: 'rr', routerId: RR.ip, localAs: 64512, networks: [RR.net],
    neighbors: NODES.map((n) => ({ address: n.ip, remoteAs: 64512, rrClient: true, connectRetryTime: 1 })),
  });
  t.teardown(() => frr.stop());
  const nodes = startPetrelNodes(t, config, NODES.map((n) => [n.name, lan.hosts[n.name]!] as const));
  await frr.start();

  for (const n of nodes) {
    const peers = await waitPeersEstablished(n, [RR_PEER], 30_000);
    t.same(peers.map((p) => [p.name, p.type, p.peerAs, p.routerId]), [[RR_PEER, 'ibgp', 64512, RR.ip]], `${n.name}: one iBGP session, to the RR`);
  }

  const frrRib = await waitFor(async () => {
    const r = await frr.getRoutes('ipv4');
    return r.length === 3 && r;
  }, 30_000, 'FRR RIB: two blocks and its network');
  t.same(
    frrRib.map((r) => [r.prefix, r.nextHop, r.learnedFrom ?? 'local', r.best]),
    [[NODES[0].block, NODES[0].ip, NODES[0].ip, true], [NODES[1].block, NODES[1].ip, NODES[1].ip, true], [RR.net, '0.0.0.0', 'local', true]],
    'FRR RIB: each block from its owner',
  );

  for (const [i, n] of nodes.entries()) {
    const other = NODES[1 - i]!;
    const want: Record<string, string[]> = {
      [NODES[i]!.block]: ['static1', ''],
      [other.block]: [RR_PEER, other.ip, ''],
      [RR.net]: [RR_PEER, RR.ip, ''],
    };
    await waitRoutes(n, 'ipv4', (r) => Object.keys(want).every((p) => r.some((x) => x.prefix === p && x.best)), 'the other block and the RR network', 30_000);
    const routes = await petrelRoutes(n, 'ipv4');
    t.same(bestTable(routes), want, `${n.name}: ${other.block} via the RR with next hop ${other.ip}`);
    t.same(routes.filter((r) => !r.best).map((r) => [r.prefix, r.source]), [], `${n.name}: no second path (own block not reflected back)`);
  }
});
