/**
 * A 3-node Petrel iBGP node-to-node mesh derived from Calico resources (nodeToNodeMeshEnabled: true, no other
 * peers). Asserts from `petrel show peers|routes --json`: each node has exactly two sessions, named
 * Mesh_<other node IP>, iBGP, AS 64512, Established; in every pair exactly one side is passive (the higher IP,
 * compared as strings, waits: confd's rule); each node's whole best-path table is its own block (static1) plus
 * the other two nodes' blocks learned from their owners (next hop the owner, empty AS path).
 *
 * Addresses: 10.97.0.0/24 on the segment, pool 10.244.0.0/16, inside namespaces made here.
 */
import t from 'tap';
import { buildLan } from '../lib/lan.js';
import { bgpConfiguration, blockAffinity, calicoNode, ipPool, petrelConfiguration, meshPeerName, writeCalicoConfig } from '../lib/calico-resources.js';
import { bestTable, petrelRoutes, startPetrelNodes, waitPeersEstablished, waitRoutes } from '../lib/petrel-nodes.js';

const NODES = [
  { name: 'node-1', ip: '10.97.0.1', block: '10.244.1.0/26' },
  { name: 'node-2', ip: '10.97.0.2', block: '10.244.2.0/26' },
  { name: 'node-3', ip: '10.97.0.3', block: '10.244.3.0/26' },
] as const;

t.test('3-node Petrel iBGP mesh from Calico config', async (t) => {
  const lan = await buildLan(t, 'mesh', NODES.map((n) => ({ name: n.name, addresses: [`${n.ip}/24`] })));
  const config = writeCalicoConfig(t, [
    bgpConfiguration({ asNumber: 64512, nodeToNodeMeshEnabled: true }),
    ...NODES.map((n) => calicoNode(n.name, { ipv4Address: `${n.ip}/24` })),
    ipPool('pool-v4', '10.244.0.0/16', 26),
    ...NODES.map((n) => blockAffinity(n.name, n.block)),
    petrelConfiguration(),
  ]);
  const nodes = startPetrelNodes(t, config, NODES.map((n) => [n.name, lan.hosts[n.name]!] as const));

  const passive = new Map<string, boolean>();
  for (const [i, n] of nodes.entries()) {
    const others = NODES.filter((_, j) => j !== i);
    const peers = await waitPeersEstablished(n, others.map((o) => meshPeerName(o.ip)), 30_000);
    t.same(
      peers.map((p) => [p.name, p.address, p.type, p.localAs, p.peerAs, p.routerId, p.passive]),
      others.map((o) => [meshPeerName(o.ip), o.ip, 'ibgp', 64512, 64512, o.ip, o.ip > NODES[i]!.ip]),
      `${n.name}: Mesh_ sessions to the two others, passive toward higher IPs`,
    );
    for (const p of peers) passive.set(`${NODES[i]!.ip}>${p.address}`, p.passive);
  }
  for (const [x, y] of [[0, 1], [0, 2], [1, 2]] as const) {
    const a = NODES[x]!.ip;
    const b = NODES[y]!.ip;
    t.same([passive.get(`${a}>${b}`), passive.get(`${b}>${a}`)], [true, false], `pair ${a}/${b}: exactly one passive side (${a} waits)`);
  }

  for (const [i, n] of nodes.entries()) {
    const want: Record<string, string[]> = {};
    for (const [j, o] of NODES.entries()) want[o.block] = i === j ? ['static1', ''] : [meshPeerName(o.ip), o.ip, ''];
    await waitRoutes(n, 'ipv4', (r) => NODES.every((o) => r.some((x) => x.prefix === o.block && x.best)), 'all three blocks', 30_000);
    t.same(bestTable(await petrelRoutes(n, 'ipv4')), want, `${n.name}: own block plus the other two nodes' blocks via their owners`);
  }
});
