/**
 * DOC: the numbers of the BGP wire protocol, as `const enum`s so they vanish at compile time.
 *
 * Message types (RFC 4271 §4.1), path attribute codes and flags (RFC 4271 §4.3 and the IANA registry),
 * capability codes (IANA "Capability Codes"), optional parameter types (RFC 5492, RFC 9072), AFI/SAFI values,
 * and NOTIFICATION codes and subcodes (RFC 4271 §4.5 and its updates). Names for display are in `names.ts`.
 */

/** RFC 4271 §4.1 header: 16-octet marker, 2-octet length, 1-octet type. */
export const HEADER_LENGTH = 19;
/** RFC 4271 §4.1: the largest message without the extended message capability. */
export const MAX_MESSAGE_LENGTH = 4096;
/** RFC 8654: the largest message once extended messages are negotiated (OPEN and KEEPALIVE stay ≤ 4096). */
export const MAX_EXTENDED_MESSAGE_LENGTH = 65535;

export const enum MsgType {
  Open = 1,
  Update = 2,
  Notification = 3,
  Keepalive = 4,
  RouteRefresh = 5,
}

export const enum AttrFlag {
  Optional = 0x80,
  Transitive = 0x40,
  Partial = 0x20,
  ExtendedLength = 0x10,
}

export const enum AttrCode {
  Origin = 1,
  AsPath = 2,
  NextHop = 3,
  Med = 4,
  LocalPref = 5,
  AtomicAggregate = 6,
  Aggregator = 7,
  Communities = 8,
  OriginatorId = 9,
  ClusterList = 10,
  MpReachNlri = 14,
  MpUnreachNlri = 15,
  ExtendedCommunities = 16,
  As4Path = 17,
  As4Aggregator = 18,
  PmsiTunnel = 22,
  TunnelEncapsulation = 23,
  Ipv6ExtendedCommunities = 25,
  Aigp = 26,
  BgpLs = 29,
  LargeCommunity = 32,
  OnlyToCustomer = 35,
  NextHopCapability = 39,
  PrefixSid = 40,
}

export const enum Origin {
  Igp = 0,
  Egp = 1,
  Incomplete = 2,
}

export const enum AsPathSegmentType {
  AsSet = 1,
  AsSequence = 2,
  ConfedSequence = 3,
  ConfedSet = 4,
}

/** RFC 5492 §4 optional parameter 2; RFC 9072 extended form uses type 255 as the marker. */
export const enum OptParamType {
  Capabilities = 2,
  ExtendedLengthMarker = 255,
}

export const enum CapabilityCode {
  Multiprotocol = 1,
  RouteRefresh = 2,
  ExtendedNextHop = 5,
  ExtendedMessage = 6,
  GracefulRestart = 64,
  FourOctetAs = 65,
  AddPath = 69,
  EnhancedRouteRefresh = 70,
  LongLivedGracefulRestart = 71,
  Fqdn = 73,
  SoftwareVersion = 75,
}

export const enum Afi {
  Ipv4 = 1,
  Ipv6 = 2,
  L2vpn = 25,
  BgpLs = 16388,
}

export const enum Safi {
  Unicast = 1,
  Multicast = 2,
  Mpls = 4,
  Mvpn = 5,
  Vpls = 65,
  Evpn = 70,
  BgpLs = 71,
  BgpLsVpn = 72,
  SrPolicy = 73,
  MplsVpn = 128,
  Rtc = 132,
  Flowspec = 133,
  FlowspecVpn = 134,
}

/** RFC 4271 §4.5 error codes (plus RFC 7313 code 7). */
export const enum ErrCode {
  MessageHeader = 1,
  OpenMessage = 2,
  UpdateMessage = 3,
  HoldTimerExpired = 4,
  Fsm = 5,
  Cease = 6,
  RouteRefresh = 7,
}

/** RFC 4271 §6.1 */
export const enum HeaderSubcode {
  ConnectionNotSynchronized = 1,
  BadMessageLength = 2,
  BadMessageType = 3,
}

/** RFC 4271 §6.2, RFC 5492, RFC 9234 */
export const enum OpenSubcode {
  UnsupportedVersionNumber = 1,
  BadPeerAs = 2,
  BadBgpIdentifier = 3,
  UnsupportedOptionalParameter = 4,
  UnacceptableHoldTime = 6,
  UnsupportedCapability = 7,
  RoleMismatch = 11,
}

/** RFC 4271 §6.3 */
export const enum UpdateSubcode {
  MalformedAttributeList = 1,
  UnrecognizedWellKnownAttribute = 2,
  MissingWellKnownAttribute = 3,
  AttributeFlagsError = 4,
  AttributeLengthError = 5,
  InvalidOriginAttribute = 6,
  InvalidNextHopAttribute = 8,
  OptionalAttributeError = 9,
  InvalidNetworkField = 10,
  MalformedAsPath = 11,
}

/** RFC 6608 FSM error subcodes. */
export const enum FsmSubcode {
  Unspecified = 0,
  UnexpectedInOpenSent = 1,
  UnexpectedInOpenConfirm = 2,
  UnexpectedInEstablished = 3,
}

/** RFC 4486 / RFC 9003 Cease subcodes. */
export const enum CeaseSubcode {
  MaxPrefixes = 1,
  AdministrativeShutdown = 2,
  PeerDeconfigured = 3,
  AdministrativeReset = 4,
  ConnectionRejected = 5,
  OtherConfigurationChange = 6,
  ConnectionCollisionResolution = 7,
  OutOfResources = 8,
  HardReset = 9,
  BfdDown = 10,
}

/** RFC 7313 §5 ROUTE-REFRESH message subtypes, and the code 7 subcode. */
export const enum RefreshSubtype {
  Normal = 0,
  BeginningOfRouteRefresh = 1,
  EndOfRouteRefresh = 2,
}
export const enum RouteRefreshSubcode {
  InvalidMessageLength = 1,
}
