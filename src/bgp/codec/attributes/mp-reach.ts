/**
 * DOC: MP_REACH_NLRI (14) and MP_UNREACH_NLRI (15), RFC 4760 §3-§4, with ADD-PATH (RFC 7911) and next hops of
 * RFC 2545 §3 (IPv6 global plus optional link-local) and RFC 8950 (IPv4 NLRI with an IPv6 next hop).
 *
 * IPv4 and IPv6 unicast NLRI are decoded into prefix keys; other families keep their raw next hop and NLRI octets in
 * `unsupported`, which is not an error. Faults that leave the NLRI unlocatable reset the session (RFC 7606 §7.11,
 * §3(j)): a truncated header or a next hop length that is inconsistent or overruns gives 3/1 Malformed Attribute
 * List; an NLRI field that does not parse gives 3/9 Optional Attribute Error (RFC 4760 §7). A martian next hop is
 * treat-as-withdraw like NEXT_HOP's.
 */
import { AttrCode, ErrCode, UpdateSubcode } from '../../constants';
import { NotificationError } from '../../errors';
import { family, isSupportedFamily } from '../../family';
import { formatIpv6 } from '../../../util/prefix';
import type { BufWriter } from '../../../util/writer';
import { decodeNlri, emptyNlri, encodeNlri } from '../nlri';
import type { CodecContext, MpReach, MpUnreach, NlriList } from '../types';
import { isMartianIpv4NextHop } from './next-hop';
import { AttrFault, OPTIONAL, ipv4At, withdrawAlways, writeIpv4, writeIpv6, type AttrDescriptor } from './types';

function malformed(reason: string): never {
  throw new AttrFault('structure', reason, UpdateSubcode.MalformedAttributeList);
}

function decodeMpNlri(f: number, buf: Buffer, start: number, end: number, ctx: CodecContext, name: string): NlriList {
  const addPath = ctx.addPath.has(f);
  const out = emptyNlri(addPath);
  try {
    decodeNlri(f, buf, start, end, addPath, out);
  } catch (e) {
    if (e instanceof NotificationError && e.errorCode === ErrCode.UpdateMessage) {
      throw new AttrFault('nlri', `${name}: ${e.message}`, UpdateSubcode.OptionalAttributeError);
    }
    throw e;
  }
  return out;
}

/**
 * Next hops of a supported family from `n` octets at `p`, or undefined when `n` is not a valid length. A 4-octet
 * IPv4 next hop is accepted for IPv6 NLRI too (ExaBGP and others send it under the extended next hop capability);
 * whether it is usable is the RIB's decision, not a reason to reset the session.
 */
function decodeNextHops(buf: Buffer, p: number, n: number): string[] | undefined {
  if (n === 4) return [ipv4At(buf, p)];
  if (n === 16) return [formatIpv6(buf, p)];
  if (n === 32) return [formatIpv6(buf, p), formatIpv6(buf, p + 16)];
  return undefined;
}

/** Whether an IPv6 next hop is unusable: unspecified, loopback or multicast. */
function isMartianIpv6NextHop(text: string): boolean {
  return text === '::' || text === '::1' || text.startsWith('ff');
}

export const MP_REACH_NLRI: AttrDescriptor<MpReach> = {
  code: AttrCode.MpReachNlri,
  name: 'MP_REACH_NLRI',
  flags: OPTIONAL,
  decode(buf: Buffer, start: number, end: number, ctx: CodecContext): MpReach {
    if (end - start < 5) malformed(`MP_REACH_NLRI length ${end - start}`);
    const afi = (buf[start] << 8) | buf[start + 1];
    const safi = buf[start + 2];
    const nhLen = buf[start + 3];
    const nhStart = start + 4;
    // RFC 7606 §7.11: the next hop length must leave room for the reserved octet.
    if (nhStart + nhLen + 1 > end) malformed(`MP_REACH_NLRI next hop length ${nhLen} overruns the attribute`);
    const reserved = buf[nhStart + nhLen];
    const nlriStart = nhStart + nhLen + 1;
    const f = family(afi, safi);
    const out: MpReach = { afi, safi, nextHops: [] };
    if (isSupportedFamily(f)) {
      const nhs = decodeNextHops(buf, nhStart, nhLen);
      if (nhs === undefined) malformed(`MP_REACH_NLRI next hop length ${nhLen} for AFI ${afi}`);
      out.nextHops = nhs;
      if (reserved !== 0) out.reserved = reserved;
      out.nlri = decodeMpNlri(f, buf, nlriStart, end, ctx, 'MP_REACH_NLRI');
    } else {
      if (reserved !== 0) out.reserved = reserved;
      out.unsupported = {
        nextHop: Buffer.from(buf.subarray(nhStart, nhStart + nhLen)),
        nlri: Buffer.from(buf.subarray(nlriStart, end)),
      };
    }
    return out;
  },
  encode(w: BufWriter, value: MpReach, ctx: CodecContext): void {
    w.u16(value.afi).u8(value.safi);
    if (value.unsupported) {
      w.u8(value.unsupported.nextHop.length).bytes(value.unsupported.nextHop).u8(value.reserved ?? 0);
      w.bytes(value.unsupported.nlri);
      return;
    }
    const lenPos = w.reserve(1);
    const nhStart = w.pos;
    for (const nh of value.nextHops) {
      if (nh.includes(':')) writeIpv6(w, nh);
      else writeIpv4(w, nh);
    }
    w.patchU8(lenPos, w.pos - nhStart);
    w.u8(value.reserved ?? 0);
    const f = family(value.afi, value.safi);
    encodeNlri(w, f, value.nlri ?? emptyNlri(), ctx.addPath.has(f));
  },
  check(value: MpReach): AttrFault | undefined {
    const nh = value.nextHops[0];
    if (nh === undefined) return undefined;
    const bad = nh.includes(':') ? isMartianIpv6NextHop(nh) : isMartianIpv4NextHop(nh);
    return bad ? new AttrFault('nexthop', `martian MP_REACH_NLRI next hop ${nh}`) : undefined;
  },
  onError: withdrawAlways,
};

export const MP_UNREACH_NLRI: AttrDescriptor<MpUnreach> = {
  code: AttrCode.MpUnreachNlri,
  name: 'MP_UNREACH_NLRI',
  flags: OPTIONAL,
  decode(buf: Buffer, start: number, end: number, ctx: CodecContext): MpUnreach {
    if (end - start < 3) malformed(`MP_UNREACH_NLRI length ${end - start}`);
    const afi = (buf[start] << 8) | buf[start + 1];
    const safi = buf[start + 2];
    const f = family(afi, safi);
    if (isSupportedFamily(f)) return { afi, safi, nlri: decodeMpNlri(f, buf, start + 3, end, ctx, 'MP_UNREACH_NLRI') };
    return { afi, safi, unsupported: { nlri: Buffer.from(buf.subarray(start + 3, end)) } };
  },
  encode(w: BufWriter, value: MpUnreach, ctx: CodecContext): void {
    w.u16(value.afi).u8(value.safi);
    if (value.unsupported) {
      w.bytes(value.unsupported.nlri);
      return;
    }
    const f = family(value.afi, value.safi);
    encodeNlri(w, f, value.nlri ?? emptyNlri(), ctx.addPath.has(f));
  },
  onError: withdrawAlways,
};
