/**
 * GTSM (RFC 5082, BGPPeer.spec.ttlSecurity) between Petrel and FRR (`neighbor X ttl-security hops N`):
 *  - fd, directly connected, hops 1 on both sides: Established, routes exchanged;
 *  - fr, one router away: FRR allows 2 hops but Petrel's ttlSecurity is 1, so FRR's segments arrive with TTL 254
 *    and Petrel's IP_MINTTL 255 drops them (the kernel's TCPMinTTLDrop counter rises): never Established. After
 *    the BGPPeer is changed to ttlSecurity 2 and petreld reloads (SIGHUP), the session comes up.
 */
import { copyFileSync } from 'node:fs';
import t from 'tap';
import type { PeerInfo } from '../../src/api/types.js';
import { addAddress, createNetns, createPeer, waitFor } from '../lib/index.js';
import { vethPair } from '../lib/netns.js';
import type { FrrDriver } from '../lib/frr-driver.js';
import { bgpPeer } from '../lib/calico-resources.js';
import { petrelPeers, waitRoutes } from '../lib/petrel-nodes.js';
import { frrOnLink, petrelNamespace, PETREL_AS, PETREL_BLOCK, startPetrel, tcpExt, writeConfig } from './topology.js';

t.test('GTSM with FRR: direct hops 1 comes up; one router away, Petrel\'s minimum TTL drops it until hops 2', async (t) => {
  const p = await petrelNamespace(t);
  const fd = await frrOnLink(t, p, '10.78.1.0', 65011, {}, ['ttl-security hops 1']);

  // Petrel 10.78.2.2 — 10.78.2.1 router 10.78.3.2 — 10.78.3.1 FRR.
  const r = await createNetns(t, 'rsec');
  const fns = await createNetns(t, 'fsec');
  await vethPair(p, 'pr0', r, 'rp0');
  await vethPair(r, 'rf0', fns, 'eth0');
  await addAddress(p, 'pr0', '10.78.2.2/24');
  await addAddress(r, 'rp0', '10.78.2.1/24');
  await addAddress(r, 'rf0', '10.78.3.2/24');
  await addAddress(fns, 'eth0', '10.78.3.1/24');
  await r.exec('sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
  await p.exec('ip', ['route', 'add', '10.78.3.0/24', 'via', '10.78.2.1']);
  await fns.exec('ip', ['route', 'add', '10.78.2.0/24', 'via', '10.78.3.2']);
  const fr = createPeer('frr', fns.name, {
    name: 'fr', routerId: '10.78.3.1', localAs: 65012, networks: ['10.201.3.0/24'],
    neighbors: [{ address: '10.78.2.2', remoteAs: PETREL_AS }],
  }) as FrrDriver;
  t.teardown(() => fr.stop());
  await fr.start();
  await fr.vtysh(['configure terminal', 'router bgp 65012', 'neighbor 10.78.2.2 ttl-security hops 2']);

  const peers = (frHops: number) => [
    bgpPeer('fd', { peerIP: fd.ip, asNumber: 65011, ttlSecurity: 1 }),
    bgpPeer('fr', { peerIP: '10.78.3.1', asNumber: 65012, ttlSecurity: frHops, sourceAddress: 'None' }),
  ];
  const file = writeConfig(t, '10.78.1.2/24', peers(1), {});
  const node = startPetrel(t, p, file);
  const state = async (name: string) => (await petrelPeers(node).catch(() => [] as PeerInfo[])).find((x) => x.name === name)?.state;

  await waitFor(async () => (await state('Global_10_78_1_1')) === 'Established', 30000, 'fd Established')
    .catch((e: Error) => { throw new Error(`${e.message}\n${node.petrel.log().slice(-3000)}`); });
  await fd.frr.waitEstablished(fd.petrelIp, 10000);
  t.pass('directly connected, hops 1 on both sides: Established');
  await waitRoutes(node, 'ipv4', (rs) => rs.some((x) => x.prefix === fd.network && x.best), `${fd.network} from fd`, 30000);
  const frrHas = await waitFor(async () => (await fd.frr.getRoutes('ipv4')).find((x) => x.prefix === PETREL_BLOCK), 30000, 'fd learns the block');
  t.same(frrHas.asPath, [PETREL_AS], 'FRR learned Petrel\'s block over the GTSM session');

  const drops = await tcpExt(p, ['TCPMinTTLDrop']);
  await waitFor(async () => (await tcpExt(p, ['TCPMinTTLDrop'])).TCPMinTTLDrop > drops.TCPMinTTLDrop + 1, 20000, 'Petrel drops FRR\'s TTL-254 segments');
  t.not(await state('Global_10_78_3_1'), 'Established', 'one hop too far: Petrel never reaches Established');
  t.not((await fr.neighbors()).find((n) => n.address === '10.78.2.2')?.state, 'Established', 'and neither does FRR');
  t.pass('Petrel\'s kernel counted TCPMinTTLDrop for the routed peer');
  t.match(node.petrel.log(), /its SYN arrived with TTL 254, below 255/, 'FRR\'s connections to the listener are refused on the SYN\'s TTL');

  copyFileSync(writeConfig(t, '10.78.1.2/24', peers(2), {}), file);
  process.kill(node.petrel.pid!, 'SIGHUP');
  await waitFor(async () => (await state('Global_10_78_3_1')) === 'Established', 30000, 'fr Established after ttlSecurity 2')
    .catch((e: Error) => { throw new Error(`${e.message}\n${node.petrel.log().slice(-3000)}`); });
  await waitRoutes(node, 'ipv4', (rs) => rs.some((x) => x.prefix === '10.201.3.0/24' && x.best), '10.201.3.0/24 from fr', 30000);
  t.equal(await state('Global_10_78_1_1'), 'Established', 'the direct peer was not disturbed by the reload');
});
