/**
 * DOC: ATTR_TABLE, the path attribute table: one descriptor per attribute code Petrel recognises (BIRD style), and
 * the per-attribute helpers built on it.
 *
 * Codes without a row are "unrecognised" in the RFC 4271 sense: an optional one is kept as its raw value octets
 * (a `Buffer`), a well-known one resets the session (3/2, done by the decoder). `markPartialForPropagation`
 * applies RFC 4271 §5 to what is passed on to other peers.
 */
import { AttrFlag } from '../../constants';
import type { PathAttribute } from '../types';
import { AGGREGATOR, AS4_AGGREGATOR } from './aggregator';
import { AS4_PATH, AS_PATH } from './as-path';
import { COMMUNITIES, EXTENDED_COMMUNITIES, IPV6_EXTENDED_COMMUNITIES, LARGE_COMMUNITY } from './communities';
import { MP_REACH_NLRI, MP_UNREACH_NLRI } from './mp-reach';
import { NEXT_HOP } from './next-hop';
import { ORIGIN } from './origin';
import { CLUSTER_LIST, ORIGINATOR_ID } from './route-reflection';
import { ATOMIC_AGGREGATE, LOCAL_PREF, MED, ONLY_TO_CUSTOMER } from './scalars';
import { AIGP, BGP_LS, NEXT_HOP_CAPABILITY, PMSI_TUNNEL, PREFIX_SID, TUNNEL_ENCAPSULATION } from './tlv-attributes';
import type { AttrDescriptor } from './types';

export * from './types';
export { AS_TRANS, decodeAsPathSegments, encodeAsPathSegments } from './as-path';
export { isMartianIpv4NextHop } from './next-hop';

/** Descriptors indexed by attribute code (undefined for codes Petrel does not recognise). */
export const ATTR_TABLE: readonly (AttrDescriptor<any> | undefined)[] = (() => {
  const t: (AttrDescriptor<any> | undefined)[] = new Array(256).fill(undefined);
  for (const d of [
    ORIGIN, AS_PATH, NEXT_HOP, MED, LOCAL_PREF, ATOMIC_AGGREGATE, AGGREGATOR, COMMUNITIES, ORIGINATOR_ID, CLUSTER_LIST,
    MP_REACH_NLRI, MP_UNREACH_NLRI, EXTENDED_COMMUNITIES, AS4_PATH, AS4_AGGREGATOR, PMSI_TUNNEL, TUNNEL_ENCAPSULATION,
    IPV6_EXTENDED_COMMUNITIES, AIGP, BGP_LS, LARGE_COMMUNITY, ONLY_TO_CUSTOMER, NEXT_HOP_CAPABILITY, PREFIX_SID,
  ] as AttrDescriptor<any>[]) {
    t[d.code] = d;
  }
  return Object.freeze(t);
})();

/** The attribute's name, or `ATTR_<code>` for codes without a row. */
export function attrName(code: number): string {
  return ATTR_TABLE[code]?.name ?? `ATTR_${code}`;
}

/**
 * RFC 4271 §5 / §9.1.3: prepares received attributes for passing on. Optional transitive attributes Petrel does not
 * recognise get the Partial bit; optional non-transitive ones it does not recognise are dropped. Recognised ones
 * are returned unchanged (the same objects). Returns a new array; the input is not modified.
 */
export function markPartialForPropagation(attrs: readonly PathAttribute[]): PathAttribute[] {
  const out: PathAttribute[] = [];
  for (const a of attrs) {
    if (ATTR_TABLE[a.code] !== undefined || (a.flags & AttrFlag.Optional) === 0) {
      out.push(a);
    } else if (a.flags & AttrFlag.Transitive) {
      out.push(a.flags & AttrFlag.Partial ? a : { code: a.code, flags: a.flags | AttrFlag.Partial, value: a.value });
    }
  }
  return out;
}
