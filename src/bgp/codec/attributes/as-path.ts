/**
 * DOC: AS_PATH (type 2, RFC 4271 §4.3, §5.1.2) and AS4_PATH (type 17, RFC 6793 §3).
 *
 * A path is segments of (type, count, ASNs): 1 AS_SET, 2 AS_SEQUENCE, 3 AS_CONFED_SEQUENCE, 4 AS_CONFED_SET
 * (RFC 5065 §3). AS_PATH carries 4-octet ASNs when RFC 6793 4-octet AS was negotiated (`ctx.as4`), else 2-octet ones;
 * AS4_PATH always carries 4-octet ASNs. Malformed (RFC 7606 §7.2): an unknown segment type, a zero segment length,
 * a segment running past the attribute, or AS 0 (RFC 7607 §2); all treat-as-withdraw, for AS4_PATH too (FRR).
 * Encoding in 2-octet mode writes ASNs above 65535 as AS_TRANS (RFC 6793 §4.2.2; `as4.ts` adds the AS4_PATH);
 * segments longer than 255 ASNs are split.
 */
import { AsPathSegmentType, AttrCode } from '../../constants';
import type { BufWriter } from '../../../util/writer';
import type { AsPathSegment, CodecContext } from '../types';
import { AttrFault, OPTIONAL_TRANSITIVE, WELL_KNOWN, u32At, withdrawAlways, type AttrDescriptor } from './types';

/** RFC 6793 §9: the 2-octet stand-in for a 4-octet AS. */
export const AS_TRANS = 23456;

/** Decodes AS path segments from buf[start,end) with 2- or 4-octet ASNs. Throws AttrFault when malformed. */
export function decodeAsPathSegments(buf: Buffer, start: number, end: number, four: boolean, name: string): AsPathSegment[] {
  const out: AsPathSegment[] = [];
  const size = four ? 4 : 2;
  let p = start;
  while (p < end) {
    if (end - p < 2) throw new AttrFault('structure', `${name}: truncated segment header`);
    const type = buf[p];
    const count = buf[p + 1];
    p += 2;
    if (type < AsPathSegmentType.AsSet || type > AsPathSegmentType.ConfedSet) {
      throw new AttrFault('structure', `${name}: segment type ${type}`);
    }
    if (count === 0) throw new AttrFault('structure', `${name}: empty segment`);
    if (p + count * size > end) throw new AttrFault('structure', `${name}: segment of ${count} ASNs overruns the attribute`);
    const asns: number[] = new Array(count);
    for (let i = 0; i < count; i++, p += size) {
      const asn = four ? u32At(buf, p) : (buf[p] << 8) | buf[p + 1];
      // RFC 7607 §2: AS 0 in AS_PATH or AS4_PATH makes the attribute malformed.
      if (asn === 0) throw new AttrFault('value', `${name}: AS 0`);
      asns[i] = asn;
    }
    out.push({ type, asns });
  }
  return out;
}

/** Writes segments with 2- or 4-octet ASNs (2-octet: ASNs above 65535 become AS_TRANS). */
export function encodeAsPathSegments(w: BufWriter, segments: readonly AsPathSegment[], four: boolean): void {
  for (const seg of segments) {
    const asns = seg.asns;
    for (let off = 0; off < asns.length; off += 255) {
      const n = Math.min(255, asns.length - off);
      w.u8(seg.type).u8(n);
      for (let i = off; i < off + n; i++) {
        const asn = asns[i];
        if (four) w.u32(asn);
        else w.u16(asn > 0xffff ? AS_TRANS : asn);
      }
    }
  }
}

export const AS_PATH: AttrDescriptor<AsPathSegment[]> = {
  code: AttrCode.AsPath,
  name: 'AS_PATH',
  flags: WELL_KNOWN,
  decode(buf: Buffer, start: number, end: number, ctx: CodecContext): AsPathSegment[] {
    return decodeAsPathSegments(buf, start, end, ctx.as4, 'AS_PATH');
  },
  encode(w: BufWriter, value: AsPathSegment[], ctx: CodecContext): void {
    encodeAsPathSegments(w, value, ctx.as4);
  },
  onError: withdrawAlways,
};

export const AS4_PATH: AttrDescriptor<AsPathSegment[]> = {
  code: AttrCode.As4Path,
  name: 'AS4_PATH',
  flags: OPTIONAL_TRANSITIVE,
  decode(buf: Buffer, start: number, end: number): AsPathSegment[] {
    return decodeAsPathSegments(buf, start, end, true, 'AS4_PATH');
  },
  encode(w: BufWriter, value: AsPathSegment[]): void {
    encodeAsPathSegments(w, value, true);
  },
  onError: withdrawAlways,
};
