/**
 * TCP MD5 (RFC 2385) between Petrel and FRR, passwords from a `kind: Secret` referenced by BGPPeer.spec.password.
 * One Petrel node, four FRR routers on separate links:
 *  - f1: matching password, FRR passive, so Petrel connects (active side: key set before the SYN);
 *  - f2: matching password, Petrel's peerIP names a closed port, so only FRR's connection to Petrel's listener
 *    can work (passive side: the key on the listening socket);
 *  - f3: FRR has a different password: never Established, and both kernels count MD5 failures;
 *  - f4: no password on either side: Established beside the others.
 */
import t from 'tap';
import type { PeerInfo } from '../../src/api/types.js';
import { waitFor } from '../lib/index.js';
import { bgpPeer } from '../lib/calico-resources.js';
import { petrelPeers, waitRoutes } from '../lib/petrel-nodes.js';
import { established, frrOnLink, petrelNamespace, PETREL_BLOCK, startPetrel, tcpExt, writeConfig } from './topology.js';

const secret = (key: string) => ({ secretKeyRef: { name: 'bgp-secrets', key } });

t.test('TCP MD5 with FRR: Petrel active and passive, a wrong password, an unsigned peer beside them', async (t) => {
  const p = await petrelNamespace(t);
  const f1 = await frrOnLink(t, p, '10.77.1.0', 65001, { passive: true }, ['password s3cret-one']);
  const f2 = await frrOnLink(t, p, '10.77.2.0', 65002, {}, ['password s3cret-two']);
  const f3 = await frrOnLink(t, p, '10.77.3.0', 65003, {}, ['password not-the-right-one']);
  const f4 = await frrOnLink(t, p, '10.77.4.0', 65004, {}, []);
  const file = writeConfig(t, '10.77.1.2/24', [
    bgpPeer('f1', { peerIP: f1.ip, asNumber: 65001, password: secret('f1') }),
    bgpPeer('f2', { peerIP: `${f2.ip}:1790`, asNumber: 65002, password: secret('f2'), sourceAddress: 'None' }),
    bgpPeer('f3', { peerIP: f3.ip, asNumber: 65003, password: secret('f3'), sourceAddress: 'None' }),
    bgpPeer('f4', { peerIP: f4.ip, asNumber: 65004, sourceAddress: 'None' }),
  ], { f1: 's3cret-one', f2: 's3cret-two', f3: 'the-right-one' });
  const before = await tcpExt(p, ['TCPMD5Failure']);
  const node = startPetrel(t, p, file);

  const up = ['Global_10_77_1_1', 'Global_10_77_2_1_port_1790', 'Global_10_77_4_1'];
  await waitFor(async () => {
    const peers = await petrelPeers(node).catch(() => [] as PeerInfo[]);
    return up.every((n) => peers.find((x) => x.name === n)?.state === 'Established');
  }, 60000, 'f1, f2 and f4 Established').catch((e: Error) => { throw new Error(`${e.message}\n${node.petrel.log().slice(-3000)}`); });
  await f1.frr.waitEstablished(f1.petrelIp, 10000);
  await f2.frr.waitEstablished(f2.petrelIp, 10000);
  t.pass('matching passwords: Established on both sides');

  const conns = await established(p);
  t.ok(conns.some((c) => c.startsWith('10.77.1.2:') && !c.startsWith('10.77.1.2:179 ') && c.endsWith(' 10.77.1.1:179')), `f1: Petrel connected out (${conns.join(', ')})`);
  t.ok(conns.some((c) => c.startsWith('10.77.2.2:179 ') && c.includes(' 10.77.2.1:')), 'f2: FRR connected to Petrel\'s listener');

  await waitRoutes(node, 'ipv4', (r) => [f1.network, f2.network, f4.network].every((n) => r.some((x) => x.prefix === n && x.best)), 'routes of f1, f2, f4', 30000);
  for (const f of [f1, f2]) {
    const frrRoutes = await waitFor(async () => {
      const r = await f.frr.getRoutes('ipv4');
      return r.some((x) => x.prefix === PETREL_BLOCK) && r;
    }, 30000, `FRR ${f.ip} learns Petrel's block`);
    t.same(frrRoutes.find((x) => x.prefix === PETREL_BLOCK)?.asPath, [64512], `${f.ip} has ${PETREL_BLOCK} from Petrel over the signed session`);
  }

  const peers = await petrelPeers(node);
  const f3Peer = peers.find((x) => x.name === 'Global_10_77_3_1');
  t.not(f3Peer?.state, 'Established', 'wrong password: Petrel never reaches Established');
  t.not((await f3.frr.neighbors()).find((n) => n.address === f3.petrelIp)?.state, 'Established', 'wrong password: FRR never reaches Established');
  const after = await tcpExt(p, ['TCPMD5Failure']);
  t.ok(after.TCPMD5Failure > before.TCPMD5Failure, `Petrel's kernel dropped FRR's wrongly signed SYNs (TCPMD5Failure ${before.TCPMD5Failure} -> ${after.TCPMD5Failure})`);
  const f3Counters = await tcpExt(f3.ns, ['TCPMD5Failure']);
  t.ok(f3Counters.TCPMD5Failure > 0, `FRR's kernel dropped Petrel's wrongly signed SYNs (TCPMD5Failure ${f3Counters.TCPMD5Failure})`);
  t.equal(peers.find((x) => x.name === 'Global_10_77_4_1')?.state, 'Established', 'the unsigned peer stays up beside the failing one');
});
