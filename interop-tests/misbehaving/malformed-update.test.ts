/**
 * Malformed UPDATEs from one eBGP peer (a raw speaker, AS 65010, that sends exactly the bytes the test writes), with
 * an FRR ToR (AS 65000) on the same Petrel node (AS 64512):
 *  1. treat-as-withdraw (RFC 7606 §7.2 AS_PATH segment overrun, §7.1 bad ORIGIN value): the session stays up (same
 *     `since`, nothing sent), the prefix re-announced with the broken attribute is withdrawn, the other stays;
 *  2. session reset, RFC 7606 §5.3 (IPv4 NLRI prefix length 33): Petrel sends exactly 3/10 Invalid Network Field
 *     (no data), drops the session and the peer's routes; after it reconnects, RFC 4271 §6.3 (unrecognized
 *     well-known attribute 99): exactly 3/2 with the attribute as data.
 * Throughout, the FRR session never drops (Petrel's `since`, FRR's established/dropped counters) and the routes
 * exchanged with FRR stay.
 *
 * Addresses: 10.95.0.0/24 on the segment, pool 10.244.0.0/16, ToR network 10.250.0.0/24, rogue prefixes
 * 10.251.x.0/24.
 */
import t from 'tap';
import type { PeerInfo, RouteInfo } from '../../src/api/types.js';
import { FrrDriver } from '../lib/index.js';
import { parseFrrNeighborErrors } from '../lib/frr-parse.js';
import { buildLan } from '../lib/lan.js';
import { bgpConfiguration, bgpPeer, blockAffinity, calicoNode, ipPool, petrelConfiguration, writeCalicoConfig } from '../lib/calico-resources.js';
import { bestTable, petrelPeers, petrelRoutes, startPetrelNodes, waitPeersEstablished, waitRoutes } from '../lib/petrel-nodes.js';
import { waitFor } from '../lib/wait-for.js';
import { RawSpeaker, bgpMessage, updateMessage } from './raw-bgp-speaker-driver.js';

const TOR = { ip: '10.95.0.1', net: '10.250.0.0/24' };
const NODE = { name: 'node-a', ip: '10.95.0.2', block: '10.244.1.0/26' };
const ROGUE = { ip: '10.95.0.5', asn: 65010 };
const TOR_PEER = 'Global_10_95_0_1';
const ROGUE_PEER = 'Global_10_95_0_5';

// Path attributes (hex): ORIGIN IGP, AS_PATH [65010] (4-octet), NEXT_HOP 10.95.0.5.
const ORIGIN = '40010100';
const AS_PATH = '40020602010000fdf2';
const NEXT_HOP = '4003040a5f0005';
const GOOD = ORIGIN + AS_PATH + NEXT_HOP;
const nlri24 = (third: number) => `180afb${third.toString(16).padStart(2, '0')}`;

t.test('malformed UPDATEs: treat-as-withdraw keeps the session, a reset-class error resets only that peer', async (t) => {
  const lan = await buildLan(t, 'mal', [
    { name: 'tor', addresses: [`${TOR.ip}/24`] },
    { name: 'node', addresses: [`${NODE.ip}/24`] },
    { name: 'rogue', addresses: [`${ROGUE.ip}/24`] },
  ]);
  const config = writeCalicoConfig(t, [
    bgpConfiguration({ asNumber: 64512, nodeToNodeMeshEnabled: false }),
    calicoNode(NODE.name, { ipv4Address: `${NODE.ip}/24` }),
    bgpPeer('tor', { peerIP: TOR.ip, asNumber: 65000 }),
    bgpPeer('rogue', { peerIP: ROGUE.ip, asNumber: ROGUE.asn }),
    ipPool('pool-v4', '10.244.0.0/16', 26),
    blockAffinity(NODE.name, NODE.block),
    petrelConfiguration(),
  ]);
  const frr = new FrrDriver(lan.hosts['tor']!.name, {
    name: 'tor', routerId: TOR.ip, localAs: 65000, networks: [TOR.net],
    neighbors: [{ address: NODE.ip, remoteAs: 64512, connectRetryTime: 1 }],
  });
  t.teardown(() => frr.stop());
  const [rogue] = await Promise.all([
    RawSpeaker.start(t, lan.hosts['rogue']!.name, { listen: ROGUE.ip, asn: ROGUE.asn, id: ROGUE.ip }),
    frr.start(),
  ]);
  const [node] = startPetrelNodes(t, config, [[NODE.name, lan.hosts['node']!]]);
  const n = node!;

  const before = new Map((await waitPeersEstablished(n, [ROGUE_PEER, TOR_PEER], 30_000)).map((p) => [p.name, p]));
  await rogue!.waitEvent((e) => e.ev === 'established', 10_000, 'rogue: session established');
  const frrHasBlock = () =>
    waitFor(async () => (await frr.getRoutes('ipv4')).some((r) => r.prefix === NODE.block && r.learnedFrom === NODE.ip) || false, 30_000, 'FRR has the block');
  await frrHasBlock();
  await waitRoutes(n, 'ipv4', (r) => r.some((x) => x.prefix === TOR.net && x.best && x.source === TOR_PEER), 'the ToR network', 30_000);
  const frrBefore = parseFrrNeighborErrors(await frr.vtysh(['show bgp neighbors json']))[0]!;
  t.same([frrBefore.address, frrBefore.state], [NODE.ip, 'Established'], 'FRR: session with the node Established');

  rogue!.send(updateMessage(GOOD, nlri24(0) + nlri24(1) + nlri24(2)));
  const has = (r: RouteInfo[], p: string) => r.some((x) => x.prefix === p && x.best && x.source === ROGUE_PEER);
  await waitRoutes(n, 'ipv4', (r) => has(r, '10.251.0.0/24') && has(r, '10.251.1.0/24') && has(r, '10.251.2.0/24'), 'the rogue\'s three prefixes', 10_000);
  t.pass('valid UPDATE from the raw speaker accepted');

  // 1. treat-as-withdraw: AS_PATH segment claims 2 ASNs but holds 1 (10.251.0.0/24); ORIGIN 3 (10.251.1.0/24).
  rogue!.send(updateMessage(ORIGIN + '40020602020000fdf2' + NEXT_HOP, nlri24(0)));
  rogue!.send(updateMessage('40010103' + AS_PATH + NEXT_HOP, nlri24(1)));
  const afterTaw = await waitRoutes(n, 'ipv4', (r) => !r.some((x) => x.prefix === '10.251.0.0/24' || x.prefix === '10.251.1.0/24'), 'both malformed prefixes withdrawn', 10_000);
  t.same(
    bestTable(afterTaw),
    { [NODE.block]: ['static1', ''], [TOR.net]: [TOR_PEER, TOR.ip, '65000'], '10.251.2.0/24': [ROGUE_PEER, ROGUE.ip, '65010'] },
    'treat-as-withdraw removed exactly the two prefixes',
  );
  const peersTaw = await petrelPeers(n);
  t.same(
    peersTaw.map((p) => [p.name, p.state, p.since, p.lastError]),
    [[TOR_PEER, 'Established', before.get(TOR_PEER)!.since, null], [ROGUE_PEER, 'Established', before.get(ROGUE_PEER)!.since, null]],
    'both sessions stayed up, no error recorded',
  );
  t.same(rogue!.notifications(), [], 'no NOTIFICATION for a treat-as-withdraw error');
  t.same(rogue!.events.filter((e) => e.ev === 'closed'), [], 'the rogue\'s connection stayed open');

  // 2a. session reset: IPv4 NLRI prefix length 33 -> 3/10, no data (RFC 4271 §6.3, RFC 7606 §5.3).
  rogue!.send(updateMessage(GOOD, '210afb000000'));
  await rogue!.waitEvent((e) => e.ev === 'closed' && e.conn === 1, 10_000, 'Petrel closes the rogue\'s connection');
  t.same(rogue!.notifications(), [bgpMessage(3, '030a')], 'Petrel sent exactly NOTIFICATION 3/10 Invalid Network Field');
  const afterReset = await waitRoutes(n, 'ipv4', (r) => !r.some((x) => x.source === ROGUE_PEER), 'the rogue\'s routes flushed', 10_000);
  t.same(bestTable(afterReset), { [NODE.block]: ['static1', ''], [TOR.net]: [TOR_PEER, TOR.ip, '65000'] }, 'only the rogue\'s route went');
  const rogueInfo = (await petrelPeers(n)).find((p) => p.name === ROGUE_PEER)!;
  t.same([rogueInfo.lastError?.kind, rogueInfo.lastError?.message], ['BGP Error', 'UPDATE Message Error / Invalid Network Field'], 'Petrel records the error it sent');

  // 2b. Petrel reconnects; an unrecognized well-known attribute (flags 0x40, code 99) -> 3/2 with the attribute.
  await rogue!.waitEvent((e) => e.ev === 'established' && e.conn !== 1, 15_000, 'rogue: session re-established');
  const conns = rogue!.events.filter((e) => e.ev === 'accepted').length;
  rogue!.send(updateMessage(GOOD + '4063020000', nlri24(3)));
  await rogue!.waitEvent((e) => e.ev === 'closed' && e.conn === conns, 10_000, 'Petrel closes the second connection');
  t.same(rogue!.notifications(), [bgpMessage(3, '030a'), bgpMessage(3, '03024063020000')], 'then exactly 3/2 Unrecognized Well-known Attribute, data = the attribute');
  t.notOk((await petrelRoutes(n, 'ipv4')).some((x) => x.prefix === '10.251.3.0/24'), 'the prefix of the bad UPDATE was not installed');

  // The ToR session never moved, on either side, and its routes stayed.
  const tor = (await petrelPeers(n)).find((p) => p.name === TOR_PEER) as PeerInfo;
  t.same([tor.state, tor.since], ['Established', before.get(TOR_PEER)!.since], 'Petrel: ToR session untouched');
  t.same(bestTable(await petrelRoutes(n, 'ipv4')), { [NODE.block]: ['static1', ''], [TOR.net]: [TOR_PEER, TOR.ip, '65000'] }, 'Petrel: ToR route kept');
  const frrAfter = parseFrrNeighborErrors(await frr.vtysh(['show bgp neighbors json']))[0]!;
  t.same([frrAfter.state, frrAfter.established, frrAfter.dropped], ['Established', frrBefore.established, frrBefore.dropped], 'FRR: session with the node never dropped');
  await frrHasBlock();
  t.pass('FRR still has the node\'s block');
});
