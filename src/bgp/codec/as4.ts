/**
 * DOC: RFC 6793 interworking between 4-octet AS ("NEW") speakers and 2-octet AS ("OLD") peers.
 *
 * Receiving from an OLD peer (§4.2.3): AS_PATH carries AS_TRANS (23456) where a real ASN needed 4 octets, and the
 * real trailing path rides in AS4_PATH; `mergeAs4Attributes` rebuilds the true AS_PATH and AGGREGATOR and removes
 * AS4_PATH/AS4_AGGREGATOR. Sending to an OLD peer (§4.2.2): `toTwoOctetAttributes` puts AS_TRANS in AS_PATH and
 * AGGREGATOR and adds AS4_PATH/AS4_AGGREGATOR when some ASN needs 4 octets. AS4_PATH never carries confederation
 * segments (§3). Pure functions over `PathAttribute[]`: inputs are not modified.
 */
import { AsPathSegmentType, AttrCode, AttrFlag } from '../constants';
import { AS_TRANS } from './attributes/as-path';
import type { Aggregator, AsPathSegment, PathAttribute } from './types';

function isConfed(type: number): boolean {
  return type === AsPathSegmentType.ConfedSequence || type === AsPathSegmentType.ConfedSet;
}

/** RFC 6793 §4.2.3 path length: an AS_SET counts 1, confederation segments 0, AS_SEQUENCE its length. */
export function asPathCount(segments: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of segments) {
    if (s.type === AsPathSegmentType.AsSequence) n += s.asns.length;
    else if (s.type === AsPathSegmentType.AsSet) n += 1;
  }
  return n;
}

/** Joins adjacent AS_SEQUENCE segments while the result fits one segment (255 ASNs). */
function joinSequences(segments: AsPathSegment[]): AsPathSegment[] {
  const out: AsPathSegment[] = [];
  for (const s of segments) {
    const last = out[out.length - 1];
    if (last && last.type === AsPathSegmentType.AsSequence && s.type === AsPathSegmentType.AsSequence
      && last.asns.length + s.asns.length <= 255) {
      out[out.length - 1] = { type: last.type, asns: [...last.asns, ...s.asns] };
    } else {
      out.push({ type: s.type, asns: [...s.asns] });
    }
  }
  return out;
}

/**
 * RFC 6793 §4.2.3: the true AS path from a 2-octet AS_PATH and an AS4_PATH. When AS_PATH is shorter than AS4_PATH,
 * AS4_PATH is ignored; otherwise the leading ASes of AS_PATH (confederation segments kept) precede AS4_PATH.
 */
export function mergeAs4Path(asPath: readonly AsPathSegment[], as4Path: readonly AsPathSegment[]): AsPathSegment[] {
  const four = as4Path.filter((s) => !isConfed(s.type));
  const n = asPathCount(asPath);
  const m = asPathCount(four);
  if (n < m) return asPath.map((s) => ({ type: s.type, asns: [...s.asns] }));
  let need = n - m;
  const lead: AsPathSegment[] = [];
  for (const s of asPath) {
    if (isConfed(s.type)) {
      lead.push(s);
      continue;
    }
    if (need === 0) break;
    if (s.type === AsPathSegmentType.AsSet) {
      lead.push(s);
      need -= 1;
    } else {
      const take = Math.min(need, s.asns.length);
      lead.push({ type: s.type, asns: s.asns.slice(0, take) });
      need -= take;
    }
  }
  return joinSequences([...lead, ...four]);
}

/**
 * RFC 6793 §4.2.3: replaces AS_PATH and AGGREGATOR by their true values using AS4_PATH and AS4_AGGREGATOR, which are
 * removed. An AGGREGATOR whose AS is not AS_TRANS means both AS4 attributes are ignored.
 */
export function mergeAs4Attributes(attrs: readonly PathAttribute[]): PathAttribute[] {
  const find = (code: number) => attrs.find((a) => a.code === code);
  const as4Path = find(AttrCode.As4Path) as PathAttribute<AsPathSegment[]> | undefined;
  const as4Aggr = find(AttrCode.As4Aggregator) as PathAttribute<Aggregator> | undefined;
  if (!as4Path && !as4Aggr) return attrs.slice();
  const aggr = find(AttrCode.Aggregator) as PathAttribute<Aggregator> | undefined;
  const ignore = aggr !== undefined && aggr.value.asn !== AS_TRANS;
  const out: PathAttribute[] = [];
  for (const a of attrs) {
    if (a.code === AttrCode.As4Path || a.code === AttrCode.As4Aggregator) continue;
    if (!ignore && a.code === AttrCode.Aggregator && as4Aggr) {
      out.push({ code: a.code, flags: a.flags, value: { asn: as4Aggr.value.asn, address: as4Aggr.value.address } });
    } else if (!ignore && a.code === AttrCode.AsPath && as4Path) {
      out.push({ code: a.code, flags: a.flags, value: mergeAs4Path(a.value as AsPathSegment[], as4Path.value) });
    } else {
      out.push(a);
    }
  }
  return out;
}

/**
 * RFC 6793 §4.2.2: the attributes as sent to a 2-octet AS peer. ASNs above 65535 become AS_TRANS in AS_PATH and
 * AGGREGATOR, and AS4_PATH (without confederation segments) and AS4_AGGREGATOR carry the real values; existing AS4
 * attributes are replaced.
 */
export function toTwoOctetAttributes(attrs: readonly PathAttribute[]): PathAttribute[] {
  const out: PathAttribute[] = [];
  const big = (asn: number) => asn > 0xffff;
  for (const a of attrs) {
    if (a.code === AttrCode.As4Path || a.code === AttrCode.As4Aggregator) continue;
    if (a.code === AttrCode.AsPath) {
      const segs = a.value as AsPathSegment[];
      if (!segs.some((s) => s.asns.some(big))) {
        out.push(a);
        continue;
      }
      out.push({ code: a.code, flags: a.flags, value: segs.map((s) => ({ type: s.type, asns: s.asns.map((x) => (big(x) ? AS_TRANS : x)) })) });
      const four = segs.filter((s) => !isConfed(s.type)).map((s) => ({ type: s.type, asns: [...s.asns] }));
      out.push({ code: AttrCode.As4Path, flags: AttrFlag.Optional | AttrFlag.Transitive, value: four });
    } else if (a.code === AttrCode.Aggregator && big((a.value as Aggregator).asn)) {
      const v = a.value as Aggregator;
      out.push({ code: a.code, flags: a.flags, value: { asn: AS_TRANS, address: v.address } });
      out.push({ code: AttrCode.As4Aggregator, flags: AttrFlag.Optional | AttrFlag.Transitive, value: { asn: v.asn, address: v.address } });
    } else {
      out.push(a);
    }
  }
  return out;
}
