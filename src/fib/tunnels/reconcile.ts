/**
 * DOC: the pure half of tunnel management: given the plan and a snapshot of the kernel, the rtnetlink requests
 * that make the kernel match (Felix's `ipip_mgr.go` / `vxlan_mgr.go` semantics, programmed with the manager's
 * protocol, which is not the FIB's: see TunnelManagerOptions.protocol).
 *
 * Devices. `tunl0`: created as `ip link add tunl0 type ipip` would (name and kind only, the ipip module's fallback
 * device shape: byte-identical to that command, tested against a capture), then one `ip link set dev tunl0 mtu M
 * up`; a non-ipip device of that name is deleted and recreated. `vxlan.calico`: created with VNI, UDP port, local
 * address, learning off, MTU and the Node's MAC; a device whose VNI, port, local address, learning or kind differ
 * is deleted and recreated (the kernel cannot change them in place); MTU, MAC and up are fixed in place.
 * Addresses: exactly the plan's /32 among the device's IPv4 addresses (others removed, as Felix does).
 * VXLAN entries: per remote VTEP a permanent neighbour (tunnel addr → MAC) and a self FDB entry (MAC → node IP);
 * stale permanent neighbours and FDB entries with a destination on the device are removed.
 * Routes: the plan's blocks `via <tunnel addr> dev vxlan.calico onlink` or (CrossSubnet, same subnet) `via <node
 * IP>`, protocol ours, metric the plan's (0 when absent). Ours = unicast, our protocol, in the table, and either on
 * vxlan.calico or a gateway route inside a VXLAN pool (a device route there is a workload's, whatever its protocol):
 * only those are ever replaced or deleted (the FIB's BGP routes never fall in VXLAN pools, which the
 * kernel filter rejects). A device just created has no index yet: its follow-up requests come in the next pass.
 * Order of requests: link deletes, creates, link fixes, addresses, neighbours, FDB, routes.
 */
import type { IpipPlan, TunnelPlan, VxlanPlan } from '../../config/tunnels';
import { parsePrefix, prefixContains } from '../../util/prefix';
import {
  Af, Iff, LINK_CREATE_FLAGS, LINK_SET_FLAGS, NEIGH_DELETE_FLAGS, NEIGH_REPLACE_FLAGS, NlWriter, Nud, ROUTE_DELETE_FLAGS,
  ROUTE_REPLACE_FLAGS, RouteFlag, RouteType, RtmType, encodeAddr, encodeDelLink, encodeNeigh, encodeNewLink, encodeRoute,
  type DecodedAddress, type DecodedLink, type DecodedNeighbour, type DecodedRoute,
} from '../netlink/codec';

/** The kernel state tunnel management reads (IPv4 addresses, neighbours, FDB, routes). */
export interface TunnelSnapshot {
  links: DecodedLink[];
  addrs: DecodedAddress[];
  neighs: DecodedNeighbour[];
  fdb: DecodedNeighbour[];
  routes: DecodedRoute[];
}

/** One request to send, with what it is for. */
export interface TunnelAction {
  device: 'ipip' | 'vxlan';
  op: 'delete-link' | 'create-link' | 'set-link' | 'add-addr' | 'del-addr' | 'neigh' | 'del-neigh' | 'fdb' | 'del-fdb' | 'route' | 'del-route';
  /** Human-readable (`ip`-style) description for logs. */
  what: string;
  /** One encoded rtnetlink request (seq 0). */
  msg: Buffer;
}

/** Route ownership and programming parameters. */
export interface ReconcileOptions {
  protocol: number;
  table: number;
}

function one(fn: (w: NlWriter) => void): Buffer {
  const w = new NlWriter(128);
  fn(w);
  return w.finish();
}

const ORDER: TunnelAction['op'][] = ['delete-link', 'create-link', 'set-link', 'del-addr', 'add-addr', 'del-neigh', 'neigh', 'del-fdb', 'fdb', 'del-route', 'route'];

/** The requests that bring the kernel to `plan`, in execution order; empty when it already matches. */
export function reconcileActions(plan: TunnelPlan, snap: TunnelSnapshot, opts: ReconcileOptions, skip: { ipip?: boolean } = {}): TunnelAction[] {
  const out: TunnelAction[] = [];
  if (plan.ipip && !skip.ipip) ipipActions(plan.ipip, snap, out);
  if (plan.vxlan) vxlanActions(plan.vxlan, snap, opts, out);
  return out.sort((a, b) => ORDER.indexOf(a.op) - ORDER.indexOf(b.op));
}

/** The create request for tunl0: what `ip link add tunl0 type ipip` sends. */
export function ipipCreateMessage(name: string): Buffer {
  return one((w) => encodeNewLink(w, LINK_CREATE_FLAGS, 0, { name, kind: 'ipip' }));
}

/** The fix request for a device: what `ip link set dev NAME mtu M up` sends (plus the MAC when given). */
export function linkSetMessage(index: number, mtu: number, address?: string): Buffer {
  return one((w) => encodeNewLink(w, LINK_SET_FLAGS, 0, { index, mtu, flags: Iff.Up, change: Iff.Up, ...(address ? { address } : {}) }));
}

function ipipActions(p: IpipPlan, snap: TunnelSnapshot, out: TunnelAction[]): void {
  const link = snap.links.find((l) => l.name === p.device);
  if (link && link.kind !== 'ipip') {
    out.push({ device: 'ipip', op: 'delete-link', what: `ip link del ${p.device} (kind ${link.kind ?? 'none'}, not ipip)`, msg: one((w) => encodeDelLink(w, 0, link.index)) });
  }
  if (!link || link.kind !== 'ipip') {
    out.push({ device: 'ipip', op: 'create-link', what: `ip link add ${p.device} type ipip`, msg: ipipCreateMessage(p.device) });
    return;
  }
  if (link.mtu !== p.mtu || !(link.flags & Iff.Up)) {
    out.push({ device: 'ipip', op: 'set-link', what: `ip link set dev ${p.device} mtu ${p.mtu} up`, msg: linkSetMessage(link.index, p.mtu) });
  }
  addressActions('ipip', link.index, p.device, p.address, snap, out);
}

function vxlanActions(p: VxlanPlan, snap: TunnelSnapshot, opts: ReconcileOptions, out: TunnelAction[]): void {
  const link = snap.links.find((l) => l.name === p.device);
  const v = link?.vxlan;
  const wrong = link !== undefined && (link.kind !== 'vxlan' || !v || v.id !== p.vni || (v.port ?? 8472) !== p.port || v.local !== p.local || v.learning !== false);
  if (link && wrong) {
    out.push({ device: 'vxlan', op: 'delete-link', what: `ip link del ${p.device} (parameters differ)`, msg: one((w) => encodeDelLink(w, 0, link.index)) });
  }
  if (!link || wrong) {
    out.push({
      device: 'vxlan', op: 'create-link',
      what: `ip link add ${p.device} mtu ${p.mtu}${p.mac ? ` address ${p.mac}` : ''} type vxlan id ${p.vni} dstport ${p.port} local ${p.local} nolearning`,
      msg: one((w) => encodeNewLink(w, LINK_CREATE_FLAGS, 0, {
        name: p.device, mtu: p.mtu, ...(p.mac ? { address: p.mac } : {}),
        vxlan: { id: p.vni, port: p.port, local: p.local, learning: false },
      })),
    });
    return;
  }
  const vx = link!.index;
  const macWrong = p.mac !== undefined && link!.address !== p.mac;
  if (link!.mtu !== p.mtu || !(link!.flags & Iff.Up) || macWrong) {
    out.push({
      device: 'vxlan', op: 'set-link', what: `ip link set dev ${p.device} mtu ${p.mtu}${macWrong ? ` address ${p.mac}` : ''} up`,
      msg: linkSetMessage(vx, p.mtu, macWrong ? p.mac : undefined),
    });
  }
  addressActions('vxlan', vx, p.device, p.address, snap, out);

  const wantNeigh = new Map(p.vteps.map((t) => [t.tunnelAddr, t.mac]));
  for (const n of snap.neighs) {
    if (n.index !== vx || n.family !== Af.Inet || n.dst === undefined) continue;
    const mac = wantNeigh.get(n.dst);
    if (mac === undefined) {
      if (n.state & Nud.Permanent) out.push({ device: 'vxlan', op: 'del-neigh', what: `ip neigh del ${n.dst} dev ${p.device}`, msg: one((w) => encodeNeigh(w, RtmType.DelNeigh, NEIGH_DELETE_FLAGS, 0, { family: Af.Inet, index: vx, dst: n.dst! })) });
    } else if (n.lladdr === mac && n.state & Nud.Permanent) wantNeigh.delete(n.dst);
  }
  for (const [dst, mac] of wantNeigh) {
    out.push({ device: 'vxlan', op: 'neigh', what: `ip neigh replace ${dst} lladdr ${mac} dev ${p.device} nud permanent`, msg: one((w) => encodeNeigh(w, RtmType.NewNeigh, NEIGH_REPLACE_FLAGS, 0, { family: Af.Inet, index: vx, dst, lladdr: mac })) });
  }

  const wantFdb = new Map(p.vteps.map((t) => [t.mac, t.nodeIp]));
  for (const e of snap.fdb) {
    if (e.index !== vx || e.dst === undefined || e.lladdr === undefined) continue;
    if (wantFdb.get(e.lladdr) === e.dst) wantFdb.delete(e.lladdr);
    else out.push({ device: 'vxlan', op: 'del-fdb', what: `bridge fdb del ${e.lladdr} dev ${p.device} dst ${e.dst} self`, msg: one((w) => encodeNeigh(w, RtmType.DelNeigh, NEIGH_DELETE_FLAGS, 0, { family: Af.Bridge, index: vx, lladdr: e.lladdr!, dst: e.dst! })) });
  }
  for (const [mac, dst] of wantFdb) {
    out.push({ device: 'vxlan', op: 'fdb', what: `bridge fdb replace ${mac} dev ${p.device} dst ${dst} self permanent`, msg: one((w) => encodeNeigh(w, RtmType.NewNeigh, NEIGH_REPLACE_FLAGS, 0, { family: Af.Bridge, index: vx, lladdr: mac, dst })) });
  }

  routeActions(p, vx, snap, opts, out);
}

function addressActions(device: TunnelAction['device'], index: number, name: string, want: string | undefined, snap: TunnelSnapshot, out: TunnelAction[]): void {
  let have = false;
  for (const a of snap.addrs) {
    if (a.index !== index || a.family !== Af.Inet) continue;
    const addr = a.local ?? a.address;
    if (addr === want && a.prefixLen === 32) have = true;
    else if (addr !== undefined) out.push({ device, op: 'del-addr', what: `ip addr del ${addr}/${a.prefixLen} dev ${name}`, msg: one((w) => encodeAddr(w, RtmType.DelAddr, 0, { family: Af.Inet, index, address: addr, prefixLen: a.prefixLen })) });
  }
  if (want !== undefined && !have) {
    out.push({ device, op: 'add-addr', what: `ip addr replace ${want}/32 dev ${name}`, msg: one((w) => encodeAddr(w, RtmType.NewAddr, 0, { family: Af.Inet, index, address: want, prefixLen: 32 })) });
  }
}

function routeActions(p: VxlanPlan, vx: number, snap: TunnelSnapshot, opts: ReconcileOptions, out: TunnelAction[]): void {
  const pools = p.poolCidrs.map((c) => parsePrefix(c)).filter((k) => k !== undefined);
  const metric = p.metric ?? 0;
  const want = new Map(p.routes.map((r) => [r.cidr, r]));
  for (const r of snap.routes) {
    if (r.family !== Af.Inet || r.table !== opts.table || r.protocol !== opts.protocol || r.type !== RouteType.Unicast) continue;
    const cidr = `${r.dst ?? '0.0.0.0'}/${r.dstLen}`;
    const key = parsePrefix(cidr);
    const inPool = key !== undefined && pools.some((k) => prefixContains(k, key));
    // Off the device, only gateway routes are block routes: a device route in a pool is a workload's (Felix's).
    if (r.oif !== vx && (!inPool || r.gateway === undefined)) continue;
    const w = want.get(cidr);
    const ok = w !== undefined && (r.priority ?? 0) === metric && r.gateway === w.via &&
      (w.mode === 'vxlan' ? r.oif === vx && (r.flags & RouteFlag.Onlink) !== 0 : r.oif !== vx);
    if (ok) {
      want.delete(cidr);
      continue;
    }
    if (w !== undefined && (r.priority ?? 0) === metric) continue; // replaced in place below
    out.push({
      device: 'vxlan', op: 'del-route', what: `ip route del ${cidr} proto ${opts.protocol}${r.priority ? ` metric ${r.priority}` : ''}`,
      msg: one((wr) => encodeRoute(wr, RtmType.DelRoute, ROUTE_DELETE_FLAGS, 0, { family: Af.Inet, dst: r.dst, dstLen: r.dstLen, table: opts.table, protocol: opts.protocol, ...(r.priority ? { priority: r.priority } : {}) })),
    });
  }
  for (const r of want.values()) {
    const [dst, len] = r.cidr.split('/');
    const vxlan = r.mode === 'vxlan';
    out.push({
      device: 'vxlan', op: 'route',
      what: `ip route replace ${r.cidr} via ${r.via}${vxlan ? ` dev ${p.device} onlink` : ''} proto ${opts.protocol}${metric ? ` metric ${metric}` : ''}`,
      msg: one((w) => encodeRoute(w, RtmType.NewRoute, ROUTE_REPLACE_FLAGS, 0, {
        family: Af.Inet, dst, dstLen: Number(len), table: opts.table, protocol: opts.protocol, gateway: r.via, ...(metric ? { priority: metric } : {}),
        ...(vxlan ? { oif: vx, onlink: true } : {}),
      })),
    });
  }
}
