/**
 * DOC: the decoded shapes of every BGP message: the contract between the codec and the rest of Petrel.
 *
 * Decoding gives these plain objects; encoding takes them back to bytes, the exact inverse: for canonically ordered
 * input `encode(decode(bytes))` equals `bytes`, and `decode(encode(x))` deep-equals `x`. Addresses are text
 * (`10.0.0.1`, RFC 5952 IPv6), NLRI are compact prefix keys (see `util/prefix.ts`), opaque values are Buffers.
 * Values that must survive the receive buffer are copies, never views (architecture §5.6).
 */
import type { MsgType } from '../constants';
import type { Family } from '../family';
import type { PrefixKey } from '../../util/prefix';
import type { UpdateErrorAction } from '../errors';

/** What the codec needs to know about the session; one per direction (what we receive vs what we send). */
export interface CodecContext {
  /** RFC 6793: both sides sent the 4-octet AS capability, so AS_PATH carries 4-octet ASNs. */
  as4: boolean;
  /** RFC 7911: families whose NLRI carry a 4-octet path identifier in this direction. */
  addPath: ReadonlySet<Family>;
  /** RFC 8654: UPDATE, NOTIFICATION and ROUTE-REFRESH may be up to 65535 octets. */
  extendedMessage: boolean;
}

/** The context before OPEN negotiation (and for `petrel decode` defaults: 4-octet AS, no ADD-PATH). */
export const DEFAULT_CODEC_CONTEXT: CodecContext = Object.freeze({
  as4: true,
  addPath: new Set<Family>(),
  extendedMessage: false,
});

// ---------------------------------------------------------------- OPEN and capabilities (RFC 4271 §4.2, RFC 5492)

export interface AfiSafi {
  afi: number;
  safi: number;
}

export type Capability =
  | { code: 1; afi: number; safi: number }                                       // RFC 4760 multiprotocol
  | { code: 2 }                                                                  // RFC 2918 route refresh
  | { code: 5; entries: { afi: number; safi: number; nextHopAfi: number }[] }    // RFC 8950 extended next hop
  | { code: 6 }                                                                  // RFC 8654 extended message
  | {                                                                            // RFC 4724 graceful restart
      code: 64;
      /** The 4 flag bits: 0x8 = Restart State (R), 0x4 = Notification (N, RFC 8538). */
      flags: number;
      /** Restart time in seconds (12 bits). */
      restartTime: number;
      /** Per family: 0x80 = Forwarding State preserved. */
      families: { afi: number; safi: number; flags: number }[];
    }
  | { code: 65; asn: number }                                                    // RFC 6793 4-octet AS
  | { code: 69; families: { afi: number; safi: number; sendReceive: number }[] } // RFC 7911 ADD-PATH (1 rx, 2 tx, 3 both)
  | { code: 70 }                                                                 // RFC 7313 enhanced route refresh
  | { code: 71; families: { afi: number; safi: number; flags: number; staleTime: number }[] } // RFC 9494 LLGR
  | { code: 73; hostname: string; domain: string }                               // draft-walton FQDN
  | { code: 75; version: string }                                                // draft-abraitis software version
  | UnknownCapability;

/** A capability Petrel does not interpret, kept as bytes so it can be re-encoded exactly. */
export interface UnknownCapability {
  code: number;
  unknown: true;
  value: Buffer;
}

export interface OpenMessage {
  type: MsgType.Open;
  version: number;
  /** The 2-octet "My Autonomous System" field (AS_TRANS 23456 when the real AS needs 4 octets). */
  myAs: number;
  holdTime: number;
  /** BGP Identifier as dotted quad. */
  bgpId: string;
  /** Capabilities in wire order, across all Capabilities optional parameters. */
  capabilities: Capability[];
  /**
   * How many capabilities each Capabilities parameter held, in order, for exact re-encoding. Absent means one
   * parameter holding them all.
   */
  capabilityGrouping?: number[];
  /** Optional parameters other than Capabilities (deprecated type 1 authentication, unknown ones), kept as bytes. */
  otherParams?: { type: number; value: Buffer }[];
  /** RFC 9072: the optional parameters used the extended (2-octet length) encoding. */
  extendedParams?: boolean;
}

// ---------------------------------------------------------------- UPDATE (RFC 4271 §4.3, RFC 4760, RFC 7911)

/** NLRI of one family: parallel arrays, keys always, path identifiers only with ADD-PATH. */
export interface NlriList {
  keys: PrefixKey[];
  /** RFC 7911 path identifiers, index-aligned with `keys`; absent without ADD-PATH. */
  pathIds?: number[];
}

export interface AsPathSegment {
  /** 1 AS_SET, 2 AS_SEQUENCE, 3 AS_CONFED_SEQUENCE, 4 AS_CONFED_SET. */
  type: number;
  asns: number[];
}

export interface Aggregator {
  asn: number;
  address: string;
}

export interface MpReach {
  afi: number;
  safi: number;
  /** Next hop addresses as text: IPv4, IPv6 global, optionally IPv6 link-local second (RFC 2545 §3). */
  nextHops: string[];
  /** The reserved octet (RFC 4760 §3: must be 0, ignored on receipt) kept for exact re-encoding. */
  reserved?: number;
  /** Decoded NLRI for supported families. */
  nlri?: NlriList;
  /** For families Petrel does not route: the raw next hop and NLRI octets. */
  unsupported?: { nextHop: Buffer; nlri: Buffer };
}

export interface MpUnreach {
  afi: number;
  safi: number;
  nlri?: NlriList;
  /** For families Petrel does not route: the raw withdrawn NLRI octets. */
  unsupported?: { nlri: Buffer };
}

/** One path attribute. `flags` are the wire flags (including Extended Length) so re-encoding is exact. */
export interface PathAttribute<V = unknown> {
  code: number;
  flags: number;
  value: V;
}

/**
 * The value type per attribute code. Codes not listed (and any attribute Petrel does not interpret) have a
 * `Buffer` value: the attribute's raw value octets.
 */
export interface AttrValueMap {
  1: number;                          // ORIGIN
  2: AsPathSegment[];                 // AS_PATH
  3: string;                          // NEXT_HOP
  4: number;                          // MULTI_EXIT_DISC
  5: number;                          // LOCAL_PREF
  6: true;                            // ATOMIC_AGGREGATE
  7: Aggregator;                      // AGGREGATOR
  8: number[];                        // COMMUNITIES (each a u32)
  9: string;                          // ORIGINATOR_ID
  10: string[];                       // CLUSTER_LIST
  14: MpReach;                        // MP_REACH_NLRI
  15: MpUnreach;                      // MP_UNREACH_NLRI
  16: string[];                       // EXTENDED_COMMUNITIES (each 16 hex digits)
  17: AsPathSegment[];                // AS4_PATH
  18: Aggregator;                     // AS4_AGGREGATOR
  32: [number, number, number][];     // LARGE_COMMUNITY
  35: number;                         // ONLY_TO_CUSTOMER (RFC 9234)
}

/** A problem the decoder found in one attribute; `validateUpdate` turns it into an RFC 7606 outcome. */
export interface AttrProblem {
  /** Attribute type code (0 when the problem is not tied to one attribute). */
  code: number;
  flags: number;
  /** What is wrong, for the outcome table and for humans. */
  kind: 'flags' | 'length' | 'value' | 'duplicate' | 'missing' | 'structure' | 'nlri' | 'nexthop';
  reason: string;
  /** The whole attribute (flags, type, length, value) for NOTIFICATION data (RFC 4271 §6.3). */
  data: Buffer;
  /** Set by the decoder when the outcome does not depend on the peer kind. */
  action?: UpdateErrorAction;
  /** NOTIFICATION subcode when the outcome is a session reset. */
  subcode?: number;
}

export interface UpdateMessage {
  type: MsgType.Update;
  /** IPv4 unicast withdrawn routes. */
  withdrawn: NlriList;
  /** Path attributes in wire order, MP_REACH_NLRI and MP_UNREACH_NLRI included. */
  attributes: PathAttribute[];
  /** IPv4 unicast NLRI. */
  nlri: NlriList;
  /** Problems found while decoding (absent when there were none). See `validateUpdate`. */
  problems?: AttrProblem[];
}

// ---------------------------------------------------------------- NOTIFICATION, KEEPALIVE, ROUTE-REFRESH

export interface NotificationMessage {
  type: MsgType.Notification;
  code: number;
  subcode: number;
  data: Buffer;
  /** RFC 9003: the UTF-8 shutdown communication of Cease 2 or 4, when the data carries one. */
  communication?: string;
}

export interface KeepaliveMessage {
  type: MsgType.Keepalive;
}

export interface RouteRefreshMessage {
  type: MsgType.RouteRefresh;
  afi: number;
  safi: number;
  /** RFC 7313: 0 normal request, 1 BoRR, 2 EoRR (the "reserved" octet of RFC 2918). */
  subtype: number;
}

export type BgpMessage = OpenMessage | UpdateMessage | NotificationMessage | KeepaliveMessage | RouteRefreshMessage;
