/**
 * DOC: the routed VXLAN cluster of `vxlan-petreld.test.ts`: three Calico nodes running petreld, two pods' worth
 * of namespaces, and readers of the kernel state the tunnel manager owns.
 *
 *   LAN 1 10.97.1.0/24 (buildLan: bridge)          LAN 2 10.97.2.0/24 (one veth)
 *   node-a .1   node-b .2   router .254  ──eth1──  .254 router   node-c .3
 *
 * Pools: `vx-always` 10.244.0.0/16 (vxlanMode Always) and `vx-cross` 10.250.0.0/16 (vxlanMode CrossSubnet), both
 * ipipMode Never. Node N (0, 1, 2) owns blocks 10.244.N.0/26 and 10.250.N.0/26; its `vxlan.calico` address is the
 * first address of its 10.244 block (Calico allocates the tunnel address from the node's block) and its MAC
 * 66:0f:5a:00:00:0N. The router forwards between the LANs; the nodes reach the other LAN through static routes.
 *
 * Owns every namespace and file it makes (registered with the tap test's teardown and the exit guard). Nothing is
 * added to the root namespace.
 */
import { writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { stringify } from 'yaml';
import { addAddress, createNetns, vethPair, waitFor, type Netns, type Teardownable } from '../lib/index.js';
import { buildLan } from '../lib/lan.js';
import { bgpConfiguration, blockAffinity, petrelConfiguration, type CalicoDoc } from '../lib/calico-resources.js';

/** One node of the cluster. */
export interface VxNode {
  name: string;
  ip: string;
  network: string;
  /** Its 10.244 (Always) and 10.250 (CrossSubnet) blocks. */
  always: string;
  cross: string;
  tunnelAddr: string;
  mac: string;
  /** Its pod's addresses, one per pool. */
  podAlways: string;
  podCross: string;
}

function vxNode(i: number, ip: string, network: string): VxNode {
  return {
    name: `node-${'abc'[i]}`, ip, network, always: `10.244.${i}.0/26`, cross: `10.250.${i}.0/26`, tunnelAddr: `10.244.${i}.0`,
    mac: `66:0f:5a:00:00:0${i + 1}`, podAlways: `10.244.${i}.5`, podCross: `10.250.${i}.5`,
  };
}

export const VX_NODES: readonly VxNode[] = [vxNode(0, '10.97.1.1', '10.97.1.0/24'), vxNode(1, '10.97.1.2', '10.97.1.0/24'), vxNode(2, '10.97.2.3', '10.97.2.0/24')];
export const ALWAYS_POOL = '10.244.0.0/16';
export const CROSS_POOL = '10.250.0.0/16';
const ROUTER = { lan1: '10.97.1.254', lan2: '10.97.2.254' };

function resource(kind: string, name: string, spec: Record<string, unknown>): CalicoDoc {
  return { apiVersion: 'projectcalico.org/v3', kind, metadata: { name }, spec };
}

/** The cluster's resources; `vxlanMtu` goes into PetrelConfiguration.spec.tunnels when given. */
export function clusterDocs(vxlanMtu?: number): CalicoDoc[] {
  return [
    bgpConfiguration({ asNumber: 64512, nodeToNodeMeshEnabled: true }),
    ...VX_NODES.map((n) => resource('Node', n.name, { bgp: { ipv4Address: `${n.ip}/24` }, ipv4VXLANTunnelAddr: n.tunnelAddr, vxlanTunnelMACAddr: n.mac })),
    resource('IPPool', 'vx-always', { cidr: ALWAYS_POOL, blockSize: 26, ipipMode: 'Never', vxlanMode: 'Always', natOutgoing: false }),
    resource('IPPool', 'vx-cross', { cidr: CROSS_POOL, blockSize: 26, ipipMode: 'Never', vxlanMode: 'CrossSubnet', natOutgoing: false }),
    ...VX_NODES.flatMap((n) => [blockAffinity(n.name, n.always), blockAffinity(n.name, n.cross)]),
    petrelConfiguration({ fib: { enabled: true }, tunnels: { vxlan: 'auto', ...(vxlanMtu ? { vxlanMtu } : {}) } }),
  ];
}

/** Overwrites `file` (one written by writeCalicoConfig) with `docs`, in the same format. */
export function rewriteConfig(file: string, docs: readonly CalicoDoc[]): void {
  writeFileSync(file, docs.map((d) => `---\n${stringify(d)}`).join(''));
}

/** The namespaces: one per node (by name) and the router. */
export interface VxTopology {
  nodes: Record<string, Netns>;
  router: Netns;
}

/** Builds the two LANs and the router; IPv6 is off on devices created later (vxlan.calico): clean counters. */
export async function buildVxTopology(t: Teardownable): Promise<VxTopology> {
  const [a, b, c] = VX_NODES;
  const lan = await buildLan(t, 'vxp', [
    { name: a.name, addresses: [`${a.ip}/24`] },
    { name: b.name, addresses: [`${b.ip}/24`] },
    { name: 'router', addresses: [`${ROUTER.lan1}/24`] },
  ]);
  const router = lan.hosts['router']!;
  const nsC = await createNetns(t, 'vxpc');
  await vethPair(router, 'eth1', nsC, 'eth0');
  await addAddress(router, 'eth1', `${ROUTER.lan2}/24`);
  await addAddress(nsC, 'eth0', `${c.ip}/24`);
  await router.exec('sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
  const nodes: Record<string, Netns> = { [a.name]: lan.hosts[a.name]!, [b.name]: lan.hosts[b.name]!, [c.name]: nsC };
  await Promise.all(VX_NODES.map(async (n) => {
    const ns = nodes[n.name]!;
    const other = n.network === '10.97.1.0/24' ? ['10.97.2.0/24', ROUTER.lan1] : ['10.97.1.0/24', ROUTER.lan2];
    await ns.exec('ip', ['route', 'add', other[0], 'via', other[1]]);
    await ns.exec('sysctl', ['-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  }));
  return { nodes, router };
}

/**
 * A pod behind `node` wired as Felix wires a workload: its addresses as /32s on eth0, default via 169.254.1.1,
 * a /32 route per address to `cali0` (metric 1024) on the node, 169.254.1.1 owned by cali0 (Felix's proxy ARP).
 */
export async function addPod(t: Teardownable, node: Netns, ips: readonly string[]): Promise<Netns> {
  const pod = await createNetns(t, 'vxpod');
  await vethPair(node, 'cali0', pod, 'eth0');
  for (const ip of ips) {
    await addAddress(pod, 'eth0', `${ip}/32`);
    await node.exec('ip', ['route', 'add', `${ip}/32`, 'dev', 'cali0', 'metric', '1024']);
  }
  await pod.exec('ip', ['route', 'add', '169.254.1.1', 'dev', 'eth0', 'scope', 'link']);
  await pod.exec('ip', ['route', 'add', 'default', 'via', '169.254.1.1', 'dev', 'eth0']);
  await addAddress(node, 'cali0', '169.254.1.1/32');
  return pod;
}

/** `ip -d -j link show vxlan.calico` plus its IPv4 addresses, as the fields the plan sets. */
export interface VxlanDevice {
  kind: string;
  vni: number;
  port: number;
  local: string;
  learning: boolean;
  mac: string;
  mtu: number;
  up: boolean;
  addrs: string[];
}

interface IpLink {
  ifindex: number;
  mtu: number;
  address: string;
  flags: string[];
  linkinfo?: { info_kind: string; info_data: { id: number; port: number; local: string; learning: boolean } };
  stats64?: { tx: { packets: number }; rx: { packets: number } };
}

/** The device as the kernel has it, undefined when absent. */
export async function vxlanDevice(ns: Netns): Promise<(VxlanDevice & { ifindex: number }) | undefined> {
  const links = JSON.parse((await ns.exec('ip', ['-d', '-j', 'link', 'show'])).stdout) as (IpLink & { ifname: string })[];
  const l = links.find((x) => x.ifname === 'vxlan.calico');
  if (!l) return undefined;
  const addrs = JSON.parse((await ns.exec('ip', ['-4', '-j', 'addr', 'show', 'dev', 'vxlan.calico'])).stdout) as { addr_info: { local: string; prefixlen: number }[] }[];
  const d = l.linkinfo?.info_data;
  return {
    ifindex: l.ifindex, kind: l.linkinfo?.info_kind ?? '', vni: d?.id ?? 0, port: d?.port ?? 0, local: d?.local ?? '', learning: d?.learning ?? true,
    mac: l.address, mtu: l.mtu, up: l.flags.includes('UP'), addrs: (addrs[0]?.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`),
  };
}

/** The permanent neighbours of vxlan.calico as `tunnelAddr lladdr`, sorted. */
export async function vxlanNeighbours(ns: Netns): Promise<string[]> {
  const n = JSON.parse((await ns.exec('ip', ['-4', '-j', 'neigh', 'show', 'dev', 'vxlan.calico'])).stdout) as { dst: string; lladdr: string; state: string[] }[];
  return n.map((x) => `${x.dst} ${x.lladdr} ${x.state.join(',')}`).sort();
}

/** The FDB entries of vxlan.calico as `mac dst flags state`, sorted. */
export async function vxlanFdb(ns: Netns): Promise<string[]> {
  const f = JSON.parse((await ns.exec('bridge', ['-j', 'fdb', 'show', 'dev', 'vxlan.calico'])).stdout) as { mac: string; dst?: string; flags: string[]; state: string }[];
  return f.map((x) => `${x.mac} ${x.dst ?? '-'} ${x.flags.join(',')} ${x.state}`).sort();
}

/** Every main-table IPv4 route inside the two pools, as `ip route` would print them (sorted, one per line). */
export async function poolRoutes(ns: Netns): Promise<string[]> {
  const r = JSON.parse((await ns.exec('ip', ['-4', '-j', 'route', 'show', 'table', 'main'])).stdout) as {
    dst: string; type?: string; gateway?: string; dev?: string; protocol?: string; metric?: number; flags: string[];
  }[];
  return r
    .filter((x) => x.dst.startsWith('10.244.') || x.dst.startsWith('10.250.'))
    .map((x) => [x.type && x.type !== 'unicast' ? x.type : '', x.dst, x.gateway ? `via ${x.gateway}` : '', x.dev ? `dev ${x.dev}` : '',
      x.protocol ? `proto ${x.protocol}` : '', x.metric ? `metric ${x.metric}` : '', ...x.flags].filter(Boolean).join(' '))
    .sort();
}

/** vxlan.calico's packet counters. */
export async function vxlanStats(ns: Netns): Promise<{ tx: number; rx: number }> {
  const [l] = JSON.parse((await ns.exec('ip', ['-s', '-j', 'link', 'show', 'dev', 'vxlan.calico'])).stdout) as IpLink[];
  return { tx: l.stats64!.tx.packets, rx: l.stats64!.rx.packets };
}

/** Starts a TCP echo server on `ip`:7007 in `pod`; resolves once it listens; killed on teardown. */
export async function echoServer(t: Teardownable, pod: Netns, ips: readonly string[]): Promise<void> {
  const code = `const net=require('net');let n=0;for(const ip of process.argv.slice(1))net.createServer((s)=>s.pipe(s)).listen(7007,ip,()=>{if(++n===${ips.length})console.log('ready')})`;
  const p = spawn('ip', ['netns', 'exec', pod.name, process.execPath, '-e', code, ...ips], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => void p.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    p.stdout!.once('data', () => resolve());
    p.once('exit', (c) => reject(new Error(`echo server exited (${c})`)));
  });
}

const CLIENT = `const [host, localAddress] = process.argv.slice(1);
const s = require('net').connect({ host, port: 7007, localAddress });
const got = []; let n = 0;
const next = () => { if (n === 3) { console.log(got.join(' ')); s.end(); return; } s.write('echo ' + ++n); };
s.on('connect', next);
s.on('data', (d) => { got.push(String(d)); next(); });
s.on('error', (e) => { console.log('error ' + e.message); process.exit(1); });
setTimeout(() => { console.log('timeout ' + got.join(' ')); process.exit(1); }, 2000).unref();`;

/** One TCP echo exchange (3 round trips) from `from`@`src` to `dst`:7007; the echoed text, or the failure. */
export async function echo(pod: Netns, src: string, dst: string): Promise<string> {
  const r = await pod.exec(process.execPath, ['-e', CLIENT, dst, src]).catch((e: Error) => ({ stdout: e.message }));
  return r.stdout.trim();
}

/** Waits until an echo exchange succeeds (after a repair the path needs a moment); returns its text. */
export function echoEventually(pod: Netns, src: string, dst: string, timeoutMs: number): Promise<string> {
  return waitFor(async () => {
    const out = await echo(pod, src, dst);
    return out === 'echo 1 echo 2 echo 3' && out;
  }, timeoutMs, `TCP echo ${src} → ${dst}`);
}

/** `ip monitor route` in `ns` from now on (killed on teardown); `lines()` is what it printed so far. */
export function routeMonitor(t: Teardownable, ns: Netns): { lines(): string[] } {
  let out = '';
  const p = spawn('ip', ['-n', ns.name, 'monitor', 'route'], { stdio: ['ignore', 'pipe', 'ignore'] });
  p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  t.teardown(() => void p.kill('SIGKILL'));
  return { lines: () => out.split('\n').filter((l) => l !== '') };
}
