/**
 * Petrel as an iBGP route reflector, configured the way Calico's docs configure one: the node carries
 * `routeReflectorClusterID` and label `route-reflector: "true"`, the mesh is off, BGPPeers with
 * `nodeSelector: route-reflector == 'true'` point it at two external FRR clients, and the Calico node node-c
 * peers with it through `nodeSelector: all()` + `peerSelector: route-reflector == 'true'` (the RR side gets the
 * reverse peering). All in AS 64512.
 *
 * Asserts: the RR's three sessions (Node_ names, iBGP) are Established; FRR client 2 receives client 1's network
 * (and client 1 client 2's) with the next hop unchanged, ORIGINATOR_ID the originating client and CLUSTER_LIST
 * [224.0.0.1] (read from `vtysh ... json`); both FRR clients receive node-c's block with ORIGINATOR_ID node-c; and
 * node-c's whole best-path table holds both FRR networks via the RR with the clients as next hops.
 *
 * The clients also originate a network outside every pool, which Calico's export filter keeps from being reflected.
 *
 * Addresses: 10.96.0.0/24 on the segment; the FRR clients originate 10.244.1x.0/26 (in the pool) and 10.30.x.0/24
 * (outside it); node-c's block is 10.244.3.0/26.
 */
import t from 'tap';
import { FrrDriver, waitFor } from '../lib/index.js';
import { parseFrrReflectedPaths } from '../lib/frr-parse.js';
import { buildLan } from '../lib/lan.js';
import { bgpConfiguration, bgpPeer, blockAffinity, calicoNode, ipPool, petrelConfiguration, writeCalicoConfig } from '../lib/calico-resources.js';
import { bestTable, petrelRoutes, startPetrelNodes, waitPeersEstablished, waitRoutes } from '../lib/petrel-nodes.js';

const CLUSTER_ID = '224.0.0.1';
const RR = { name: 'rr-1', ip: '10.96.0.10' };
const NODE_C = { name: 'node-c', ip: '10.96.0.13', block: '10.244.3.0/26' };
const CLIENTS = [
  { name: 'client-1', ip: '10.96.0.11', net: '10.244.11.0/26', outside: '10.30.1.0/24' },
  { name: 'client-2', ip: '10.96.0.12', net: '10.244.12.0/26', outside: '10.30.2.0/24' },
] as const;
const nodeName = (ip: string) => `Node_${ip.replace(/\./g, '_')}`;

t.test('Petrel route reflector for two FRR clients and a Calico node', async (t) => {
  const lan = await buildLan(t, 'prr', [
    ...[RR, NODE_C, ...CLIENTS].map((h) => ({ name: h.name, addresses: [`${h.ip}/24`] })),
  ]);
  const config = writeCalicoConfig(t, [
    bgpConfiguration({ asNumber: 64512, nodeToNodeMeshEnabled: false }),
    calicoNode(RR.name, { ipv4Address: `${RR.ip}/24`, routeReflectorClusterID: CLUSTER_ID }, { 'route-reflector': 'true' }),
    calicoNode(NODE_C.name, { ipv4Address: `${NODE_C.ip}/24` }),
    bgpPeer('peer-with-route-reflectors', { nodeSelector: 'all()', peerSelector: "route-reflector == 'true'" }),
    ...CLIENTS.map((c) => bgpPeer(`rr-to-${c.name}`, { nodeSelector: "route-reflector == 'true'", peerIP: c.ip, asNumber: 64512 })),
    ipPool('pool-v4', '10.244.0.0/16', 26),
    blockAffinity(NODE_C.name, NODE_C.block),
    petrelConfiguration(),
  ]);
  const frrs = CLIENTS.map((c) => {
    const d = new FrrDriver(lan.hosts[c.name]!.name, {
      name: c.name, routerId: c.ip, localAs: 64512, networks: [c.net, c.outside],
      neighbors: [{ address: RR.ip, remoteAs: 64512, connectRetryTime: 1 }],
    });
    t.teardown(() => d.stop());
    return d;
  });
  const [rr, nodeC] = startPetrelNodes(t, config, [[RR.name, lan.hosts[RR.name]!], [NODE_C.name, lan.hosts[NODE_C.name]!]]);
  await Promise.all(frrs.map((d) => d.start()));

  const rrPeers = await waitPeersEstablished(rr!, [...CLIENTS.map((c) => nodeName(c.ip)), nodeName(NODE_C.ip)], 30_000);
  t.same(
    rrPeers.map((p) => [p.name, p.type, p.peerAs]),
    [[nodeName(CLIENTS[0].ip), 'ibgp', 64512], [nodeName(CLIENTS[1].ip), 'ibgp', 64512], [nodeName(NODE_C.ip), 'ibgp', 64512]],
    'RR: Node_ sessions to both FRR clients and (reverse peering) to node-c',
  );
  await waitPeersEstablished(nodeC!, [nodeName(RR.ip)], 30_000);
  t.pass('node-c: its session to the RR (peerSelector) is Established');

  for (const [i, frr] of frrs.entries()) {
    const other = CLIENTS[1 - i]!;
    for (const [prefix, origin] of [[other.net, other.ip], [NODE_C.block, NODE_C.ip]] as const) {
      const paths = await waitFor(
        async () => {
          const p = parseFrrReflectedPaths(await frr.vtysh([`show bgp ipv4 unicast ${prefix} json`]));
          return p.length > 0 && p;
        },
        30_000,
        `${CLIENTS[i]!.name}: ${prefix} reflected`,
      );
      t.same(
        paths,
        [{ learnedFrom: RR.ip, nextHop: origin, originatorId: origin, clusterList: [CLUSTER_ID], asPath: [] }],
        `${CLIENTS[i]!.name}: ${prefix} from the RR, next hop ${origin}, ORIGINATOR_ID ${origin}, CLUSTER_LIST [${CLUSTER_ID}]`,
      );
    }
  }

  // Calico's export filter (calico_export_to_bgp_peers) passes only pool, static and service routes, so the
  // clients' networks outside every pool stay in the RR's Loc-RIB and go no further.
  const rrRoutes = await petrelRoutes(rr!, 'ipv4');
  t.same(
    rrRoutes.filter((r) => r.best).map((r) => [r.prefix, r.source]),
    [...CLIENTS.flatMap((c) => [[c.net, nodeName(c.ip)], [c.outside, nodeName(c.ip)]]), [NODE_C.block, nodeName(NODE_C.ip)]].sort((a, b) => a[0]!.localeCompare(b[0]!, 'en', { numeric: true })),
    'RR Loc-RIB: both clients\' networks and node-c\'s block',
  );
  for (const [i, frr] of frrs.entries()) {
    const outsiders = (await frr.getRoutes('ipv4')).filter((r) => r.prefix === CLIENTS[1 - i]!.outside);
    t.same(outsiders, [], `${CLIENTS[i]!.name}: ${CLIENTS[1 - i]!.outside} (outside every pool) is not reflected`);
  }

  const want: Record<string, string[]> = { [NODE_C.block]: ['static1', ''] };
  for (const c of CLIENTS) want[c.net] = [nodeName(RR.ip), c.ip, ''];
  await waitRoutes(nodeC!, 'ipv4', (r) => CLIENTS.every((c) => r.some((x) => x.prefix === c.net)), 'both FRR networks', 30_000);
  t.same(bestTable(await petrelRoutes(nodeC!, 'ipv4')), want, 'node-c: both FRR networks via the RR, next hop the originating client');
});
