/**
 * DOC: RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE encoding and route decoding (dump replies, notifications).
 *
 * Body: `struct rtmsg` (12 octets: family, dst_len, src_len, tos, table, protocol, scope, type, flags u32) then
 * RTA_* attributes. Conventions copied from iproute2 so our requests look like `ip route`'s: tables below 256 go in
 * `rtm_table` only, larger ones in RTA_TABLE with `rtm_table` = RT_TABLE_UNSPEC; scope defaults to link for a
 * unicast route with neither gateway nor multipath, universe otherwise; deletes use scope NOWHERE and type UNSPEC
 * so they match any route of that prefix, table, metric and (when given) protocol.
 * Multipath: RTA_MULTIPATH holds `struct rtnexthop` {len u16, flags u8, hops u8, ifindex i32} each followed by its
 * own RTA_GATEWAY or RTA_VIA; `hops` is weight − 1.
 * Nexthop objects: RTA_NH_ID names one (nexthop.ts); the kernel's dumps still carry its gateway/oif (unless
 * net.ipv4.nexthop_compat_mode is 0).
 */
import { Af, NLMSG_HDRLEN, NlFlag, RouteFlag, RouteProtocol, RouteScope, RouteTable, RouteType, Rta, RtmType } from './constants';
import { FibError } from './errors';
import { decodeHeader } from './header';
import { IpAddr, NlWriter, addrLength, forEachAttr, readAddr, writeAddr } from './wire';

const RTMSG_LEN = 12;
const RTNH_LEN = 8;

/** A gateway in another address family (RTA_VIA), e.g. an IPv4 route via an IPv6 next hop (RFC 5549 style). */
export interface RouteVia {
  family: Af.Inet | Af.Inet6;
  addr: IpAddr;
}

/** One next hop of a multipath route. */
export interface RouteNexthop {
  gateway?: IpAddr;
  via?: RouteVia;
  /** Output interface index (0 or absent: let the kernel resolve it from the gateway). */
  oif?: number;
  /** 1..256, default 1 (the kernel stores weight − 1 in `rtnh_hops`). */
  weight?: number;
  /** RTNH_F_* flags; `onlink` sets RTNH_F_ONLINK. */
  flags?: number;
  onlink?: boolean;
}

/** A kernel route, as encoders take it and decoders return it. */
export interface Route {
  family: Af.Inet | Af.Inet6;
  /** Destination network; absent for the default route. */
  dst?: IpAddr;
  dstLen: number;
  /** Routing table; default RT_TABLE_MAIN (254). */
  table?: number;
  /** `rtm_protocol`; default RTPROT_BIRD (12), what Calico expects of us (calico-contract §2). */
  protocol?: number;
  /** `rtm_type`; default unicast. */
  type?: RouteType;
  /** `rtm_scope`; default as iproute2 (see module doc). */
  scope?: number;
  tos?: number;
  /** `rtm_flags` (RTNH_F_ONLINK etc. for single-path routes); `onlink` ORs in RTNH_F_ONLINK. */
  flags?: number;
  onlink?: boolean;
  gateway?: IpAddr;
  via?: RouteVia;
  oif?: number;
  /** Metric (RTA_PRIORITY). */
  priority?: number;
  prefsrc?: IpAddr;
  multipath?: RouteNexthop[];
  /** RTA_NH_ID: a nexthop object (nexthop.ts) instead of gateway/oif/multipath. */
  nhid?: number;
}

/** A route decoded from the kernel: addresses are text, table/protocol/type/scope/flags are always present. */
export interface DecodedRoute extends Route {
  dst?: string;
  gateway?: string;
  prefsrc?: string;
  via?: { family: Af.Inet | Af.Inet6; addr: string };
  multipath?: (RouteNexthop & { gateway?: string; weight: number; flags: number; oif: number })[];
  table: number;
  protocol: number;
  type: RouteType;
  scope: number;
  flags: number;
  tos: number;
  srcLen: number;
}

/** NLM_F_* for adding a route that must not exist yet. */
export const ROUTE_ADD_FLAGS = NlFlag.Request | NlFlag.Ack | NlFlag.Create | NlFlag.Excl;
/** NLM_F_* for add-or-replace in place (what the FIB uses). */
export const ROUTE_REPLACE_FLAGS = NlFlag.Request | NlFlag.Ack | NlFlag.Create | NlFlag.Replace;
/** NLM_F_* for a delete. */
export const ROUTE_DELETE_FLAGS = NlFlag.Request | NlFlag.Ack;

function writeVia(w: NlWriter, via: RouteVia): void {
  const n = addrLength(via.family);
  w.ensure(4 + 2 + n + 3);
  w.u16(4 + 2 + n);
  w.u16(Rta.Via);
  w.u16(via.family);
  writeAddr(w.buf, w.pos, via.family, via.addr);
  w.pos += n;
  w.align();
}

/**
 * Appends one RTM_NEWROUTE (or RTM_DELROUTE with `type` = RtmType.DelRoute) to `w`. `flags` are the NLM_F_* flags
 * (ROUTE_REPLACE_FLAGS, ROUTE_ADD_FLAGS, ROUTE_DELETE_FLAGS); the transport may rewrite NLM_F_ACK and `seq`.
 */
export function encodeRoute(w: NlWriter, msgType: RtmType.NewRoute | RtmType.DelRoute, flags: number, seq: number, r: Route): void {
  const start = w.beginMessage(msgType, flags, seq);
  const family = r.family;
  const table = r.table ?? RouteTable.Main;
  const type = r.type ?? (msgType === RtmType.DelRoute ? RouteType.Unspec : RouteType.Unicast);
  const hasNexthop = r.gateway !== undefined || r.via !== undefined || r.nhid !== undefined || (r.multipath !== undefined && r.multipath.length > 0);
  let scope = r.scope;
  if (scope === undefined) {
    if (msgType === RtmType.DelRoute) scope = RouteScope.Nowhere;
    else if ((type === RouteType.Unicast || type === RouteType.Unspec) && !hasNexthop) scope = RouteScope.Link;
    else scope = RouteScope.Universe;
  }
  w.ensure(RTMSG_LEN);
  const b = w.buf, p = w.pos;
  b[p] = family;
  b[p + 1] = r.dstLen;
  b[p + 2] = 0;
  b[p + 3] = r.tos ?? 0;
  b[p + 4] = table < 256 ? table : RouteTable.Unspec;
  b[p + 5] = r.protocol ?? (msgType === RtmType.DelRoute ? RouteProtocol.Unspec : RouteProtocol.Bird);
  b[p + 6] = scope;
  b[p + 7] = type;
  b.writeUInt32LE(((r.flags ?? 0) | (r.onlink ? RouteFlag.Onlink : 0)) >>> 0, p + 8);
  w.pos = p + RTMSG_LEN;
  // Attribute order of `ip route replace PREFIX via GW dev DEV table T metric M src S`.
  if (r.dst !== undefined && r.dstLen > 0) w.attrAddr(Rta.Dst, family, r.dst);
  if (r.gateway !== undefined) w.attrAddr(Rta.Gateway, family, r.gateway);
  if (r.via !== undefined) writeVia(w, r.via);
  if (r.oif !== undefined) w.attrU32(Rta.Oif, r.oif);
  if (table >= 256) w.attrU32(Rta.Table, table);
  if (r.priority !== undefined) w.attrU32(Rta.Priority, r.priority);
  if (r.nhid !== undefined) w.attrU32(Rta.NhId, r.nhid);
  if (r.prefsrc !== undefined) w.attrAddr(Rta.Prefsrc, family, r.prefsrc);
  if (r.multipath !== undefined && r.multipath.length > 0) {
    const mp = w.beginNest(Rta.Multipath);
    for (const nh of r.multipath) {
      const weight = nh.weight ?? 1;
      if (weight < 1 || weight > 256) throw new FibError(`multipath weight ${weight} outside 1..256`);
      w.ensure(RTNH_LEN);
      const q = w.pos;
      w.buf.writeUInt16LE(0, q);
      w.buf[q + 2] = ((nh.flags ?? 0) | (nh.onlink ? RouteFlag.Onlink : 0)) & 0xff;
      w.buf[q + 3] = weight - 1;
      w.buf.writeInt32LE(nh.oif ?? 0, q + 4);
      w.pos = q + RTNH_LEN;
      if (nh.gateway !== undefined) w.attrAddr(Rta.Gateway, family, nh.gateway);
      if (nh.via !== undefined) writeVia(w, nh.via);
      w.buf.writeUInt16LE(w.pos - q, q);
    }
    w.endNest(mp);
  }
  w.endMessage(start);
}

/**
 * Appends an RTM_GETROUTE dump request for `family` (AF_UNSPEC for both). The kernel returns every table; filter
 * by `table` on the decoded routes (strict dump filtering needs NETLINK_GET_STRICT_CHK, which the socket lacks).
 */
export function encodeRouteDump(w: NlWriter, seq: number, family: number): void {
  const start = w.beginMessage(RtmType.GetRoute, NlFlag.Request | NlFlag.Dump, seq);
  w.zero(RTMSG_LEN);
  w.buf[start + NLMSG_HDRLEN] = family;
  w.endMessage(start);
}

/** Decodes an RTM_NEWROUTE / RTM_DELROUTE message (header included) at `off`. */
export function decodeRoute(buf: Buffer, off = 0): DecodedRoute {
  const hdr = decodeHeader(buf, off);
  if (hdr.type !== RtmType.NewRoute && hdr.type !== RtmType.DelRoute && hdr.type !== RtmType.GetRoute)
    throw new FibError(`not a route message (type ${hdr.type})`);
  const p = off + NLMSG_HDRLEN;
  const end = off + hdr.len;
  if (end - p < RTMSG_LEN) throw new FibError(`rtmsg truncated (${end - p} octets)`);
  const r: DecodedRoute = {
    family: buf[p] as Af.Inet | Af.Inet6,
    dstLen: buf[p + 1],
    srcLen: buf[p + 2],
    tos: buf[p + 3],
    table: buf[p + 4],
    protocol: buf[p + 5],
    scope: buf[p + 6],
    type: buf[p + 7] as RouteType,
    flags: buf.readUInt32LE(p + 8),
  };
  forEachAttr(buf, p + RTMSG_LEN, end, (type, vo, vl) => {
    switch (type) {
      case Rta.Dst:
        r.dst = readAddr(buf, vo, vl);
        break;
      case Rta.Gateway:
        r.gateway = readAddr(buf, vo, vl);
        break;
      case Rta.Via:
        r.via = decodeVia(buf, vo, vl);
        break;
      case Rta.Oif:
        r.oif = buf.readUInt32LE(vo);
        break;
      case Rta.Priority:
        r.priority = buf.readUInt32LE(vo);
        break;
      case Rta.Prefsrc:
        r.prefsrc = readAddr(buf, vo, vl);
        break;
      case Rta.Table:
        r.table = buf.readUInt32LE(vo);
        break;
      case Rta.Multipath:
        r.multipath = decodeMultipath(buf, vo, vo + vl);
        break;
      case Rta.NhId:
        r.nhid = buf.readUInt32LE(vo);
        break;
    }
  });
  return r;
}

function decodeVia(buf: Buffer, off: number, len: number): { family: Af.Inet | Af.Inet6; addr: string } {
  if (len < 2) throw new FibError('RTA_VIA truncated');
  return { family: buf.readUInt16LE(off) as Af.Inet | Af.Inet6, addr: readAddr(buf, off + 2, len - 2) };
}

function decodeMultipath(buf: Buffer, start: number, end: number): NonNullable<DecodedRoute['multipath']> {
  const out: NonNullable<DecodedRoute['multipath']> = [];
  let p = start;
  while (p + RTNH_LEN <= end) {
    const len = buf.readUInt16LE(p);
    if (len < RTNH_LEN || p + len > end) throw new FibError(`malformed rtnexthop (length ${len})`);
    const flags = buf[p + 2];
    const nh: NonNullable<DecodedRoute['multipath']>[number] = { flags, weight: buf[p + 3] + 1, oif: buf.readInt32LE(p + 4) };
    if (flags & RouteFlag.Onlink) nh.onlink = true;
    forEachAttr(buf, p + RTNH_LEN, p + len, (type, vo, vl) => {
      if (type === Rta.Gateway) nh.gateway = readAddr(buf, vo, vl);
      else if (type === Rta.Via) nh.via = decodeVia(buf, vo, vl);
    });
    out.push(nh);
    p += (len + 3) & ~3;
  }
  return out;
}
