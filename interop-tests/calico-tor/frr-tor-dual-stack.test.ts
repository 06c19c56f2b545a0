/**
 * The FRR ToR scenario, dual stack: an FRR ToR (AS 65000) and two Petrel nodes (AS 64512, iBGP mesh) on one
 * segment with IPv4 and IPv6 addresses. Calico derives one session per address family (IPv4 peers carry IPv4
 * unicast, IPv6 peers IPv6 unicast, as bird/bird6 do), so each node has four: Global_ (the ToR) and Mesh_ (the
 * other node) per family. Asserts, from `petrel show peers|routes --json` and FRR's `vtysh ... json`: all
 * sessions Established with the right names, types and families; FRR's whole IPv4 and IPv6 BGP RIB (each node's
 * block via both nodes, AS path [64512]); each Petrel node's whole best-path table per family (its own block, the
 * other node's block over the mesh, the ToR network over eBGP with the ToR's global and link-local next hop).
 *
 * Addresses: 10.98.0.0/24 and fd00:98::/64 on the segment, pools 10.244.0.0/16 and fd00:244::/48, ToR networks
 * 10.250.0.0/24 and fd00:250::/64, all inside namespaces made here.
 */
import t from 'tap';
import { createPeer, type RouteEntry } from '../lib/index.js';
import { buildLan, linkLocalOf } from '../lib/lan.js';
import { bgpConfiguration, bgpPeer, blockAffinity, calicoNode, ipPool, petrelConfiguration, writeCalicoConfig } from '../lib/calico-resources.js';
import { bestTable, petrelRoutes, startPetrelNodes, waitPeersEstablished, waitRoutes } from '../lib/petrel-nodes.js';
import { waitFor } from '../lib/wait-for.js';

const TOR = { v4: '10.98.0.1', v6: 'fd00:98::1', nets: ['10.250.0.0/24', 'fd00:250::/64'] };
const NODES = [
  { name: 'node-a', v4: '10.98.0.2', v6: 'fd00:98::2', block4: '10.244.1.0/26', block6: 'fd00:244::1:0/122' },
  { name: 'node-b', v4: '10.98.0.3', v6: 'fd00:98::3', block4: '10.244.2.0/26', block6: 'fd00:244::2:0/122' },
] as const;
const pname = (prefix: string, ip: string) => `${prefix}_${ip.replace(/[.:]/g, '_')}`;

t.test('FRR ToR with two Petrel nodes, IPv4 and IPv6 sessions and routes', async (t) => {
  const lan = await buildLan(t, 'ds', [
    { name: 'tor', addresses: [`${TOR.v4}/24`, `${TOR.v6}/64`] },
    ...NODES.map((n) => ({ name: n.name, addresses: [`${n.v4}/24`, `${n.v6}/64`] })),
  ]);
  const config = writeCalicoConfig(t, [
    bgpConfiguration({ asNumber: 64512, nodeToNodeMeshEnabled: true }),
    ...NODES.map((n) => calicoNode(n.name, { ipv4Address: `${n.v4}/24`, ipv6Address: `${n.v6}/64` })),
    bgpPeer('tor-v4', { peerIP: TOR.v4, asNumber: 65000 }),
    bgpPeer('tor-v6', { peerIP: TOR.v6, asNumber: 65000 }),
    ipPool('pool-v4', '10.244.0.0/16', 26),
    ipPool('pool-v6', 'fd00:244::/48', 122),
    ...NODES.flatMap((n) => [blockAffinity(n.name, n.block4), blockAffinity(n.name, n.block6)]),
    petrelConfiguration(),
  ]);
  const frr = createPeer('frr', lan.hosts['tor']!.name, {
    name: 'tor', routerId: TOR.v4, localAs: 65000, networks: TOR.nets,
    neighbors: NODES.flatMap((n) => [n.v4, n.v6].map((address) => ({ address, remoteAs: 64512, connectRetryTime: 1 }))),
  });
  t.teardown(() => frr.stop());
  const nodes = startPetrelNodes(t, config, NODES.map((n) => [n.name, lan.hosts[n.name]!] as const));
  await frr.start();
  const torLl = await linkLocalOf(lan.hosts['tor']!, 'eth0');

  for (const [i, n] of nodes.entries()) {
    const other = NODES[1 - i]!;
    const names = [pname('Global', TOR.v4), pname('Global', TOR.v6), pname('Mesh', other.v4), pname('Mesh', other.v6)];
    const peers = await waitPeersEstablished(n, names, 30_000);
    t.same(
      peers.map((p) => [p.name, p.address, p.type, p.peerAs, p.capabilities?.families]),
      [
        [pname('Global', TOR.v4), TOR.v4, 'ebgp', 65000, ['ipv4-unicast']],
        [pname('Global', TOR.v6), TOR.v6, 'ebgp', 65000, ['ipv6-unicast']],
        [pname('Mesh', other.v4), other.v4, 'ibgp', 64512, ['ipv4-unicast']],
        [pname('Mesh', other.v6), other.v6, 'ibgp', 64512, ['ipv6-unicast']],
      ],
      `${n.name}: four sessions, one per family and peer, named as Calico names them`,
    );
  }

  // FRR's whole RIB per family: each node's block learned from that node, and its own network.
  for (const fam of ['ipv4', 'ipv6'] as const) {
    const local = fam === 'ipv4' ? TOR.nets[0]! : TOR.nets[1]!;
    const any = fam === 'ipv4' ? '0.0.0.0' : '::';
    // Each node also re-advertises the other's block (learned over the mesh) with itself as next hop (Petrel sets
    // next hop self on every eBGP export; BIRD 1.6 would keep the owner as a third-party next hop here).
    const want: Omit<RouteEntry, 'best'>[] = [
      ...NODES.flatMap((owner) =>
        NODES.map((from) => {
          const ip = fam === 'ipv4' ? from.v4 : from.v6;
          return { prefix: fam === 'ipv4' ? owner.block4 : owner.block6, nextHop: ip, asPath: [64512], learnedFrom: ip };
        }),
      ),
      { prefix: local, nextHop: any, asPath: [] },
    ];
    const got = await waitFor(async () => {
      const r = await frr.getRoutes(fam);
      return r.length >= want.length && want.every((w) => r.some((x) => x.prefix === w.prefix && x.nextHop === w.nextHop)) && r;
    }, 30_000, `FRR ${fam} RIB complete`);
    t.same(got.map((r) => ({ prefix: r.prefix, nextHop: r.nextHop, asPath: r.asPath, ...(r.learnedFrom ? { learnedFrom: r.learnedFrom } : {}) })), want, `FRR ${fam} RIB`);
    // Which of two equal eBGP paths FRR prefers depends on arrival order ("older path"); one best per prefix.
    t.same(got.filter((r) => r.best).map((r) => r.prefix), [...new Set(want.map((w) => w.prefix))], `FRR ${fam}: one best path per prefix`);
  }

  // Each node's best-path table per family.
  for (const [i, n] of nodes.entries()) {
    const me = NODES[i]!;
    const other = NODES[1 - i]!;
    for (const fam of ['ipv4', 'ipv6'] as const) {
      const v4 = fam === 'ipv4';
      const want: Record<string, string[]> = {
        [v4 ? me.block4 : me.block6]: ['static1', ''],
        [v4 ? other.block4 : other.block6]: [pname('Mesh', v4 ? other.v4 : other.v6), v4 ? other.v4 : other.v6, ''],
        [v4 ? TOR.nets[0]! : TOR.nets[1]!]: [pname('Global', v4 ? TOR.v4 : TOR.v6), ...(v4 ? [TOR.v4] : [TOR.v6, torLl]), '65000'],
      };
      await waitRoutes(n, fam, (r) => Object.keys(want).every((p) => r.some((x) => x.prefix === p && x.best)), `${fam} table complete`, 30_000);
      const routes = await petrelRoutes(n, fam);
      t.same(bestTable(routes), want, `${n.name}: ${fam} best paths`);
    }
  }
});
