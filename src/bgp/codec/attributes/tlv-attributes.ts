/**
 * DOC: attributes Petrel carries but does not interpret, kept as raw value octets with the structural checks RFC 7606
 * asks of a speaker that recognises them: PMSI_TUNNEL (22, RFC 6514 §5), TUNNEL_ENCAPSULATION (23, RFC 9012 §2),
 * AIGP (26, RFC 7311 §3), BGP-LS (29, RFC 9552 §5.3), NEXT_HOP_CAPABILITY (39, draft-ietf-idr-next-hop-capability)
 * and PREFIX_SID (40, RFC 8669 §3).
 *
 * Outcomes follow each attribute's own error handling rule, which RFC 7606 §3(c) lets override the flags rule:
 * PMSI and tunnel encapsulation faults are treat-as-withdraw (FRR); AIGP (RFC 7311 §4), BGP-LS (RFC 9552 §8.2.2),
 * NHC and Prefix-SID (RFC 8669 §6) faults discard the attribute, flags conflicts included.
 */
import { AttrCode } from '../../constants';
import type { BufWriter } from '../../../util/writer';
import { AttrFault, OPTIONAL, OPTIONAL_TRANSITIVE, discardAlways, withdrawAlways, type AttrDescriptor } from './types';

function copy(buf: Buffer, start: number, end: number): Buffer {
  return Buffer.from(buf.subarray(start, end));
}
function writeRaw(w: BufWriter, value: Buffer): void {
  w.bytes(value);
}
function fault(kind: 'length' | 'structure' | 'value', reason: string): never {
  throw new AttrFault(kind, reason);
}

/** RFC 6514 §5: flags(1) tunnel type(1) MPLS label(3) tunnel identifier; types 0..7 are defined (RFC 7385). */
export const PMSI_TUNNEL: AttrDescriptor<Buffer> = {
  code: AttrCode.PmsiTunnel,
  name: 'PMSI_TUNNEL',
  flags: OPTIONAL_TRANSITIVE,
  decode(buf: Buffer, start: number, end: number): Buffer {
    const n = end - start;
    if (n < 5) fault('length', `PMSI_TUNNEL length ${n}`);
    const type = buf[start + 1];
    if (type > 7) fault('value', `PMSI_TUNNEL tunnel type ${type}`);
    // Ingress replication (6): the identifier is the IPv4 or IPv6 tunnel endpoint.
    if (type === 6 && n !== 9 && n !== 21) fault('length', `PMSI_TUNNEL ingress replication length ${n}`);
    return copy(buf, start, end);
  },
  encode: writeRaw,
  onError: withdrawAlways,
};

/** RFC 9012 §2: TLVs of type(2) length(2); sub-TLVs of type(1) and length 1 octet (types < 128) or 2. */
export const TUNNEL_ENCAPSULATION: AttrDescriptor<Buffer> = {
  code: AttrCode.TunnelEncapsulation,
  name: 'TUNNEL_ENCAPSULATION',
  flags: OPTIONAL_TRANSITIVE,
  decode(buf: Buffer, start: number, end: number): Buffer {
    let p = start;
    if (p === end) fault('length', 'TUNNEL_ENCAPSULATION is empty');
    while (p < end) {
      if (end - p < 4) fault('length', 'TUNNEL_ENCAPSULATION: truncated TLV header');
      const len = (buf[p + 2] << 8) | buf[p + 3];
      p += 4;
      if (p + len > end) fault('structure', 'TUNNEL_ENCAPSULATION: TLV overruns the attribute');
      const tlvEnd = p + len;
      while (p < tlvEnd) {
        const type = buf[p];
        const hdr = type < 128 ? 2 : 3;
        if (tlvEnd - p < hdr) fault('structure', 'TUNNEL_ENCAPSULATION: truncated sub-TLV header');
        const subLen = type < 128 ? buf[p + 1] : (buf[p + 1] << 8) | buf[p + 2];
        p += hdr;
        if (p + subLen > tlvEnd) fault('structure', 'TUNNEL_ENCAPSULATION: sub-TLV overruns its TLV');
        p += subLen;
      }
    }
    return copy(buf, start, end);
  },
  encode: writeRaw,
  onError: withdrawAlways,
};

/** RFC 7311 §3: TLVs of type(1) length(2, header included); the only defined TLV is type 1, length 11. */
export const AIGP: AttrDescriptor<Buffer> = {
  code: AttrCode.Aigp,
  name: 'AIGP',
  flags: OPTIONAL,
  decode(buf: Buffer, start: number, end: number): Buffer {
    if (end === start) fault('length', 'AIGP is empty');
    for (let p = start; p < end; ) {
      if (end - p < 3) fault('length', 'AIGP: truncated TLV header');
      const type = buf[p];
      const len = (buf[p + 1] << 8) | buf[p + 2];
      if (type !== 1) fault('value', `AIGP: TLV type ${type}`);
      if (len !== 11) fault('length', `AIGP: TLV length ${len}`);
      if (p + len > end) fault('structure', 'AIGP: TLV overruns the attribute');
      p += len;
    }
    return copy(buf, start, end);
  },
  encode: writeRaw,
  onError: discardAlways,
};

/** RFC 9552 §5.3: TLVs of type(2) length(2). */
export const BGP_LS: AttrDescriptor<Buffer> = {
  code: AttrCode.BgpLs,
  name: 'BGP_LS',
  flags: OPTIONAL,
  decode(buf: Buffer, start: number, end: number): Buffer {
    for (let p = start; p < end; ) {
      if (end - p < 4) fault('length', 'BGP_LS: truncated TLV header');
      const len = (buf[p + 2] << 8) | buf[p + 3];
      p += 4;
      if (p + len > end) fault('structure', 'BGP_LS: TLV overruns the attribute');
      p += len;
    }
    return copy(buf, start, end);
  },
  encode: writeRaw,
  onError: discardAlways,
};

/** Next-hop capability: AFI(2) SAFI(1) next hop length(1) next hop, then TLVs of code(2) length(2). */
export const NEXT_HOP_CAPABILITY: AttrDescriptor<Buffer> = {
  code: AttrCode.NextHopCapability,
  name: 'NEXT_HOP_CAPABILITY',
  flags: OPTIONAL_TRANSITIVE,
  decode(buf: Buffer, start: number, end: number): Buffer {
    if (end - start < 4) fault('length', `NEXT_HOP_CAPABILITY length ${end - start}`);
    const afi = (buf[start] << 8) | buf[start + 1];
    const safi = buf[start + 2];
    if ((afi !== 1 && afi !== 2) || safi !== 1) fault('value', `NEXT_HOP_CAPABILITY AFI/SAFI ${afi}/${safi}`);
    const nhLen = buf[start + 3];
    if (nhLen !== 0 && nhLen !== 4 && nhLen !== 16 && nhLen !== 32) fault('value', `NEXT_HOP_CAPABILITY next hop length ${nhLen}`);
    let p = start + 4 + nhLen;
    if (p > end) fault('structure', 'NEXT_HOP_CAPABILITY: next hop overruns the attribute');
    while (p < end) {
      if (end - p < 4) fault('structure', 'NEXT_HOP_CAPABILITY: truncated TLV header');
      const len = (buf[p + 2] << 8) | buf[p + 3];
      p += 4;
      if (p + len > end) fault('structure', 'NEXT_HOP_CAPABILITY: TLV overruns the attribute');
      p += len;
    }
    return copy(buf, start, end);
  },
  encode: writeRaw,
  onError: discardAlways,
};

/** RFC 8669 §3: TLVs of type(1) length(2); Label-Index (1) is 7 octets, Originator SRGB (3) is 2 + 6n (n ≥ 1). */
export const PREFIX_SID: AttrDescriptor<Buffer> = {
  code: AttrCode.PrefixSid,
  name: 'PREFIX_SID',
  flags: OPTIONAL_TRANSITIVE,
  decode(buf: Buffer, start: number, end: number): Buffer {
    if (end === start) fault('length', 'PREFIX_SID is empty');
    for (let p = start; p < end; ) {
      if (end - p < 3) fault('structure', 'PREFIX_SID: truncated TLV header');
      const type = buf[p];
      const len = (buf[p + 1] << 8) | buf[p + 2];
      p += 3;
      if (p + len > end) fault('structure', 'PREFIX_SID: TLV overruns the attribute');
      if (type === 1 && len !== 7) fault('length', `PREFIX_SID: Label-Index TLV length ${len}`);
      if (type === 3 && (len < 8 || (len - 2) % 6 !== 0)) fault('length', `PREFIX_SID: Originator SRGB TLV length ${len}`);
      p += len;
    }
    return copy(buf, start, end);
  },
  encode: writeRaw,
  onError: discardAlways,
};
