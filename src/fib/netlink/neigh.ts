/**
 * DOC: RTM_NEWNEIGH / RTM_DELNEIGH / RTM_GETNEIGH encoding and decoding: ARP/NDP entries and bridge FDB entries.
 *
 * Body: `struct ndmsg` (12 octets: family u8, 3 pad, ifindex i32, state u16, flags u8, type u8) then NDA_*.
 * Calico's VXLAN data plane needs two static entries per remote VTEP on `vxlan.calico`: a neighbour (AF_INET,
 * NDA_DST = the remote tunnel IP, NDA_LLADDR = the remote VTEP MAC) and an FDB entry (AF_BRIDGE, NTF_SELF,
 * NDA_LLADDR = that MAC, NDA_DST = the remote node's underlay IP). Both are NUD_PERMANENT, as `bridge fdb
 * append ... self permanent` and `ip neigh replace ... nud permanent` make them.
 */
import { Af, Nda, NLMSG_HDRLEN, NlFlag, Ntf, Nud, RtmType } from './constants';
import { FibError } from './errors';
import { decodeHeader } from './header';
import { IpAddr, NlWriter, forEachAttr, formatMac, parseMac, readAddr } from './wire';

const NDMSG_LEN = 12;

/** A neighbour or FDB entry, as the encoders take it. */
export interface Neighbour {
  /** AF_INET / AF_INET6 for a neighbour, AF_BRIDGE for an FDB entry. */
  family: Af.Inet | Af.Inet6 | Af.Bridge;
  index: number;
  /** NDA_DST: the neighbour's IP, or for FDB the remote VTEP's underlay IP. */
  dst?: IpAddr;
  /** Address family of `dst` for FDB entries (default AF_INET). */
  dstFamily?: Af.Inet | Af.Inet6;
  /** NDA_LLADDR: MAC address. */
  lladdr?: string | Uint8Array;
  /** NUD_*; default NUD_PERMANENT. */
  state?: number;
  /** NTF_*; default NTF_SELF for AF_BRIDGE, 0 otherwise. */
  flags?: number;
}

/** A neighbour or FDB entry decoded from the kernel. */
export interface DecodedNeighbour {
  family: number;
  index: number;
  state: number;
  flags: number;
  type: number;
  dst?: string;
  lladdr?: string;
  master?: number;
  vni?: number;
}

/** NLM_F_* for add-or-replace (`ip neigh replace`); FDB appends use Create|Append. */
export const NEIGH_REPLACE_FLAGS = NlFlag.Request | NlFlag.Ack | NlFlag.Create | NlFlag.Replace;
export const NEIGH_DELETE_FLAGS = NlFlag.Request | NlFlag.Ack;

/** Appends an RTM_NEWNEIGH or RTM_DELNEIGH. */
export function encodeNeigh(w: NlWriter, msgType: RtmType.NewNeigh | RtmType.DelNeigh, flags: number, seq: number, n: Neighbour): void {
  const start = w.beginMessage(msgType, flags, seq);
  const p = w.zero(NDMSG_LEN);
  w.buf[p] = n.family;
  w.buf.writeInt32LE(n.index, p + 4);
  w.buf.writeUInt16LE(n.state ?? Nud.Permanent, p + 8);
  w.buf[p + 10] = n.flags ?? (n.family === Af.Bridge ? Ntf.Self : 0);
  if (n.dst !== undefined) w.attrAddr(Nda.Dst, n.family === Af.Bridge ? (n.dstFamily ?? Af.Inet) : n.family, n.dst);
  if (n.lladdr !== undefined) w.attrBytes(Nda.Lladdr, parseMac(n.lladdr));
  w.endMessage(start);
}

/** Appends an RTM_GETNEIGH dump request for `family` (AF_BRIDGE dumps the FDB). */
export function encodeNeighDump(w: NlWriter, seq: number, family: number): void {
  const start = w.beginMessage(RtmType.GetNeigh, NlFlag.Request | NlFlag.Dump, seq);
  const p = w.zero(NDMSG_LEN);
  w.buf[p] = family;
  w.endMessage(start);
}

/** Decodes an RTM_NEWNEIGH / RTM_DELNEIGH message (header included) at `off`. */
export function decodeNeigh(buf: Buffer, off = 0): DecodedNeighbour {
  const hdr = decodeHeader(buf, off);
  if (hdr.type !== RtmType.NewNeigh && hdr.type !== RtmType.DelNeigh) throw new FibError(`not a neighbour message (type ${hdr.type})`);
  const p = off + NLMSG_HDRLEN;
  const end = off + hdr.len;
  if (end - p < NDMSG_LEN) throw new FibError(`ndmsg truncated (${end - p} octets)`);
  const n: DecodedNeighbour = {
    family: buf[p],
    index: buf.readInt32LE(p + 4),
    state: buf.readUInt16LE(p + 8),
    flags: buf[p + 10],
    type: buf[p + 11],
  };
  forEachAttr(buf, p + NDMSG_LEN, end, (type, vo, vl) => {
    if (type === Nda.Dst) n.dst = readAddr(buf, vo, vl);
    else if (type === Nda.Lladdr) n.lladdr = formatMac(buf, vo, vl);
    else if (type === Nda.Master) n.master = buf.readUInt32LE(vo);
    else if (type === Nda.Vni) n.vni = buf.readUInt32LE(vo);
  });
  return n;
}
