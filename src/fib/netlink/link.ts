/**
 * DOC: RTM_NEWLINK / RTM_DELLINK / RTM_GETLINK encoding and link decoding, with the two tunnel kinds Calico uses:
 * VXLAN (`vxlan.calico`, IFLA_VXLAN_*) and IP-in-IP (`tunl0`, IFLA_IPTUN_*).
 *
 * Body: `struct ifinfomsg` (16 octets: family u8, pad, type u16, index i32, flags u32, change u32) then IFLA_*
 * attributes; tunnel parameters sit in IFLA_LINKINFO { IFLA_INFO_KIND "vxlan"|"ipip", IFLA_INFO_DATA { ... } }.
 * The ipip INFO_DATA is written in the order and with the defaults iproute2 6.1 uses (`iptunnel_parse_opt`), so
 * our request is byte-for-byte what `ip link add tunl0 type ipip local A ttl T` sends (tested against a capture).
 */
import { Af, IflaInfo, Ifla, IflaIptun, IflaVxlan, NLMSG_HDRLEN, NlFlag, RtmType } from './constants';
import { FibError } from './errors';
import { decodeHeader } from './header';
import { IpAddr, NlWriter, forEachAttr, formatMac, parseMac, readAddr, readString } from './wire';

const IFINFOMSG_LEN = 16;

/** VXLAN device parameters (IFLA_VXLAN_*). */
export interface VxlanInfo {
  /** VNI (Calico: 4096 for IPv4, 6 for IPv6). */
  id: number;
  /** Destination UDP port (Calico: 4789). */
  port?: number;
  /** Source IPv4 address (IFLA_VXLAN_LOCAL). */
  local?: IpAddr;
  /** Source IPv6 address (IFLA_VXLAN_LOCAL6). */
  local6?: IpAddr;
  /** Underlay device index (IFLA_VXLAN_LINK). */
  link?: number;
  learning?: boolean;
  ttl?: number;
  tos?: number;
  ageing?: number;
}

/** IP-in-IP tunnel parameters (IFLA_IPTUN_*). Any field given makes the full iproute2 attribute set be sent. */
export interface IpipInfo {
  local?: IpAddr;
  remote?: IpAddr;
  /** Default 0 (inherit). */
  ttl?: number;
  tos?: number;
  /** Path MTU discovery; default on, as in iproute2. */
  pmtudisc?: boolean;
  link?: number;
  fwmark?: number;
}

/** A network device, as encoders take it and decoders return it. */
export interface Link {
  /** ifindex; 0 or absent on create lets the kernel choose. */
  index?: number;
  name?: string;
  mtu?: number;
  /** MAC address, `aa:bb:..` or raw octets. */
  address?: string | Uint8Array;
  /** `ifi_flags` to set (IFF_UP...), applied to the bits in `change`. */
  flags?: number;
  change?: number;
  kind?: string;
  vxlan?: VxlanInfo;
  ipip?: IpipInfo;
}

/** A link decoded from the kernel. */
export interface DecodedLink {
  index: number;
  /** ARPHRD_* device type. */
  type: number;
  flags: number;
  name?: string;
  mtu?: number;
  address?: string;
  master?: number;
  operstate?: number;
  kind?: string;
  vxlan?: Omit<VxlanInfo, 'local' | 'local6'> & { local?: string; local6?: string; port?: number };
  ipip?: Omit<IpipInfo, 'local' | 'remote'> & { local?: string; remote?: string };
}

/** NLM_F_* for creating a device that must not exist yet (what `ip link add` sends). */
export const LINK_CREATE_FLAGS = NlFlag.Request | NlFlag.Ack | NlFlag.Create | NlFlag.Excl;
/** NLM_F_* for changing an existing device (`ip link set`). */
export const LINK_SET_FLAGS = NlFlag.Request | NlFlag.Ack;

function writeIfinfo(w: NlWriter, index: number, flags: number, change: number): void {
  const p = w.zero(IFINFOMSG_LEN);
  w.buf[p] = Af.Unspec;
  w.buf.writeInt32LE(index, p + 4);
  w.buf.writeUInt32LE(flags >>> 0, p + 8);
  w.buf.writeUInt32LE(change >>> 0, p + 12);
}

/** Appends an RTM_NEWLINK (create with LINK_CREATE_FLAGS, modify with LINK_SET_FLAGS). */
export function encodeNewLink(w: NlWriter, flags: number, seq: number, link: Link): void {
  const start = w.beginMessage(RtmType.NewLink, flags, seq);
  writeIfinfo(w, link.index ?? 0, link.flags ?? 0, link.change ?? 0);
  if (link.name !== undefined) w.attrString(Ifla.Ifname, link.name);
  if (link.mtu !== undefined) w.attrU32(Ifla.Mtu, link.mtu);
  if (link.address !== undefined) w.attrBytes(Ifla.Address, parseMac(link.address));
  const kind = link.kind ?? (link.vxlan ? 'vxlan' : link.ipip ? 'ipip' : undefined);
  if (kind !== undefined) {
    const li = w.beginNest(Ifla.Linkinfo);
    w.attrString(IflaInfo.Kind, kind, false);
    if (kind === 'vxlan' && link.vxlan) writeVxlan(w, link.vxlan);
    if (kind === 'ipip' && link.ipip && Object.keys(link.ipip).length > 0) writeIpip(w, link.ipip);
    w.endNest(li);
  }
  w.endMessage(start);
}

function writeVxlan(w: NlWriter, v: VxlanInfo): void {
  const data = w.beginNest(IflaInfo.Data);
  w.attrU32(IflaVxlan.Id, v.id);
  if (v.local !== undefined) w.attrAddr(IflaVxlan.Local, Af.Inet, v.local);
  if (v.local6 !== undefined) w.attrAddr(IflaVxlan.Local6, Af.Inet6, v.local6);
  if (v.link !== undefined) w.attrU32(IflaVxlan.Link, v.link);
  if (v.ttl !== undefined) w.attrU8(IflaVxlan.Ttl, v.ttl);
  if (v.tos !== undefined) w.attrU8(IflaVxlan.Tos, v.tos);
  if (v.learning !== undefined) w.attrU8(IflaVxlan.Learning, v.learning ? 1 : 0);
  if (v.ageing !== undefined) w.attrU32(IflaVxlan.Ageing, v.ageing);
  if (v.port !== undefined) w.attrU16be(IflaVxlan.Port, v.port);
  w.endNest(data);
}

function writeIpip(w: NlWriter, t: IpipInfo): void {
  const data = w.beginNest(IflaInfo.Data);
  w.attrU8(IflaIptun.Proto, 0);
  if (t.local !== undefined) w.attrAddr(IflaIptun.Local, Af.Inet, t.local);
  if (t.remote !== undefined) w.attrAddr(IflaIptun.Remote, Af.Inet, t.remote);
  w.attrU8(IflaIptun.Pmtudisc, t.pmtudisc === false ? 0 : 1);
  w.attrU8(IflaIptun.Tos, t.tos ?? 0);
  w.attrU8(IflaIptun.Ttl, t.ttl ?? 0);
  w.attrU32(IflaIptun.Link, t.link ?? 0);
  w.attrU32(IflaIptun.Fwmark, t.fwmark ?? 0);
  w.attrU16(IflaIptun.EncapType, 0);
  w.attrU16(IflaIptun.EncapFlags, 0);
  w.attrU16be(IflaIptun.EncapSport, 0);
  w.attrU16be(IflaIptun.EncapDport, 0);
  w.endNest(data);
}

/** Appends an RTM_DELLINK by index, or by name when `index` is 0. */
export function encodeDelLink(w: NlWriter, seq: number, index: number, name?: string): void {
  const start = w.beginMessage(RtmType.DelLink, NlFlag.Request | NlFlag.Ack, seq);
  writeIfinfo(w, index, 0, 0);
  if (name !== undefined) w.attrString(Ifla.Ifname, name);
  w.endMessage(start);
}

/** Appends an RTM_GETLINK dump request. */
export function encodeLinkDump(w: NlWriter, seq: number): void {
  const start = w.beginMessage(RtmType.GetLink, NlFlag.Request | NlFlag.Dump, seq);
  writeIfinfo(w, 0, 0, 0);
  w.endMessage(start);
}

/** Decodes an RTM_NEWLINK / RTM_DELLINK message (header included) at `off`. */
export function decodeLink(buf: Buffer, off = 0): DecodedLink {
  const hdr = decodeHeader(buf, off);
  if (hdr.type !== RtmType.NewLink && hdr.type !== RtmType.DelLink) throw new FibError(`not a link message (type ${hdr.type})`);
  const p = off + NLMSG_HDRLEN;
  const end = off + hdr.len;
  if (end - p < IFINFOMSG_LEN) throw new FibError(`ifinfomsg truncated (${end - p} octets)`);
  const link: DecodedLink = { type: buf.readUInt16LE(p + 2), index: buf.readInt32LE(p + 4), flags: buf.readUInt32LE(p + 8) };
  forEachAttr(buf, p + IFINFOMSG_LEN, end, (type, vo, vl) => {
    switch (type) {
      case Ifla.Ifname:
        link.name = readString(buf, vo, vl);
        break;
      case Ifla.Mtu:
        link.mtu = buf.readUInt32LE(vo);
        break;
      case Ifla.Address:
        link.address = formatMac(buf, vo, vl);
        break;
      case Ifla.Master:
        link.master = buf.readUInt32LE(vo);
        break;
      case Ifla.Operstate:
        link.operstate = buf[vo];
        break;
      case Ifla.Linkinfo:
        decodeLinkinfo(buf, vo, vo + vl, link);
        break;
    }
  });
  return link;
}

function decodeLinkinfo(buf: Buffer, start: number, end: number, link: DecodedLink): void {
  let dataOff = -1, dataLen = 0;
  forEachAttr(buf, start, end, (type, vo, vl) => {
    if (type === IflaInfo.Kind) link.kind = readString(buf, vo, vl);
    else if (type === IflaInfo.Data) (dataOff = vo), (dataLen = vl);
  });
  if (dataOff < 0) return;
  if (link.kind === 'vxlan') {
    const v: NonNullable<DecodedLink['vxlan']> = { id: 0 };
    forEachAttr(buf, dataOff, dataOff + dataLen, (type, vo, vl) => {
      switch (type) {
        case IflaVxlan.Id:
          v.id = buf.readUInt32LE(vo);
          break;
        case IflaVxlan.Port:
          v.port = buf.readUInt16BE(vo);
          break;
        case IflaVxlan.Local:
          v.local = readAddr(buf, vo, vl);
          break;
        case IflaVxlan.Local6:
          v.local6 = readAddr(buf, vo, vl);
          break;
        case IflaVxlan.Link:
          v.link = buf.readUInt32LE(vo);
          break;
        case IflaVxlan.Learning:
          v.learning = buf[vo] !== 0;
          break;
        case IflaVxlan.Ttl:
          v.ttl = buf[vo];
          break;
        case IflaVxlan.Tos:
          v.tos = buf[vo];
          break;
        case IflaVxlan.Ageing:
          v.ageing = buf.readUInt32LE(vo);
          break;
      }
    });
    link.vxlan = v;
  } else if (link.kind === 'ipip') {
    const t: NonNullable<DecodedLink['ipip']> = {};
    forEachAttr(buf, dataOff, dataOff + dataLen, (type, vo, vl) => {
      switch (type) {
        case IflaIptun.Local:
          t.local = readAddr(buf, vo, vl);
          break;
        case IflaIptun.Remote:
          t.remote = readAddr(buf, vo, vl);
          break;
        case IflaIptun.Ttl:
          t.ttl = buf[vo];
          break;
        case IflaIptun.Tos:
          t.tos = buf[vo];
          break;
        case IflaIptun.Pmtudisc:
          t.pmtudisc = buf[vo] !== 0;
          break;
        case IflaIptun.Link:
          t.link = buf.readUInt32LE(vo);
          break;
        case IflaIptun.Fwmark:
          t.fwmark = buf.readUInt32LE(vo);
          break;
      }
    });
    link.ipip = t;
  }
}
