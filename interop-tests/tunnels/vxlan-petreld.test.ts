/**
 * VXLAN through the real daemon: three petreld nodes (iBGP node-to-node mesh, FIB on, `tunnels.vxlan: auto`) on
 * the routed cluster of vxlan-cluster.ts (node-a and node-b share LAN 1, node-c sits behind a router on LAN 2),
 * pools vx-always (vxlanMode Always) and vx-cross (vxlanMode CrossSubnet).
 *
 * Asserted per node: vxlan.calico (VNI 4096, port 4789, local = node IP, nolearning, the Node's MAC and tunnel
 * address, MTU 1410); a permanent neighbour and a self FDB entry per remote VTEP; the pool routes of the main table
 * are exactly the pods' /32s plus one route per remote block, `proto 80 metric 1024` as Felix programs them:
 * `via <tunnel addr> dev vxlan.calico onlink` (Always; CrossSubnet across the router) or `via <node IP> dev eth0`
 * (CrossSubnet, same LAN). The same blocks are in the Loc-RIB as BGP best routes (plus the tunnel routes learned
 * back from the kernel as kernel1, as BIRD learns Felix's), so Calico's kernel filter ("VXLAN routes are handled by
 * Felix") is what keeps them out of the FIB: no second route per block, no blackhole for the own blocks, the own
 * blocks stay static1, and no route of a pool is ever deleted while the FIB converges and scans (`ip monitor
 * route`; with the tunnel routes in the FIB's protocol 12, every FIB scan deleted them). Traffic: TCP echo between pods; the vxlan.calico
 * counters show the Always path and the cross-router CrossSubnet path crossing the tunnel and the same-LAN
 * CrossSubnet path not touching it. Then node-b's vxlan.calico is deleted by hand: petreld recreates it with its
 * entries and routes and traffic flows again; a SIGHUP with PetrelConfiguration tunnels.vxlanMtu 1400 changes the
 * MTU in place (same ifindex) on node-b only.
 */
import t from 'tap';
import { waitFor } from '../lib/index.js';
import { meshPeerName, writeCalicoConfig } from '../lib/calico-resources.js';
import type { RouteInfo } from '../../src/api/types.js';
import { petrelRoutes, startPetrelNodes, waitPeersEstablished, waitRoutes, type PetrelNode } from '../lib/petrel-nodes.js';
import {
  VX_NODES, addPod, buildVxTopology, clusterDocs, echo, echoEventually, echoServer, poolRoutes, rewriteConfig,
  routeMonitor, vxlanDevice, vxlanFdb, vxlanNeighbours, vxlanStats, type VxNode,
} from './vxlan-cluster.js';

const others = (me: VxNode) => VX_NODES.filter((o) => o !== me);
const ECHO = 'echo 1 echo 2 echo 3';

function wantDevice(n: VxNode, mtu = 1410) {
  return { kind: 'vxlan', vni: 4096, port: 4789, local: n.ip, learning: false, mac: n.mac, mtu, up: true, addrs: [`${n.tunnelAddr}/32`] };
}

/** The main table's routes inside the pools on node `n`: its pod's /32s and one route per remote block. */
function wantRoutes(n: VxNode): string[] {
  const out = [`${n.podAlways} dev cali0 metric 1024`, `${n.podCross} dev cali0 metric 1024`];
  for (const o of others(n)) {
    out.push(`${o.always} via ${o.tunnelAddr} dev vxlan.calico proto 80 metric 1024 onlink`);
    out.push(o.network === n.network ? `${o.cross} via ${o.ip} dev eth0 proto 80 metric 1024` : `${o.cross} via ${o.tunnelAddr} dev vxlan.calico proto 80 metric 1024 onlink`);
  }
  return out.sort();
}

async function tunnelState(node: PetrelNode) {
  const dev = await vxlanDevice(node.ns);
  const { ifindex, ...fields } = dev ?? { ifindex: 0 };
  return { ifindex, device: dev && fields, neigh: await vxlanNeighbours(node.ns), fdb: await vxlanFdb(node.ns), routes: await poolRoutes(node.ns) };
}

function wantState(n: VxNode, mtu = 1410) {
  return {
    device: wantDevice(n, mtu),
    neigh: others(n).map((o) => `${o.tunnelAddr} ${o.mac} PERMANENT`).sort(),
    fdb: others(n).map((o) => `${o.mac} ${o.ip} self permanent`).sort(),
    routes: wantRoutes(n),
  };
}

/** Waits until node `n`'s tunnel state is exactly the wanted one; returns it (with the ifindex). */
async function waitTunnelState(node: PetrelNode, n: VxNode, what: string, mtu = 1410) {
  const want = JSON.stringify(wantState(n, mtu));
  return waitFor(async () => {
    const s = await tunnelState(node);
    const { ifindex, ...rest } = s;
    return JSON.stringify(rest) === want && s;
  }, 15_000, `${n.name}: ${what}`).catch((e: Error) => {
    throw new Error(`${e.message}\n--- ${n.name} petreld log (tail) ---\n${node.petrel.log().slice(-3000)}`);
  });
}

t.test('petreld keeps vxlan.calico, its VTEPs and block routes; pod traffic crosses it; repair and SIGHUP', async (t) => {
  const topo = await buildVxTopology(t);
  const file = writeCalicoConfig(t, clusterDocs());
  const pods = await Promise.all(VX_NODES.map((n) => addPod(t, topo.nodes[n.name]!, [n.podAlways, n.podCross])));
  const monitors = VX_NODES.map((n) => routeMonitor(t, topo.nodes[n.name]!));
  const nodes = startPetrelNodes(t, file, VX_NODES.map((n) => [n.name, topo.nodes[n.name]!] as const));
  const [a, b, c] = VX_NODES;

  for (const [i, n] of VX_NODES.entries()) {
    await waitPeersEstablished(nodes[i]!, others(n).map((o) => meshPeerName(o.ip)), 30_000);
    const remote = (r: RouteInfo) => others(n).some((o) => o.always === r.prefix || o.cross === r.prefix);
    const owner = (prefix: string) => others(n).find((o) => o.always === prefix || o.cross === prefix)!;
    const rib = await waitRoutes(nodes[i]!, 'ipv4', (r) => others(n).every((o) => [o.always, o.cross].every((p) => r.some((x) => x.prefix === p && x.best && x.source === meshPeerName(owner(p).ip)))),
      'the other nodes\' blocks as BGP best routes', 20_000);
    t.same(
      rib.filter(remote).map((r) => `${r.prefix} ${r.source} ${r.best ? 'best' : '-'} ${r.nextHops.join(',')}`).sort(),
      others(n).flatMap((o) => [o.always, o.cross].flatMap((p) => [`${p} ${meshPeerName(o.ip)} best ${o.ip}`, `${p} kernel1 - `])).sort(),
      `${n.name}: each remote block is a BGP best route (next hop the owner) plus the tunnel route learned from the kernel (kernel1, preference 10)`,
    );
  }
  // Let the FIB converge and run its scans (scanTime 2 s) before judging the kernel: nothing may fight the tunnels.
  await new Promise((r) => setTimeout(r, 5000));
  for (const [i, n] of VX_NODES.entries()) {
    const own = (r: RouteInfo) => r.prefix === n.always || r.prefix === n.cross;
    const rib = await waitRoutes(nodes[i]!, 'ipv4', (r) => r.filter(own).length === 2, 'only its own blocks\' static routes', 10_000);
    t.same(rib.filter(own).map((r) => `${r.prefix} ${r.source} ${r.best ? 'best' : '-'}`).sort(), [`${n.always} static1 best`, `${n.cross} static1 best`],
      `${n.name}: its own blocks only as static1 (no copy of a peer's learned tunnel route wins over them)`);
  }
  const ifindexB = { before: 0 };
  for (const [i, n] of VX_NODES.entries()) {
    const s = await waitTunnelState(nodes[i]!, n, 'device, VTEP entries and block routes');
    t.same(s.device, wantDevice(n), `${n.name}: vxlan.calico VNI 4096, dstport 4789, local ${n.ip}, nolearning, MAC ${n.mac}, ${n.tunnelAddr}/32`);
    t.same(s.neigh, wantState(n).neigh, `${n.name}: a permanent neighbour per remote VTEP`);
    t.same(s.fdb, wantState(n).fdb, `${n.name}: an FDB entry per remote VTEP`);
    t.same(s.routes, wantRoutes(n), `${n.name}: one route per remote block (Always: VXLAN; CrossSubnet: ${n === c ? 'VXLAN across the router' : 'direct on the LAN, VXLAN across the router'}); no BGP duplicate, no blackhole`);
    if (n === b) ifindexB.before = s.ifindex;
  }
  for (const [i, n] of VX_NODES.entries()) {
    const deleted = monitors[i]!.lines().filter((l) => l.startsWith('Deleted') && /^Deleted (10\.244|10\.250)\./.test(l));
    t.same(deleted, [], `${n.name}: no pool route was deleted while petreld started, converged and scanned`);
  }

  await echoServer(t, pods[1]!, [b.podAlways, b.podCross]);
  await echoServer(t, pods[2]!, [c.podAlways, c.podCross]);
  const nsA = topo.nodes[a.name]!, nsB = topo.nodes[b.name]!, nsC = topo.nodes[c.name]!;

  let [sa, sb] = [await vxlanStats(nsA), await vxlanStats(nsB)];
  t.equal(await echo(pods[0]!, a.podAlways, b.podAlways), ECHO, 'Always pool: pod-a → pod-b over TCP');
  let [ea, eb] = [await vxlanStats(nsA), await vxlanStats(nsB)];
  t.ok(ea.tx - sa.tx >= 3 && eb.rx - sb.rx >= 3 && eb.tx - sb.tx >= 3, `Always pool crosses vxlan.calico (node-a tx +${ea.tx - sa.tx}, node-b rx +${eb.rx - sb.rx}, tx +${eb.tx - sb.tx})`);

  [sa, sb] = [ea, eb];
  t.equal(await echo(pods[0]!, a.podCross, b.podCross), ECHO, 'CrossSubnet pool, same LAN: pod-a → pod-b over TCP');
  [ea, eb] = [await vxlanStats(nsA), await vxlanStats(nsB)];
  t.same([ea.tx - sa.tx, eb.rx - sb.rx], [0, 0], 'CrossSubnet on one LAN goes direct: vxlan.calico untouched');

  const sc = await vxlanStats(nsC);
  sa = ea;
  t.equal(await echo(pods[0]!, a.podCross, c.podCross), ECHO, 'CrossSubnet pool, across the router: pod-a → pod-c over TCP');
  const ec = await vxlanStats(nsC);
  ea = await vxlanStats(nsA);
  t.ok(ea.tx - sa.tx >= 3 && ec.rx - sc.rx >= 3, `CrossSubnet across subnets crosses vxlan.calico (node-a tx +${ea.tx - sa.tx}, node-c rx +${ec.rx - sc.rx})`);

  // Repair: the device deleted by hand comes back whole (new ifindex), and so does the path.
  await nsB.exec('ip', ['link', 'del', 'vxlan.calico']);
  const repaired = await waitTunnelState(nodes[1]!, b, 'vxlan.calico recreated after `ip link del`');
  t.not(repaired.ifindex, ifindexB.before, 'node-b: a new device');
  t.equal(await echoEventually(pods[0]!, a.podAlways, b.podAlways, 10_000), ECHO, 'pod-a → pod-b works again after the repair');

  // SIGHUP with tunnels.vxlanMtu 1400: node-b fixes its MTU in place; node-a (not reloaded) keeps 1410.
  rewriteConfig(file, clusterDocs(1400));
  process.kill(nodes[1]!.petrel.pid!, 'SIGHUP');
  const reloaded = await waitTunnelState(nodes[1]!, b, 'MTU 1400 after SIGHUP', 1400);
  t.equal(reloaded.ifindex, repaired.ifindex, 'node-b: MTU changed in place (same device)');
  t.equal((await vxlanDevice(nsA))?.mtu, 1410, 'node-a keeps MTU 1410 (not reloaded)');
  t.same((await petrelRoutes(nodes[1]!, 'ipv4')).filter((r) => r.prefix === a.always && r.best).map((r) => r.source), [meshPeerName(a.ip)], 'node-b: the BGP best route unaffected by the reload');
  t.equal(await echoEventually(pods[0]!, a.podAlways, b.podAlways, 10_000), ECHO, 'pod-a → pod-b after the reload');
});
