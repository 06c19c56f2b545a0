/**
 * DOC: RTM_NEWNEXTHOP / RTM_DELNEXTHOP / RTM_GETNEXTHOP encoding and decoding: kernel nexthop objects (Linux ≥ 5.3).
 *
 * Body: `struct nhmsg` (8 octets: family u8, scope u8, protocol u8, resvd u8, flags u32) then NHA_* attributes
 * (linux/nexthop.h). A single next hop is NHA_ID + NHA_OIF + NHA_GATEWAY (family = the gateway's), with
 * RTNH_F_ONLINK in `nh_flags`; the kernel wants scope and resvd zero. A route then names it with RTA_NH_ID and
 * skips the per-route next-hop validation and per-CPU route-cache allocation (route.ts, fib/nexthop-objects.ts).
 * Deletes and gets carry NHA_ID only. Groups (NHA_GROUP) are decoded so a dump can be read, never encoded.
 */
import { Af, NLMSG_HDRLEN, Nha, NlFlag, RouteFlag, RtmType } from './constants';
import { FibError } from './errors';
import { decodeHeader } from './header';
import { IpAddr, NlWriter, forEachAttr, readAddr } from './wire';

const NHMSG_LEN = 8;
const NEXTHOP_GRP_LEN = 8;

/** One single-path nexthop object, as the encoder takes it. */
export interface Nexthop {
  id: number;
  family: Af.Inet | Af.Inet6;
  gateway: IpAddr;
  oif: number;
  onlink?: boolean;
  /** `nh_protocol`: who owns it (Petrel's routes' protocol, so a restart can tell its own). */
  protocol: number;
}

/** A nexthop object decoded from the kernel (dump reply or notification). */
export interface DecodedNexthop {
  id: number;
  family: number;
  protocol: number;
  flags: number;
  gateway?: string;
  oif?: number;
  blackhole: boolean;
  /** Member ids of a group. */
  group?: number[];
  fdb: boolean;
}

/** NLM_F_* to create a nexthop object whose id must be free. */
export const NEXTHOP_CREATE_FLAGS = NlFlag.Request | NlFlag.Ack | NlFlag.Create | NlFlag.Excl;

function beginNhmsg(w: NlWriter, type: RtmType, flags: number, seq: number, family: number, nhFlags: number, protocol: number): number {
  const start = w.beginMessage(type, flags, seq);
  w.ensure(NHMSG_LEN);
  const b = w.buf, p = w.pos;
  b[p] = family;
  b[p + 1] = 0;
  b[p + 2] = protocol;
  b[p + 3] = 0;
  b.writeUInt32LE(nhFlags >>> 0, p + 4);
  w.pos = p + NHMSG_LEN;
  return start;
}

/** Appends an RTM_NEWNEXTHOP for `nh` (`flags`: NEXTHOP_CREATE_FLAGS, or with NLM_F_REPLACE to update). */
export function encodeNexthop(w: NlWriter, flags: number, seq: number, nh: Nexthop): void {
  const start = beginNhmsg(w, RtmType.NewNexthop, flags, seq, nh.family, nh.onlink ? RouteFlag.Onlink : 0, nh.protocol);
  // Attribute order of `ip nexthop add id ID via GW dev DEV` (test/fixtures/netlink/nexthop-add.hex).
  w.attrU32(Nha.Id, nh.id);
  w.attrAddr(Nha.Gateway, nh.family, nh.gateway);
  w.attrU32(Nha.Oif, nh.oif);
  w.endMessage(start);
}

/** Appends an RTM_DELNEXTHOP for object `id` (the kernel also removes every route that uses it). */
export function encodeNexthopDelete(w: NlWriter, seq: number, id: number): void {
  const start = beginNhmsg(w, RtmType.DelNexthop, NlFlag.Request | NlFlag.Ack, seq, Af.Unspec, 0, 0);
  w.attrU32(Nha.Id, id);
  w.endMessage(start);
}

/** Appends an RTM_GETNEXTHOP dump request (every nexthop object of the namespace). */
export function encodeNexthopDump(w: NlWriter, seq: number): void {
  const start = beginNhmsg(w, RtmType.GetNexthop, NlFlag.Request | NlFlag.Dump, seq, Af.Unspec, 0, 0);
  w.endMessage(start);
}

/** Decodes an RTM_NEWNEXTHOP / RTM_DELNEXTHOP message (header included) at `off`. */
export function decodeNexthop(buf: Buffer, off = 0): DecodedNexthop {
  const hdr = decodeHeader(buf, off);
  if (hdr.type !== RtmType.NewNexthop && hdr.type !== RtmType.DelNexthop) throw new FibError(`not a nexthop message (type ${hdr.type})`);
  const p = off + NLMSG_HDRLEN;
  const end = off + hdr.len;
  if (end - p < NHMSG_LEN) throw new FibError(`nhmsg truncated (${end - p} octets)`);
  const nh: DecodedNexthop = { id: 0, family: buf[p], protocol: buf[p + 2], flags: buf.readUInt32LE(p + 4), blackhole: false, fdb: false };
  forEachAttr(buf, p + NHMSG_LEN, end, (type, vo, vl) => {
    switch (type) {
      case Nha.Id:
        nh.id = buf.readUInt32LE(vo);
        break;
      case Nha.Oif:
        nh.oif = buf.readUInt32LE(vo);
        break;
      case Nha.Gateway:
        nh.gateway = readAddr(buf, vo, vl);
        break;
      case Nha.Blackhole:
        nh.blackhole = true;
        break;
      case Nha.Fdb:
        nh.fdb = true;
        break;
      case Nha.Group: {
        const ids: number[] = [];
        for (let g = vo; g + NEXTHOP_GRP_LEN <= vo + vl; g += NEXTHOP_GRP_LEN) ids.push(buf.readUInt32LE(g));
        nh.group = ids;
        break;
      }
    }
  });
  if (nh.id === 0) throw new FibError('nexthop message without NHA_ID');
  return nh;
}
