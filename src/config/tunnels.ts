/**
 * DOC: the tunnel plan: which tunnel devices this node manages and, for VXLAN, every remote VTEP and route, derived
 * from Node, IPPool and BlockAffinity resources the way Felix's `ipip_mgr.go` / `vxlan_mgr.go` use them.
 *
 * IPIP (`tunl0`): managed when `tunnels.ipip` is `auto` and an IPv4 pool has ipipMode ≠ Never. Only the device
 * (MTU, up, the Node's `ipv4IPIPTunnelAddr`/32): routes over it come from BGP with `krt_tunnel` (the FIB).
 * VXLAN (`vxlan.calico`): managed when `tunnels.vxlan` is `auto` and an IPv4 pool has vxlanMode ≠ Never and this
 * node has an IPv4 address and `ipv4VXLANTunnelAddr`. Every other node with an IPv4 address, a VXLAN tunnel
 * address and a MAC is a remote VTEP (neighbour + FDB entry). Each remote node's blocks (BlockAffinity, not
 * deleted, not `pending`) inside a VXLAN pool get a route: `<block> via <tunnel addr> dev vxlan.calico onlink`,
 * or for a CrossSubnet pool and a remote node inside this node's subnet `<block> via <node IP>` (no encapsulation),
 * at the normal route priority (BGPConfiguration `default` ipv4NormalRoutePriority, 1024) as Felix programs them:
 * the kernel learner learns these routes like BIRD learns Felix's, and a lower metric would make them
 * elevated-priority routes that other nodes prefer over their own blocks (the priority ↔ local_pref prelude).
 * A remote node lacking what its VTEP needs is skipped and named in `notes`. IPv6 VXLAN (`vxlan-v6.calico`) is
 * not planned. Pure; the plan is sorted (VTEPs by node name, routes by CIDR) so equal inputs give equal plans.
 */
import { parsePrefix, prefixContains } from '../util/prefix';
import type { CalicoNode, IpPool, ResourceSet } from './resources';
import type { PetrelSettings } from './settings';

/** Name of the IP-in-IP device (Calico's, and the ipip module's fallback device). */
export const IPIP_DEVICE = 'tunl0';
/** Felix's default route priority (BGPConfiguration ipv4NormalRoutePriority). */
const NORMAL_ROUTE_PRIORITY = 1024;

/** Name of Calico's IPv4 VXLAN device. */
export const VXLAN_DEVICE = 'vxlan.calico';

/** The IPIP device wanted on this node. */
export interface IpipPlan {
  device: string;
  mtu: number;
  /** The device's /32 address (Node `ipv4IPIPTunnelAddr`), when the node has one. */
  address?: string;
}

/** A remote node's VXLAN endpoint. */
export interface RemoteVtep {
  node: string;
  /** The remote node's underlay IPv4 address (FDB destination). */
  nodeIp: string;
  /** The remote `vxlan.calico` address (neighbour destination, route gateway). */
  tunnelAddr: string;
  mac: string;
}

/** A route to a remote node's block. */
export interface TunnelRoute {
  cidr: string;
  node: string;
  /** `vxlan`: via the remote tunnel address on vxlan.calico, onlink; `direct`: via the node IP (same subnet). */
  mode: 'vxlan' | 'direct';
  via: string;
}

/** The VXLAN device wanted on this node, with its remote VTEPs and routes. */
export interface VxlanPlan {
  device: string;
  vni: number;
  port: number;
  mtu: number;
  /** This node's underlay IPv4 address (IFLA_VXLAN_LOCAL). */
  local: string;
  /** The device MAC from the Node resource; undefined lets the kernel choose. */
  mac?: string;
  /** The device's /32 address (Node `ipv4VXLANTunnelAddr`). */
  address: string;
  /** RTA_PRIORITY of the block routes (the normal route priority); absent means 0. */
  metric?: number;
  /** The VXLAN pools' CIDRs: routes of our protocol inside them belong to this plan. */
  poolCidrs: string[];
  vteps: RemoteVtep[];
  routes: TunnelRoute[];
}

/** What the TunnelManager must make true. An undefined member means "leave that device alone". */
export interface TunnelPlan {
  ipip?: IpipPlan;
  vxlan?: VxlanPlan;
  /** Why something was not planned (settings off, missing tunnel address or MAC), for logs and `petreld check`. */
  notes: string[];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function contains(outer: string, inner: string): boolean {
  const o = parsePrefix(outer);
  const i = parsePrefix(inner.includes('/') ? inner : `${inner}/32`);
  return o !== undefined && i !== undefined && typeof o === typeof i && prefixContains(o, i);
}

/** Derives node `nodeName`'s tunnel plan from the cluster's resources and `settings.tunnels`. */
export function deriveTunnelPlan(rs: ResourceSet, nodeName: string, settings: Pick<PetrelSettings, 'tunnels'>): TunnelPlan {
  const t = settings.tunnels;
  const notes: string[] = [];
  const me = rs.nodes.find((n) => n.name === nodeName);
  const v4Pools = rs.ipPools.filter((p) => p.family === 'ipv4');
  const plan: TunnelPlan = { notes };

  const ipipPools = v4Pools.filter((p) => p.ipipMode !== 'Never');
  if (t.ipip === 'off') notes.push('ipip: management off (tunnels.ipip)');
  else if (ipipPools.length === 0) notes.push('ipip: no IPv4 pool uses ipipMode');
  else if (me) {
    plan.ipip = { device: IPIP_DEVICE, mtu: t.ipipMtu };
    if (me.ipv4IPIPTunnelAddr !== undefined) plan.ipip.address = me.ipv4IPIPTunnelAddr;
    else notes.push(`ipip: node ${nodeName} has no ipv4IPIPTunnelAddr; ${IPIP_DEVICE} gets no address`);
  }

  const vxlanPools = v4Pools.filter((p) => p.vxlanMode !== 'Never').sort((a, b) => cmp(a.cidr, b.cidr));
  if (t.vxlan === 'off') notes.push('vxlan: management off (tunnels.vxlan)');
  else if (vxlanPools.length === 0) notes.push('vxlan: no IPv4 pool uses vxlanMode');
  else if (!me?.ipv4Address) notes.push(`vxlan: node ${nodeName} has no IPv4 address`);
  else if (me.ipv4VXLANTunnelAddr === undefined) notes.push(`vxlan: node ${nodeName} has no ipv4VXLANTunnelAddr`);
  else plan.vxlan = vxlanPlan(rs, me, vxlanPools, t, notes);
  return plan;
}

function vxlanPlan(rs: ResourceSet, me: CalicoNode, pools: IpPool[], t: PetrelSettings['tunnels'], notes: string[]): VxlanPlan {
  const vteps: RemoteVtep[] = [];
  const byNode = new Map<string, RemoteVtep>();
  for (const n of [...rs.nodes].sort((a, b) => cmp(a.name, b.name))) {
    if (n.name === me.name) continue;
    const missing = [!n.ipv4Address && 'an IPv4 address', !n.ipv4VXLANTunnelAddr && 'ipv4VXLANTunnelAddr', !n.vxlanTunnelMACAddr && 'vxlanTunnelMACAddr'].filter(Boolean);
    if (missing.length > 0) {
      notes.push(`vxlan: node ${n.name} skipped (no ${missing.join(', no ')})`);
      continue;
    }
    const v: RemoteVtep = { node: n.name, nodeIp: n.ipv4Address!.ip, tunnelAddr: n.ipv4VXLANTunnelAddr!, mac: n.vxlanTunnelMACAddr! };
    vteps.push(v);
    byNode.set(n.name, v);
  }
  const myNet = me.ipv4Address!.network;
  const routes: TunnelRoute[] = [];
  for (const a of rs.blockAffinities) {
    if (a.deleted || a.state === 'pending' || a.node === me.name || a.cidr.includes(':')) continue;
    const vtep = byNode.get(a.node);
    const pool = pools.find((p) => contains(p.cidr, a.cidr));
    if (!vtep || !pool) continue;
    const sameSubnet = pool.vxlanMode === 'CrossSubnet' && contains(myNet, vtep.nodeIp);
    routes.push(sameSubnet ? { cidr: a.cidr, node: a.node, mode: 'direct', via: vtep.nodeIp } : { cidr: a.cidr, node: a.node, mode: 'vxlan', via: vtep.tunnelAddr });
  }
  routes.sort((a, b) => cmp(a.cidr, b.cidr));
  const plan: VxlanPlan = {
    device: VXLAN_DEVICE, vni: t.vxlanVni, port: t.vxlanPort, mtu: t.vxlanMtu, local: me.ipv4Address!.ip,
    address: me.ipv4VXLANTunnelAddr!, metric: rs.bgpConfigurations.find((c) => c.name === 'default')?.ipv4NormalRoutePriority ?? NORMAL_ROUTE_PRIORITY,
    poolCidrs: pools.map((p) => p.cidr), vteps, routes,
  };
  if (me.vxlanTunnelMACAddr !== undefined) plan.mac = me.vxlanTunnelMACAddr;
  return plan;
}
