/**
 * The demo topology as a test: an FRR top-of-rack router (AS 65000) and two Petrel nodes (AS 64512) configured
 * from config/demo/ (Calico v3 resources). Asserts, from FRR's `vtysh ... json` and `petrel ... --json`:
 * eBGP to the ToR and the iBGP mesh come up; FRR learns both nodes' blocks with AS path [64512] and the owning
 * node as next hop; each node learns the other's block over the mesh (next hop the other node, iBGP) and the
 * ToR's network over eBGP; a node restarted mid-session comes back and re-advertises; routes are withdrawn
 * from FRR while it is down.
 */
import t from 'tap';
import { buildDemoTopology, DEMO_NODES, TOR_IP, TOR_NETWORK } from '../lib/calico-demo-topology.js';
import { waitFor } from '../lib/index.js';
import type { RouteEntry } from '../lib/types.js';
import type { PeerInfo, RouteInfo } from '../../src/api/types.js';

t.test('FRR ToR with two Petrel nodes (eBGP both ways, iBGP mesh)', async (t) => {
  const topo = await buildDemoTopology(t);
  const [a, b] = topo.nodes;

  for (const n of topo.nodes) {
    await waitFor(async () => {
      const peers = await n.petrel.query<PeerInfo[]>('show', 'peers');
      return peers.length === 2 && peers.every((p) => p.state === 'Established') ? peers : false;
    }, 60000, `${n.name}: both sessions Established`).catch((e) => {
      throw new Error(`${(e as Error).message}\n${n.petrel.log().slice(-3000)}`);
    });
  }
  const peersA = await a.petrel.query<PeerInfo[]>('show', 'peers');
  t.same(peersA.map((p) => [p.name, p.type, p.peerAs]).sort(), [['Global_10_99_0_1', 'ebgp', 65000], ['Mesh_10_99_0_3', 'ibgp', 64512]], 'node-a: the ToR (eBGP) and the mesh peer (iBGP), named as Calico names them');

  const frrHas = async (prefix: string): Promise<RouteEntry[]> => (await topo.frr.getRoutes('ipv4')).filter((r) => r.prefix === prefix);
  for (const n of DEMO_NODES) {
    const paths = await waitFor(async () => {
      const p = await frrHas(n.block);
      return p.some((r) => r.nextHop === n.ip) ? p : false;
    }, 30000, `FRR learns ${n.block} from ${n.name}`);
    const direct = paths.find((r) => r.nextHop === n.ip)!;
    t.same(direct.asPath, [64512], `FRR: ${n.block} via ${n.ip} has AS path [64512]`);
  }

  for (const [me, other] of [[a, b], [b, a]] as const) {
    const otherBlock = DEMO_NODES.find((n) => n.name === other.name)!.block;
    const routes = await waitFor(async () => {
      const r = await me.petrel.query<RouteInfo[]>('show', 'routes', '--family', 'ipv4');
      return r.some((x) => x.prefix === otherBlock && x.best) && r.some((x) => x.prefix === TOR_NETWORK && x.best) ? r : false;
    }, 30000, `${me.name} learns ${otherBlock} and ${TOR_NETWORK}`);
    const block = routes.find((x) => x.prefix === otherBlock && x.best)!;
    t.equal(block.source, `Mesh_${other.ip.replace(/\./g, '_')}`, `${me.name}: ${otherBlock} best via the mesh`);
    t.same(block.nextHops, [other.ip], `${me.name}: next hop is ${other.name}`);
    const tor = routes.find((x) => x.prefix === TOR_NETWORK && x.best)!;
    t.equal(tor.source, 'Global_10_99_0_1', `${me.name}: ${TOR_NETWORK} best from the ToR`);
    t.same(tor.nextHops, [TOR_IP], `${me.name}: ToR network next hop is the ToR`);
    t.equal(tor.asPath, '65000', `${me.name}: ToR network AS path`);
  }

  // A node restarted mid-session: its routes leave FRR while it is down and come back after.
  await b.petrel.stop();
  await waitFor(async () => !(await frrHas('10.244.2.0/26')).some((r) => r.nextHop === b.ip), 30000, 'FRR withdraws node-b\'s direct path');
  t.pass('node-b stopped: FRR no longer has its direct path');
  const { PetrelDriver } = await import('../lib/petrel-driver.js');
  const again = new PetrelDriver(b.petrel.opts);
  t.teardown(() => again.stop());
  again.start();
  await waitFor(async () => (await frrHas('10.244.2.0/26')).some((r) => r.nextHop === b.ip), 60000, 'node-b back at FRR');
  t.pass('node-b restarted: FRR learns its block again');
});
