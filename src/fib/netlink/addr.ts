/**
 * DOC: RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR encoding and address decoding.
 *
 * Body: `struct ifaddrmsg` (8 octets: family, prefixlen, flags, scope, index u32) then IFA_* attributes. As in
 * iproute2, an address is sent as both IFA_LOCAL and IFA_ADDRESS (they differ only on point-to-point links).
 * The kernel-watch consumer uses the decoder on RTNLGRP_IPV4_IFADDR / IPV6_IFADDR notifications.
 */
import { Af, Ifa, NLMSG_HDRLEN, NlFlag, RtmType } from './constants';
import { FibError } from './errors';
import { decodeHeader } from './header';
import { IpAddr, NlWriter, forEachAttr, readAddr, readString } from './wire';

const IFADDRMSG_LEN = 8;

/** An interface address, as the encoders take it. */
export interface Address {
  family: Af.Inet | Af.Inet6;
  index: number;
  address: IpAddr;
  prefixLen: number;
  /** `ifa_scope`; default universe (0). */
  scope?: number;
  label?: string;
}

/** An interface address decoded from the kernel. */
export interface DecodedAddress {
  family: Af.Inet | Af.Inet6;
  index: number;
  prefixLen: number;
  scope: number;
  /** IFA_FLAGS when present (it carries the full 32 bits), else `ifa_flags`. */
  flags: number;
  address?: string;
  local?: string;
  label?: string;
}

/** Appends an RTM_NEWADDR (Create|Replace) or RTM_DELADDR. */
export function encodeAddr(w: NlWriter, msgType: RtmType.NewAddr | RtmType.DelAddr, seq: number, a: Address): void {
  const flags = msgType === RtmType.NewAddr ? NlFlag.Request | NlFlag.Ack | NlFlag.Create | NlFlag.Replace : NlFlag.Request | NlFlag.Ack;
  const start = w.beginMessage(msgType, flags, seq);
  const p = w.zero(IFADDRMSG_LEN);
  w.buf[p] = a.family;
  w.buf[p + 1] = a.prefixLen;
  w.buf[p + 3] = a.scope ?? 0;
  w.buf.writeUInt32LE(a.index, p + 4);
  w.attrAddr(Ifa.Local, a.family, a.address);
  w.attrAddr(Ifa.Address, a.family, a.address);
  if (a.label !== undefined) w.attrString(Ifa.Label, a.label);
  w.endMessage(start);
}

/** Appends an RTM_GETADDR dump request for `family` (AF_UNSPEC for both). */
export function encodeAddrDump(w: NlWriter, seq: number, family: number): void {
  const start = w.beginMessage(RtmType.GetAddr, NlFlag.Request | NlFlag.Dump, seq);
  const p = w.zero(IFADDRMSG_LEN);
  w.buf[p] = family;
  w.endMessage(start);
}

/** Decodes an RTM_NEWADDR / RTM_DELADDR message (header included) at `off`. */
export function decodeAddr(buf: Buffer, off = 0): DecodedAddress {
  const hdr = decodeHeader(buf, off);
  if (hdr.type !== RtmType.NewAddr && hdr.type !== RtmType.DelAddr) throw new FibError(`not an address message (type ${hdr.type})`);
  const p = off + NLMSG_HDRLEN;
  const end = off + hdr.len;
  if (end - p < IFADDRMSG_LEN) throw new FibError(`ifaddrmsg truncated (${end - p} octets)`);
  const a: DecodedAddress = {
    family: buf[p] as Af.Inet | Af.Inet6,
    prefixLen: buf[p + 1],
    flags: buf[p + 2],
    scope: buf[p + 3],
    index: buf.readUInt32LE(p + 4),
  };
  forEachAttr(buf, p + IFADDRMSG_LEN, end, (type, vo, vl) => {
    if (type === Ifa.Address) a.address = readAddr(buf, vo, vl);
    else if (type === Ifa.Local) a.local = readAddr(buf, vo, vl);
    else if (type === Ifa.Label) a.label = readString(buf, vo, vl);
    else if (type === Ifa.Flags) a.flags = buf.readUInt32LE(vo);
  });
  return a;
}
