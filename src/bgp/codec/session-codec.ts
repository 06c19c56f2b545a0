/**
 * DOC: OPEN negotiation: what we send (`buildOpen`) and what both OPENs agree on (`negotiate`).
 *
 * Owns the RFC 4271 §6.2 checks on a received OPEN and the capability arithmetic of RFC 5492 (capabilities),
 * RFC 4760 (families), RFC 6793 (4-octet AS), RFC 7911 (ADD-PATH directions), RFC 8654 (extended message),
 * RFC 8950 (extended next hop), RFC 2918 / RFC 7313 (route refresh) and RFC 4724 (graceful restart). The result is
 * the per-direction `CodecContext` pair the codec uses after the session comes up. Pure: no I/O, no clock.
 * Modelled on RustyBGP's `PeerCodec.negotiate` and OpenBGPD's `capa_neg_calc`.
 */
import { CapabilityCode, ErrCode, MsgType, OpenSubcode } from '../constants';
import { NotificationError } from '../errors';
import { type Family, family, familyAfi, familySafi, IPV4_UNICAST } from '../family';
import { encodeCapability } from './capabilities';
import { parseIpv4 } from './open';
import type { Capability, CodecContext, OpenMessage } from './types';
import { BufWriter } from '../../util/writer';

/** RFC 6793 §9: the 2-octet AS placed in "My Autonomous System" when the real AS needs 4 octets. */
export const AS_TRANS = 23456;
/** RFC 4271 §4.2: the only BGP version Petrel speaks. */
export const BGP_VERSION = 4;

/** What we offer: from configuration. */
export interface LocalSessionSettings {
  localAs: number;
  /** The AS we expect the peer to have; 0 accepts any (dynamic neighbours). */
  peerAs: number;
  /** Our BGP Identifier as a dotted quad. */
  routerId: string;
  /** Our proposed hold time in seconds (0 or ≥ 3). */
  holdTime: number;
  /** The families we advertise with multiprotocol capabilities (RFC 4760). */
  families: Family[];
  /** RFC 7911 per family: 1 receive, 2 send, 3 both. */
  addPath?: Map<Family, 1 | 2 | 3>;
  /** RFC 8654: advertise the extended message capability. */
  extendedMessage?: boolean;
  /** RFC 8950: advertise IPv6 next hops for our IPv4 families. */
  extendedNextHop?: boolean;
  /**
   * RFC 4724: advertise graceful restart; `forwarding` sets each family's F bit, `restarting` the R bit,
   * `notification` the RFC 8538 N bit (graceful restart also after NOTIFICATIONs other than Hard Reset).
   */
  gracefulRestart?: { restartTime: number; restarting: boolean; forwarding: boolean; notification?: boolean };
  /** RFC 2918: advertise route refresh (default true). */
  routeRefresh?: boolean;
  /** RFC 7313: advertise enhanced route refresh (default false). */
  enhancedRouteRefresh?: boolean;
  /** draft-abraitis-bgp-version-capability: advertise this software version (capability 75). */
  softwareVersion?: string;
}

/** The peer's graceful restart capability, as negotiated (RFC 4724 §3, RFC 8538 §2). */
export interface PeerGracefulRestart {
  /** R bit: the peer has restarted. */
  restarting: boolean;
  /** N bit (RFC 8538): the peer supports graceful restart for NOTIFICATIONs; meaningful only if we sent it too. */
  notification: boolean;
  restartTime: number;
  /** The peer's families that are also negotiated, with their F (forwarding state preserved) bit. */
  families: { family: Family; forwarding: boolean }[];
}

/** The outcome of OPEN negotiation: everything the session and the codec need once both OPENs are known. */
export interface NegotiatedSession {
  /** Context for decoding what the peer sends. */
  rx: CodecContext;
  /** Context for encoding what we send. */
  tx: CodecContext;
  /** RFC 4271 §4.2: the smaller of both hold times (0 = no keepalives, no hold timer). */
  holdTime: number;
  /** RFC 4271 §10: one third of the hold time. */
  keepaliveTime: number;
  /** The peer's AS (from the 4-octet AS capability when present). */
  peerAs: number;
  peerRouterId: string;
  /** Families both sides advertised, in our configured order. */
  families: Family[];
  routeRefresh: boolean;
  enhancedRouteRefresh: boolean;
  /** Present when both sides advertised graceful restart. */
  gracefulRestart?: PeerGracefulRestart;
  /** Families in which the peer sends us path identifiers. */
  addPathRx: Set<Family>;
  /** Families in which we send path identifiers. */
  addPathTx: Set<Family>;
  /** IPv4 families in which both sides accept IPv6 next hops (RFC 8950). */
  extendedNextHop: Set<Family>;
  /** Every capability the peer sent, in wire order. */
  peerCapabilities: Capability[];
}

/** Our OPEN for these settings. */
export function buildOpen(local: LocalSessionSettings): OpenMessage {
  const caps: Capability[] = [];
  for (const f of local.families) caps.push({ code: 1, afi: familyAfi(f), safi: familySafi(f) });
  if (local.routeRefresh !== false) caps.push({ code: 2 });
  if (local.enhancedRouteRefresh) caps.push({ code: 70 });
  if (local.extendedMessage) caps.push({ code: 6 });
  const enh = extendedNextHopFamilies(local);
  if (enh.length > 0) caps.push({ code: 5, entries: enh.map((f) => ({ afi: familyAfi(f), safi: familySafi(f), nextHopAfi: 2 })) });
  const gr = local.gracefulRestart;
  if (gr) {
    caps.push({
      code: 64,
      flags: (gr.restarting ? 0x8 : 0) | (gr.notification ? 0x4 : 0),
      restartTime: gr.restartTime,
      families: local.families.map((f) => ({ afi: familyAfi(f), safi: familySafi(f), flags: gr.forwarding ? 0x80 : 0 })),
    });
  }
  caps.push({ code: 65, asn: local.localAs });
  if (local.addPath && local.addPath.size > 0) {
    const families = [...local.addPath].map(([f, mode]) => ({ afi: familyAfi(f), safi: familySafi(f), sendReceive: mode }));
    caps.push({ code: 69, families });
  }
  if (local.softwareVersion !== undefined) caps.push({ code: 75, version: local.softwareVersion });
  return {
    type: MsgType.Open,
    version: BGP_VERSION,
    myAs: local.localAs > 0xffff ? AS_TRANS : local.localAs,
    holdTime: local.holdTime,
    bgpId: local.routerId,
    capabilities: caps,
  };
}

/** Our IPv4 families offered with IPv6 next hops (RFC 8950 §3). */
function extendedNextHopFamilies(local: LocalSessionSettings): Family[] {
  return local.extendedNextHop ? local.families.filter((f) => familyAfi(f) === 1) : [];
}

function openError(subcode: number, reason: string, data?: Uint8Array): NotificationError {
  return new NotificationError(ErrCode.OpenMessage, subcode, data, reason);
}

/** The first interpreted capability with this code (the code is a literal so the result type narrows). */
function find<C extends 2 | 6 | 64 | 65 | 69 | 70>(caps: Capability[], code: C): Extract<Capability, { code: C }> | undefined {
  for (const c of caps) if (c.code === code && !('unknown' in c)) return c as Extract<Capability, { code: C }>;
  return undefined;
}

/**
 * Checks the peer's OPEN against our settings and computes the session. Throws `NotificationError`:
 * 2/1 (data: 2-octet version 4), 2/2, 2/3, 2/4, 2/6, or 2/7 when no family is common (data: our multiprotocol
 * capabilities, RFC 5492 §5).
 */
export function negotiate(local: LocalSessionSettings, remote: OpenMessage): NegotiatedSession {
  const caps = remote.capabilities;
  // RFC 4271 §6.2: data is the largest locally supported version, a 2-octet unsigned integer.
  if (remote.version !== BGP_VERSION) throw openError(OpenSubcode.UnsupportedVersionNumber, `version ${remote.version}`, Buffer.from([0, BGP_VERSION]));

  // RFC 6793 §4.1: the 4-octet AS capability carries the real AS; RFC 7607 §2: AS 0 is a Bad Peer AS.
  const as4Cap = find(caps, 65);
  const peerAs = as4Cap ? as4Cap.asn : remote.myAs;
  if (peerAs === 0) throw openError(OpenSubcode.BadPeerAs, 'peer AS 0');
  if (local.peerAs !== 0 && peerAs !== local.peerAs) throw openError(OpenSubcode.BadPeerAs, `peer AS ${peerAs}, expected ${local.peerAs}`);

  // RFC 6286 §2.2: zero, or equal to ours on an internal session, is a Bad BGP Identifier.
  const id = parseIpv4(remote.bgpId);
  if (!id) throw openError(OpenSubcode.BadBgpIdentifier, `BGP identifier ${remote.bgpId}`);
  if (peerAs === local.localAs && id === parseIpv4(local.routerId)) throw openError(OpenSubcode.BadBgpIdentifier, `BGP identifier ${remote.bgpId} is ours`);

  // RFC 4271 §6.2: hold times of 1 and 2 seconds MUST be rejected.
  if (remote.holdTime === 1 || remote.holdTime === 2) throw openError(OpenSubcode.UnacceptableHoldTime, `hold time ${remote.holdTime}`);

  // RFC 4271 §6.2 / RFC 5492 §4: optional parameters other than Capabilities are not supported.
  if (remote.otherParams && remote.otherParams.length > 0) {
    throw openError(OpenSubcode.UnsupportedOptionalParameter, `optional parameter ${remote.otherParams[0].type}`);
  }

  const families = commonFamilies(local, caps);
  if (families.length === 0) throw openError(OpenSubcode.UnsupportedCapability, 'no common address family', ourMultiprotocolCaps(local));
  const negotiatedSet = new Set(families);

  const as4 = as4Cap !== undefined; // we always send capability 65
  const extendedMessage = local.extendedMessage === true && find(caps, 6) !== undefined;
  const { rx: addPathRx, tx: addPathTx } = addPathDirections(local, caps, negotiatedSet);
  const extendedNextHop = extendedNextHopSet(local, caps, negotiatedSet);
  const routeRefresh = local.routeRefresh !== false && find(caps, 2) !== undefined;
  const enhancedRouteRefresh = routeRefresh && local.enhancedRouteRefresh === true && find(caps, 70) !== undefined;

  const holdTime = Math.min(local.holdTime, remote.holdTime);
  const session: NegotiatedSession = {
    rx: { as4, addPath: addPathRx, extendedMessage },
    tx: { as4, addPath: addPathTx, extendedMessage },
    holdTime,
    keepaliveTime: Math.floor(holdTime / 3),
    peerAs,
    peerRouterId: remote.bgpId,
    families,
    routeRefresh,
    enhancedRouteRefresh,
    addPathRx,
    addPathTx,
    extendedNextHop,
    peerCapabilities: caps,
  };
  const grCap = local.gracefulRestart ? find(caps, 64) : undefined;
  if (grCap) {
    session.gracefulRestart = {
      restarting: (grCap.flags & 0x8) !== 0,
      notification: (grCap.flags & 0x4) !== 0,
      restartTime: grCap.restartTime,
      families: grCap.families
        .map((g) => ({ family: family(g.afi, g.safi), forwarding: (g.flags & 0x80) !== 0 }))
        .filter((g) => negotiatedSet.has(g.family)),
    };
  }
  return session;
}

/** RFC 4760 §8: families both advertised; a peer with no multiprotocol capability speaks IPv4 unicast only. */
function commonFamilies(local: LocalSessionSettings, caps: Capability[]): Family[] {
  const remote = new Set<Family>();
  for (const c of caps) if (c.code === CapabilityCode.Multiprotocol && !('unknown' in c)) remote.add(family(c.afi, c.safi));
  if (remote.size === 0) remote.add(IPV4_UNICAST);
  return local.families.filter((f) => remote.has(f));
}

/** RFC 7911 §4: we receive path IDs where we said receive and the peer said send; and the converse. */
function addPathDirections(local: LocalSessionSettings, caps: Capability[], negotiated: Set<Family>): { rx: Set<Family>; tx: Set<Family> } {
  const rx = new Set<Family>();
  const tx = new Set<Family>();
  const ours = local.addPath;
  const theirs = find(caps, 69);
  if (!ours || !theirs) return { rx, tx };
  for (const e of theirs.families) {
    const f = family(e.afi, e.safi);
    const mine = ours.get(f);
    if (mine === undefined || !negotiated.has(f) || e.sendReceive < 1 || e.sendReceive > 3) continue;
    if (mine & 1 && e.sendReceive & 2) rx.add(f);
    if (mine & 2 && e.sendReceive & 1) tx.add(f);
  }
  return { rx, tx };
}

/** RFC 8950 §3: an IPv4 family both sides listed with next hop AFI 2 (IPv6). */
function extendedNextHopSet(local: LocalSessionSettings, caps: Capability[], negotiated: Set<Family>): Set<Family> {
  const out = new Set<Family>();
  const ours = new Set(extendedNextHopFamilies(local));
  for (const c of caps) {
    if (c.code !== CapabilityCode.ExtendedNextHop || 'unknown' in c) continue;
    for (const e of c.entries) {
      const f = family(e.afi, e.safi);
      if (e.nextHopAfi === 2 && e.safi < 256 && ours.has(f) && negotiated.has(f)) out.add(f);
    }
  }
  return out;
}

/** Our multiprotocol capabilities, encoded, for the 2/7 data (RFC 5492 §5). */
function ourMultiprotocolCaps(local: LocalSessionSettings): Buffer {
  const w = new BufWriter(64);
  for (const f of local.families) encodeCapability(w, { code: 1, afi: familyAfi(f), safi: familySafi(f) });
  return w.finish();
}
