/**
 * Basic interop of one Petrel node (AS 64512) with BIRD 2, BIRD 1.6 (`bird` for IPv4 and `bird6` for IPv6, two
 * daemons as BIRD 1.6 runs them), GoBGP and ExaBGP, all eBGP on one segment, started in parallel. Calico derives one session per address and family, so the dual-stack daemons
 * (BIRD 2, GoBGP, ExaBGP) get an IPv4 and an IPv6 session each. Asserts: every session Established on Petrel with
 * the peer's AS and the one family; Petrel's whole best-path table per family (its block, and each daemon's network
 * from that daemon with AS path [daemon AS]); and each daemon's view of Petrel's block (next hop the node's address,
 * AS path [64512], learned from the node).
 *
 * Addresses: 10.97.0.0/24 and fd00:97::/64 on the segment, pools 10.244.0.0/16 and fd00:244::/48, daemon networks
 * 10.252.N.0/24 and fd00:252:N::/64 (N = last octet of the daemon's address).
 */
import t from 'tap';
import { BirdDriver, ExabgpDriver, GobgpDriver, missingBinaries, type AddrFamily, type RouteEntry } from '../lib/index.js';
import { buildLan } from '../lib/lan.js';
import { bgpConfiguration, bgpPeer, blockAffinity, calicoNode, ipPool, petrelConfiguration, writeCalicoConfig } from '../lib/calico-resources.js';
import { bestTable, petrelPeers, startPetrelNodes, waitPeersEstablished, waitRoutes } from '../lib/petrel-nodes.js';
import { waitFor } from '../lib/wait-for.js';

const NODE = { name: 'node-a', v4: '10.97.0.2', v6: 'fd00:97::2', block4: '10.244.1.0/26', block6: 'fd00:244::1:0/122' };

interface Daemon {
  name: 'bird2' | 'bird1' | 'bird1v6' | 'gobgp' | 'exabgp';
  n: number;
  families: AddrFamily[];
}
const DAEMONS: Daemon[] = [
  { name: 'bird2', n: 11, families: ['ipv4', 'ipv6'] },
  { name: 'bird1', n: 12, families: ['ipv4'] },
  { name: 'gobgp', n: 13, families: ['ipv4', 'ipv6'] },
  { name: 'exabgp', n: 14, families: ['ipv4', 'ipv6'] },
  { name: 'bird1v6', n: 15, families: ['ipv6'] },
];
const v4 = (d: Daemon) => `10.97.0.${d.n}`;
const v6 = (d: Daemon) => `fd00:97::${d.n}`;
const asn = (d: Daemon) => 65000 + d.n;
const net = (d: Daemon, f: AddrFamily) => (f === 'ipv4' ? `10.252.${d.n}.0/24` : `fd00:252:${d.n}::/64`);
const addr = (d: Daemon, f: AddrFamily) => (f === 'ipv4' ? v4(d) : v6(d));
const pname = (ip: string) => `Global_${ip.replace(/[.:]/g, '_')}`;

interface Running {
  start(): Promise<void>;
  stop(): Promise<void>;
  waitEstablished(ip: string, ms: number): Promise<void>;
  getRoutes(f: AddrFamily): Promise<RouteEntry[]>;
}

t.test('Petrel with BIRD 2, BIRD 1.6 (bird, bird6), GoBGP and ExaBGP: sessions and routes both ways', async (t) => {
  const missing = [...missingBinaries('bird2'), ...missingBinaries('bird1'), ...missingBinaries('bird1v6')];
  if (missing.length) {
    t.comment(`skipped: missing peer binaries: ${missing.join(', ')}`);
    return;
  }
  const lan = await buildLan(t, 'dmn', [
    { name: 'node', addresses: [`${NODE.v4}/24`, `${NODE.v6}/64`] },
    ...DAEMONS.map((d) => ({ name: d.name, addresses: [`${v4(d)}/24`, ...(d.families.includes('ipv6') ? [`${v6(d)}/64`] : [])] })),
  ]);
  const config = writeCalicoConfig(t, [
    bgpConfiguration({ asNumber: 64512, nodeToNodeMeshEnabled: false }),
    calicoNode(NODE.name, { ipv4Address: `${NODE.v4}/24`, ipv6Address: `${NODE.v6}/64` }),
    ...DAEMONS.flatMap((d) => d.families.map((f) => bgpPeer(`${d.name}-${f}`, { peerIP: addr(d, f), asNumber: asn(d) }))),
    ipPool('pool-v4', '10.244.0.0/16', 26),
    ipPool('pool-v6', 'fd00:244::/48', 122),
    blockAffinity(NODE.name, NODE.block4),
    blockAffinity(NODE.name, NODE.block6),
    petrelConfiguration(),
  ]);
  const drivers = DAEMONS.map((d): [Daemon, Running] => {
    const ns = lan.hosts[d.name]!.name;
    const spec = {
      name: d.name, routerId: v4(d), localAs: asn(d), networks: d.families.map((f) => net(d, f)),
      neighbors: d.families.map((f) => ({ address: f === 'ipv4' ? NODE.v4 : NODE.v6, remoteAs: 64512, connectRetryTime: 1 })),
    };
    switch (d.name) {
      case 'bird2':
      case 'bird1':
      case 'bird1v6':
        return [d, new BirdDriver(d.name, ns, spec)];
      case 'gobgp':
        return [d, new GobgpDriver(ns, spec)];
      case 'exabgp':
        return [d, new ExabgpDriver(ns, spec, { ipv4: v4(d), ipv6: v6(d) })];
    }
  });
  for (const [, drv] of drivers) t.teardown(() => drv.stop());
  const [node] = startPetrelNodes(t, config, [[NODE.name, lan.hosts['node']!]]);
  await Promise.all(drivers.map(([, drv]) => drv.start()));

  const names = DAEMONS.flatMap((d) => d.families.map((f) => pname(addr(d, f))));
  const peers = await waitPeersEstablished(node!, names, 30_000).catch(async (e: unknown) => {
    t.comment(node!.petrel.log().slice(-3000));
    t.comment((await petrelPeers(node!)).map((p) => `${p.name} ${p.state} ${JSON.stringify(p.lastError)}`).join('\n'));
    for (const [d, drv] of drivers) if ('log' in drv) t.comment(`${d.name}: ${(drv as { log(): string }).log().slice(-1500)}`);
    throw e;
  });
  t.same(
    peers.map((p) => [p.name, p.type, p.peerAs, p.capabilities?.families]),
    DAEMONS.flatMap((d) => d.families.map((f) => [pname(addr(d, f)), 'ebgp', asn(d), [`${f}-unicast`]])).sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1)),
    'every session Established, eBGP, one family each',
  );

  for (const f of ['ipv4', 'ipv6'] as const) {
    const from = DAEMONS.filter((d) => d.families.includes(f));
    const want: Record<string, string[]> = { [f === 'ipv4' ? NODE.block4 : NODE.block6]: ['static1', ''] };
    for (const d of from) want[net(d, f)] = [pname(addr(d, f)), addr(d, f), String(asn(d))];
    const rib = await waitRoutes(node!, f, (r) => from.every((d) => r.some((x) => x.prefix === net(d, f) && x.best)), `${f}: every daemon's network`, 30_000);
    const table = bestTable(rib);
    // IPv6 next hops may carry the peer's link-local address after the global one: compare the global one.
    for (const k of Object.keys(table)) table[k] = table[k]!.filter((x) => !x.startsWith('fe80:'));
    t.same(table, want, `Petrel ${f}: its block and each daemon's network from that daemon`);
  }

  for (const [d, drv] of drivers) {
    for (const f of d.families) {
      const block = f === 'ipv4' ? NODE.block4 : NODE.block6;
      const nodeIp = f === 'ipv4' ? NODE.v4 : NODE.v6;
      const got = await waitFor(async () => (await drv.getRoutes(f)).find((r) => r.prefix === block) ?? false, 30_000, `${d.name}: ${block} learned`);
      t.same([got.nextHop, got.asPath, got.learnedFrom, got.best], [nodeIp, [64512], nodeIp, true], `${d.name} ${f}: Petrel's block via the node, AS path [64512]`);
    }
  }
});
