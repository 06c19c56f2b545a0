/**
 * Hold timer expiry: an FRR ToR (AS 65000, hold 3 s, `bgp graceful-restart`) peers with two Petrel nodes (AS 64512,
 * hold 9 s, iBGP mesh). FRR's bgpd is frozen (SIGSTOP):
 *  - each node's hold timer (negotiated 3 s) expires: Petrel sends 4/0 Hold Timer Expired and the ToR session goes
 *    down; the mesh session between the nodes stays Established (same `since`) with the other node's block;
 *  - graceful restart was negotiated with the ToR, so Petrel's helper keeps the ToR network as a stale route, still
 *    best (RFC 4724 §4.2; hold expiry counts as a TCP loss, RFC 8538 §4);
 * then bgpd is resumed (SIGCONT): the sessions come back and the ToR network is relearned, no longer stale. (FRR's
 * own hold timer fires on resume before it reads Petrel's queued 4/0, so FRR's log does not show it received.)
 *
 * Addresses: 10.96.0.0/24 on the segment, pool 10.244.0.0/16, ToR network 10.250.0.0/24.
 */
import t from 'tap';
import type { RouteInfo } from '../../src/api/types.js';
import { FrrDriver } from '../lib/index.js';
import { buildLan } from '../lib/lan.js';
import { bgpPeer, meshClusterDocs, meshPeerName, writeCalicoConfig } from '../lib/calico-resources.js';
import { petrelPeers, petrelRoutes, startPetrelNodes, waitPeersEstablished, waitRoutes } from '../lib/petrel-nodes.js';
import { waitFor } from '../lib/wait-for.js';

const TOR = { ip: '10.96.0.1', net: '10.250.0.0/24' };
const NODES = [
  { name: 'node-a', ip: '10.96.0.2', block: '10.244.1.0/26' },
  { name: 'node-b', ip: '10.96.0.3', block: '10.244.2.0/26' },
] as const;
const TOR_PEER = 'Global_10_96_0_1';

/** The ToR network as `[best, stale, source]`, or undefined when absent. */
function torNet(routes: readonly RouteInfo[]): [boolean, boolean, string] | undefined {
  const r = routes.find((x) => x.prefix === TOR.net);
  return r && [r.best, r.stale, r.source];
}

t.test('FRR frozen: Petrel sends 4/0, keeps the ToR routes stale, the mesh stays; thawed: all back', async (t) => {
  const lan = await buildLan(t, 'hold', [{ name: 'tor', addresses: [`${TOR.ip}/24`] }, ...NODES.map((n) => ({ name: n.name, addresses: [`${n.ip}/24`] }))]);
  const config = writeCalicoConfig(t, meshClusterDocs(NODES, [
    bgpPeer('tor', { peerIP: TOR.ip, asNumber: 65000 }),
  ]));
  const frr = new FrrDriver(lan.hosts['tor']!.name, {
    name: 'tor', routerId: TOR.ip, localAs: 65000, networks: [TOR.net],
    neighbors: NODES.map((n) => ({ address: n.ip, remoteAs: 64512, holdTime: 3, keepaliveTime: 1, connectRetryTime: 1 })),
  });
  t.teardown(() => frr.stop());
  await frr.start();
  // Full graceful restart (not just helper mode), so FRR's OPEN lists IPv4 unicast; set before any session is up.
  await frr.vtysh(['configure terminal', 'router bgp 65000', 'bgp graceful-restart']);
  const nodes = startPetrelNodes(t, config, NODES.map((n) => [n.name, lan.hosts[n.name]!] as const));

  const meshSince = new Map<string, number>();
  for (const [i, n] of nodes.entries()) {
    const mesh = meshPeerName(NODES[1 - i]!.ip);
    const peers = await waitPeersEstablished(n, [TOR_PEER, mesh], 30_000);
    meshSince.set(n.name, peers.find((p) => p.name === mesh)!.since);
    const tor = peers.find((p) => p.name === TOR_PEER)!;
    t.same([tor.capabilities?.holdTime, tor.capabilities?.gracefulRestart], [3, true], `${n.name}: hold 3 s and graceful restart negotiated with the ToR`);
    await waitRoutes(n, 'ipv4', (r) => torNet(r)?.join() === [true, false, TOR_PEER].join() && r.some((x) => x.prefix === NODES[1 - i]!.block && x.best), 'ToR network and the other block', 30_000);
  }

  frr.signalBgpd('SIGSTOP');
  let thawed = false;
  t.teardown(() => {
    if (!thawed) frr.signalBgpd('SIGCONT');
  });
  for (const [i, n] of nodes.entries()) {
    const tor = await waitFor(async () => {
      const p = (await petrelPeers(n)).find((x) => x.name === TOR_PEER);
      return p !== undefined && p.state !== 'Established' && p.lastError !== null && p;
    }, 10_000, `${n.name}: ToR session down`);
    t.same([tor.lastError?.kind, tor.lastError?.message], ['BGP Error', 'Hold Timer Expired'], `${n.name}: sent 4/0 Hold Timer Expired`);
    const routes = await petrelRoutes(n, 'ipv4');
    t.same(torNet(routes), [true, true, TOR_PEER], `${n.name}: the ToR network is kept, stale and still best`);
    t.same(tor.gracefulRestart?.phase, 'restarting', `${n.name}: GR helper waiting for the ToR`);
    const mesh = (await petrelPeers(n)).find((p) => p.name === meshPeerName(NODES[1 - i]!.ip))!;
    t.same([mesh.state, mesh.since], ['Established', meshSince.get(n.name)], `${n.name}: mesh session untouched`);
    t.ok(routes.some((x) => x.prefix === NODES[1 - i]!.block && x.best && !x.stale), `${n.name}: the other node's block kept`);
  }

  frr.signalBgpd('SIGCONT');
  thawed = true;
  for (const [i, n] of nodes.entries()) {
    await waitPeersEstablished(n, [TOR_PEER, meshPeerName(NODES[1 - i]!.ip)], 30_000);
    await waitRoutes(n, 'ipv4', (r) => torNet(r)?.join() === [true, false, TOR_PEER].join(), 'ToR network relearned, not stale', 30_000);
    const mesh = (await petrelPeers(n)).find((p) => p.name === meshPeerName(NODES[1 - i]!.ip))!;
    t.equal(mesh.since, meshSince.get(n.name), `${n.name}: mesh session never dropped`);
  }
  await waitFor(async () => {
    const r = await frr.getRoutes('ipv4');
    return NODES.every((n) => r.some((x) => x.prefix === n.block && x.learnedFrom === n.ip)) || false;
  }, 30_000, 'FRR relearns both blocks');
  t.pass('FRR relearned both blocks');
});

