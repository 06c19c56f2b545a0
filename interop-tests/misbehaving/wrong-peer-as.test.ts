/**
 * Wrong peer AS, both ways, against an FRR ToR (AS 65000) and two Petrel nodes (AS 64512, iBGP mesh):
 *  - node-a's BGPPeer says the ToR is AS 65099: Petrel must refuse the ToR's OPEN with NOTIFICATION 2/2 (OPEN
 *    Message Error / Bad Peer AS, RFC 4271 §6.2), which FRR logs as received;
 *  - FRR says node-b is AS 64999: FRR sends 2/2 and Petrel records it as received.
 * Meanwhile the mesh session between the nodes stays Established (its `since` never changes) and each node keeps
 * the other's block: a peer failing OPEN touches nothing else.
 *
 * Addresses: 10.94.0.0/24 on the segment, pool 10.244.0.0/16.
 */
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { FrrDriver } from '../lib/index.js';
import { parseFrrNeighborErrors, parseFrrNotificationLog } from '../lib/frr-parse.js';
import { buildLan } from '../lib/lan.js';
import { bgpPeer, meshClusterDocs, meshPeerName, writeCalicoConfig } from '../lib/calico-resources.js';
import { bestTable, petrelPeers, petrelRoutes, startPetrelNodes, waitRoutes } from '../lib/petrel-nodes.js';
import { waitFor } from '../lib/wait-for.js';

const TOR = '10.94.0.1';
const NODES = [
  { name: 'node-a', ip: '10.94.0.2', block: '10.244.1.0/26' },
  { name: 'node-b', ip: '10.94.0.3', block: '10.244.2.0/26' },
] as const;
const TOR_PEER = 'Node_10_94_0_1';

t.test('wrong peer AS on either side: 2/2 for that peer, the mesh untouched', async (t) => {
  const lan = await buildLan(t, 'was', [{ name: 'tor', addresses: [`${TOR}/24`] }, ...NODES.map((n) => ({ name: n.name, addresses: [`${n.ip}/24`] }))]);
  const config = writeCalicoConfig(t, meshClusterDocs(NODES, [
    bgpPeer('tor-for-a', { node: 'node-a', peerIP: TOR, asNumber: 65099 }), // wrong: the ToR is AS 65000
    bgpPeer('tor-for-b', { node: 'node-b', peerIP: TOR, asNumber: 65000 }),
  ]));
  const frr = new FrrDriver(lan.hosts['tor']!.name, {
    name: 'tor', routerId: TOR, localAs: 65000,
    neighbors: [
      { address: NODES[0].ip, remoteAs: 64512, connectRetryTime: 1 },
      { address: NODES[1].ip, remoteAs: 64999, connectRetryTime: 1 }, // wrong: node-b is AS 64512
    ],
  });
  t.teardown(() => frr.stop());
  const [a, b] = startPetrelNodes(t, config, NODES.map((n) => [n.name, lan.hosts[n.name]!] as const));
  await frr.start();

  // The mesh comes up and both blocks are exchanged; remember when each side's mesh session came up.
  const meshSince = new Map<string, number>();
  for (const [i, n] of [a!, b!].entries()) {
    const other = NODES[1 - i]!;
    await waitRoutes(n, 'ipv4', (r) => r.some((x) => x.prefix === other.block && x.best), `${other.block} over the mesh`, 30_000);
    const mesh = (await petrelPeers(n)).find((p) => p.name === meshPeerName(other.ip))!;
    t.equal(mesh.state, 'Established', `${n.name}: mesh Established`);
    meshSince.set(n.name, mesh.since);
  }

  // node-a refuses the ToR (Petrel sends 2/2); FRR refuses node-b (Petrel receives 2/2).
  const errA = await waitFor(async () => (await petrelPeers(a!)).find((p) => p.name === TOR_PEER && p.lastError)?.lastError ?? false, 30_000, 'node-a: error on the ToR session');
  t.same([errA.kind, errA.message], ['BGP Error', 'OPEN Message Error / Bad Peer AS'], 'node-a: sent 2/2 Bad Peer AS to the ToR');
  const errB = await waitFor(async () => (await petrelPeers(b!)).find((p) => p.name === TOR_PEER && p.lastError)?.lastError ?? false, 30_000, 'node-b: error on the ToR session');
  t.same([errB.kind, errB.message], ['Received', 'OPEN Message Error / Bad Peer AS'], 'node-b: received 2/2 Bad Peer AS from the ToR');

  // FRR's view, from bgpd's log (its neighbor JSON keeps no record of NOTIFICATIONs exchanged before Established).
  const seen = await waitFor(() => {
    const n = parseFrrNotificationLog(frr.bgpdLog());
    const rx = n.find((x) => x.direction === 'received' && x.neighbor === NODES[0].ip);
    const tx = n.find((x) => x.direction === 'sent' && x.neighbor === NODES[1].ip);
    return rx && tx && { rx, tx, all: n };
  }, 30_000, 'FRR: 2/2 received from node-a and sent to node-b');
  t.same(seen.rx, { direction: 'received', neighbor: NODES[0].ip, code: 2, subcode: 2, reason: 'OPEN Message Error/Bad Peer AS' }, 'FRR received 2/2 Bad Peer AS from node-a');
  t.same(seen.tx, { direction: 'sent', neighbor: NODES[1].ip, code: 2, subcode: 2, reason: 'OPEN Message Error/Bad Peer AS' }, 'FRR sent 2/2 Bad Peer AS to node-b');
  t.same(
    seen.all.filter((x) => !(x.code === 2 && x.subcode === 2)),
    [],
    'FRR saw no other NOTIFICATION',
  );

  // Let several connect/refuse cycles pass (connect retry and error wait are 1..2 s), then check nothing else moved.
  await sleep(3000);
  t.same(
    parseFrrNeighborErrors(await frr.vtysh(['show bgp neighbors json'])).map((x) => [x.address, x.state === 'Established', x.established]),
    [[NODES[0].ip, false, 0], [NODES[1].ip, false, 0]],
    'FRR: neither session ever reached Established',
  );
  for (const [i, n] of [a!, b!].entries()) {
    const other = NODES[1 - i]!;
    const peers = await petrelPeers(n);
    t.same(
      peers.map((p) => [p.name, p.state === 'Established', p.name === meshPeerName(other.ip) ? p.since : 0]),
      [[meshPeerName(other.ip), true, meshSince.get(n.name)], [TOR_PEER, false, 0]],
      `${n.name}: the mesh session never dropped; the ToR session is not Established`,
    );
    t.same(bestTable(await petrelRoutes(n, 'ipv4')), { [NODES[i]!.block]: ['static1', ''], [other.block]: [meshPeerName(other.ip), other.ip, ''] }, `${n.name}: routes untouched`);
  }
});
