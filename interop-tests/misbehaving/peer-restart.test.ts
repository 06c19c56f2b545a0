/**
 * Peers restarted mid-session, with an FRR ToR (AS 65000) and two Petrel nodes (AS 64512, iBGP mesh):
 *  1. FRR is restarted (stop, start): both nodes' ToR sessions come back Established with a newer `since`, the
 *     ToR network is relearned (not stale) and FRR relearns both blocks; the mesh session's `since` is unchanged.
 *  2. node-b's petreld is SIGKILLed (a crash: no Cease) and started again: FRR's session with node-b is
 *     established once more and FRR relearns node-b's block from it; node-a's mesh session returns to
 *     Established and node-a relearns node-b's block; node-a's ToR session never dropped (its `since`, and FRR's
 *     established/dropped counters for node-a, are unchanged).
 *
 * Addresses: 10.93.0.0/24 on the segment, pool 10.244.0.0/16, ToR network 10.250.0.0/24.
 */
import t from 'tap';
import type { PeerInfo } from '../../src/api/types.js';
import { FrrDriver } from '../lib/index.js';
import { parseFrrNeighborErrors } from '../lib/frr-parse.js';
import { buildLan } from '../lib/lan.js';
import { bgpPeer, meshClusterDocs, meshPeerName, writeCalicoConfig } from '../lib/calico-resources.js';
import { petrelPeers, startPetrelNodes, waitPeersEstablished, waitRoutes, type PetrelNode } from '../lib/petrel-nodes.js';
import { waitFor } from '../lib/wait-for.js';

const TOR = { ip: '10.93.0.1', net: '10.250.0.0/24' };
const NODES = [
  { name: 'node-a', ip: '10.93.0.2', block: '10.244.1.0/26' },
  { name: 'node-b', ip: '10.93.0.3', block: '10.244.2.0/26' },
] as const;
const TOR_PEER = 'Global_10_93_0_1';

t.test('FRR restarted, then a Petrel node crashed and restarted: only their sessions move', async (t) => {
  const lan = await buildLan(t, 'rst', [{ name: 'tor', addresses: [`${TOR.ip}/24`] }, ...NODES.map((n) => ({ name: n.name, addresses: [`${n.ip}/24`] }))]);
  const config = writeCalicoConfig(t, meshClusterDocs(NODES, [
    bgpPeer('tor', { peerIP: TOR.ip, asNumber: 65000 }),
  ]));
  const frr = new FrrDriver(lan.hosts['tor']!.name, {
    name: 'tor', routerId: TOR.ip, localAs: 65000, networks: [TOR.net],
    neighbors: NODES.map((n) => ({ address: n.ip, remoteAs: 64512, connectRetryTime: 1 })),
  });
  t.teardown(() => frr.stop());
  const nodes = startPetrelNodes(t, config, NODES.map((n) => [n.name, lan.hosts[n.name]!] as const));
  const [a, b] = nodes as [PetrelNode, PetrelNode];
  await frr.start();

  const frrHasBlocks = (from: readonly (typeof NODES)[number][], what: string) =>
    waitFor(async () => {
      const r = await frr.getRoutes('ipv4');
      return from.every((n) => r.some((x) => x.prefix === n.block && x.learnedFrom === n.ip && x.nextHop === n.ip)) && r;
    }, 30_000, what);
  const torNetLearned = (n: PetrelNode) =>
    waitRoutes(n, 'ipv4', (r) => r.some((x) => x.prefix === TOR.net && x.best && x.source === TOR_PEER && !x.stale), `${TOR.net} from the ToR, not stale`, 30_000);
  const byName = (peers: PeerInfo[]) => new Map(peers.map((p) => [p.name, p]));

  const before = new Map<string, Map<string, PeerInfo>>();
  for (const [i, n] of nodes.entries()) {
    before.set(n.name, byName(await waitPeersEstablished(n, [TOR_PEER, meshPeerName(NODES[1 - i]!.ip)], 30_000)));
    await torNetLearned(n);
  }
  await frrHasBlocks(NODES, 'FRR learns both blocks');
  t.pass('all sessions Established, routes exchanged');

  // 1. FRR restarts.
  await frr.stop();
  await frr.start();
  for (const [i, n] of nodes.entries()) {
    const mesh = meshPeerName(NODES[1 - i]!.ip);
    const peers = byName(await waitFor(async () => {
      const p = await petrelPeers(n);
      const tor = p.find((x) => x.name === TOR_PEER);
      return tor?.state === 'Established' && tor.since > before.get(n.name)!.get(TOR_PEER)!.since && p;
    }, 30_000, `${n.name}: ToR session re-established`));
    t.equal(peers.get(mesh)!.since, before.get(n.name)!.get(mesh)!.since, `${n.name}: mesh session untouched by the FRR restart`);
    await torNetLearned(n);
    t.pass(`${n.name}: ${TOR.net} relearned from the restarted ToR`);
    before.set(n.name, peers);
  }
  await frrHasBlocks(NODES, 'restarted FRR relearns both blocks');
  t.pass('restarted FRR relearned both blocks');

  // 2. node-b crashes and comes back.
  const frrBefore = new Map(parseFrrNeighborErrors(await frr.vtysh(['show bgp neighbors json'])).map((x) => [x.address, x]));
  await b.petrel.kill();
  b.petrel.start();
  await waitFor(async () => {
    const x = parseFrrNeighborErrors(await frr.vtysh(['show bgp neighbors json'])).find((y) => y.address === NODES[1].ip);
    return x?.state === 'Established' && x.established > frrBefore.get(NODES[1].ip)!.established;
  }, 30_000, 'FRR: session with node-b re-established');
  await frrHasBlocks([NODES[1]], 'FRR has node-b\'s block from node-b again');
  t.pass('FRR re-established node-b and relearned its block');
  await waitPeersEstablished(b, [TOR_PEER, meshPeerName(NODES[0].ip)], 30_000);
  await waitRoutes(b, 'ipv4', (r) => r.some((x) => x.prefix === NODES[0].block && x.best), `${NODES[0].block} again`, 30_000);
  t.pass('restarted node-b: both sessions Established, node-a\'s block relearned');

  const aPeers = byName(await waitPeersEstablished(a, [TOR_PEER, meshPeerName(NODES[1].ip)], 30_000));
  await waitRoutes(a, 'ipv4', (r) => r.some((x) => x.prefix === NODES[1].block && x.best && x.source === meshPeerName(NODES[1].ip) && !x.stale), `${NODES[1].block} over the mesh, not stale`, 30_000);
  t.pass('node-a: mesh back to Established, node-b\'s block relearned');
  t.equal(aPeers.get(TOR_PEER)!.since, before.get('node-a')!.get(TOR_PEER)!.since, 'node-a: ToR session untouched by node-b\'s crash');
  const frrA = parseFrrNeighborErrors(await frr.vtysh(['show bgp neighbors json'])).find((x) => x.address === NODES[0].ip)!;
  const was = frrBefore.get(NODES[0].ip)!;
  t.same([frrA.state, frrA.established, frrA.dropped], ['Established', was.established, was.dropped], 'FRR: session with node-a never dropped');
});
