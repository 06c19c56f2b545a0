/**
 * DOC: conversions between the codec's path attribute list and the RIB's interned fields.
 *
 * `fieldsFromAttributes` reads a validated attribute list (RFC 7606 handling and the RFC 6793 merge already done)
 * into `AttrFields` for interning; the MP next hop comes from MP_REACH_NLRI. `attributesFromSet` is the inverse, in
 * type-code order (the canonical order RFC 4271 §5 recommends), for the update builder. MP_REACH_NLRI is not
 * included: the builder adds it per message, since it carries the NLRI.
 */
import type { MpReach, PathAttribute } from '../../bgp/codec/types';
import type { AttrSet } from './attr-set';
import { emptyAttrFields, type AttrFields } from './intern';

const WELL_KNOWN = 0x40;
const OPTIONAL = 0x80;
const OPTIONAL_TRANSITIVE = 0xc0;

/** The fields of a validated attribute list. */
export function fieldsFromAttributes(attrs: readonly PathAttribute[]): AttrFields {
  const f = emptyAttrFields();
  for (const a of attrs) {
    switch (a.code) {
      case 1: f.origin = a.value as number; break;
      case 2: f.asPath = a.value as AttrFields['asPath']; break;
      case 3: f.nextHop = a.value as string; break;
      case 4: f.med = a.value as number; break;
      case 5: f.localPref = a.value as number; break;
      case 6: f.atomicAggregate = true; break;
      case 7: f.aggregator = a.value as AttrFields['aggregator']; break;
      case 8: f.communities = a.value as number[]; break;
      case 9: f.originatorId = a.value as string; break;
      case 10: f.clusterList = a.value as string[]; break;
      case 14: {
        const mp = a.value as MpReach;
        if (mp.nextHops.length) f.nextHop = mp.nextHops[0];
        if (mp.nextHops.length > 1) f.nextHopLinkLocal = mp.nextHops[1];
        break;
      }
      case 15: case 17: case 18: break; // MP_UNREACH is not an attribute of a path; AS4_* were merged by validation
      case 16: f.extCommunities = a.value as string[]; break;
      case 32: f.largeCommunities = a.value as [number, number, number][]; break;
      case 35: f.otc = a.value as number; break;
      default:
        (f.other ??= []).push(a as PathAttribute<Buffer>);
    }
  }
  return f;
}

/**
 * The attribute list of a set, in code order, without MP_REACH_NLRI. `ipv4NextHop` says whether NEXT_HOP
 * (code 3) is written: for IPv4 unicast with an IPv4 next hop; IPv6 carries its next hop in MP_REACH_NLRI.
 */
export function attributesFromSet(s: AttrSet, ipv4NextHop: boolean): PathAttribute[] {
  const out: PathAttribute[] = [];
  out.push({ code: 1, flags: WELL_KNOWN, value: s.origin });
  out.push({ code: 2, flags: WELL_KNOWN, value: s.asPath.value });
  if (ipv4NextHop && s.nextHop) out.push({ code: 3, flags: WELL_KNOWN, value: s.nextHop });
  if (s.med >= 0) out.push({ code: 4, flags: OPTIONAL, value: s.med });
  if (s.localPref >= 0) out.push({ code: 5, flags: WELL_KNOWN, value: s.localPref });
  if (s.atomicAggregate) out.push({ code: 6, flags: WELL_KNOWN, value: true });
  if (s.aggregator) out.push({ code: 7, flags: OPTIONAL_TRANSITIVE, value: s.aggregator });
  if (s.communities) out.push({ code: 8, flags: OPTIONAL_TRANSITIVE, value: s.communities.value });
  if (s.originatorId) out.push({ code: 9, flags: OPTIONAL, value: s.originatorId });
  if (s.clusterList) out.push({ code: 10, flags: OPTIONAL, value: s.clusterList.value });
  if (s.extCommunities) out.push({ code: 16, flags: OPTIONAL_TRANSITIVE, value: s.extCommunities.value });
  if (s.largeCommunities) out.push({ code: 32, flags: OPTIONAL_TRANSITIVE, value: s.largeCommunities.value });
  if (s.otc >= 0) out.push({ code: 35, flags: OPTIONAL_TRANSITIVE, value: s.otc });
  // The known attributes above are already in code order; only unknown ones (rare) need sorting in. Array sort
  // copies its input (it was ~9 % of all allocation with 100k distinct sets), so it is skipped when there are none.
  if (s.other) {
    for (const a of s.other) out.push(a);
    out.sort((a, b) => a.code - b.code);
  }
  // Extended Length is recomputed by the encoder from the value size; flags here carry only O/T/P.
  return out;
}
