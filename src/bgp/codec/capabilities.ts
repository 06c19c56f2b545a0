/**
 * DOC: BGP capabilities (RFC 5492) as a table: code → {name, decode, encode}.
 *
 * Owns the wire form of every capability Petrel interprets: 1 multiprotocol (RFC 4760), 2 route refresh
 * (RFC 2918), 5 extended next hop (RFC 8950), 6 extended message (RFC 8654), 64 graceful restart (RFC 4724,
 * RFC 8538), 65 4-octet AS (RFC 6793), 69 ADD-PATH (RFC 7911), 70 enhanced route refresh (RFC 7313), 71 long-lived
 * graceful restart (RFC 9494), 73 FQDN (draft-walton-bgp-hostname-capability), 75 software version
 * (draft-abraitis-bgp-version-capability). Any other code is kept as bytes (`UnknownCapability`) and re-encoded
 * verbatim. Invariant: for canonical input, encode(decode(bytes)) === bytes.
 *
 * A standard capability whose length does not fit its format is an OPEN Message Error / Unspecific (2/0, the
 * subcode RFC 4271 §6.2 gives when no specific one applies). The two draft capabilities (73, 75) are informative
 * only, so a malformed one is kept as an unknown capability instead of failing the session.
 */
import { CapabilityCode, ErrCode } from '../constants';
import { NotificationError } from '../errors';
import type { Capability, UnknownCapability } from './types';
import { BugError } from '../../util/errors';
import type { BufReader } from '../../util/reader';
import type { BufWriter } from '../../util/writer';

type Cap<C extends number> = Extract<Capability, { code: C }>;

/** One row of the capability table. `decode` reads exactly `len` octets from `r`. */
export interface CapabilityCodec {
  name: string;
  decode(r: BufReader, len: number): Capability;
  encode(w: BufWriter, cap: Capability): void;
}

/** OPEN Message Error / Unspecific: a capability whose value does not fit its format. */
function malformed(code: number, reason: string): NotificationError {
  return new NotificationError(ErrCode.OpenMessage, 0, undefined, `malformed capability ${code}: ${reason}`);
}

function checkLength(code: number, len: number, ok: boolean): void {
  if (!ok) throw malformed(code, `bad length ${len}`);
}

/** A capability with an empty value (2, 6, 70). */
function emptyCapability(code: 2 | 6 | 70, name: string): CapabilityCodec {
  return {
    name,
    decode(_r, len) {
      checkLength(code, len, len === 0);
      return { code } as Capability;
    },
    encode() {},
  };
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Reads `n` octets as strict UTF-8; undefined if they are not valid UTF-8. */
function utf8(r: BufReader, n: number): string | undefined {
  try {
    return UTF8.decode(r.view(n));
  } catch {
    return undefined;
  }
}

function unknown(code: number, r: BufReader, len: number): UnknownCapability {
  return { code, unknown: true, value: r.copy(len) };
}

function writeShortString(w: BufWriter, text: string, what: string): void {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > 255) throw new BugError(`${what} longer than 255 octets`);
  w.u8(bytes.length).bytes(bytes);
}

/** The capability table, indexed by code. */
export const CAPABILITY_TABLE: ReadonlyMap<number, CapabilityCodec> = new Map<number, CapabilityCodec>([
  [CapabilityCode.Multiprotocol, {
    name: 'multiprotocol',
    decode(r, len) {
      // RFC 4760 §8: AFI (2), Reserved (1), SAFI (1).
      checkLength(1, len, len === 4);
      const afi = r.u16();
      r.skip(1);
      return { code: 1, afi, safi: r.u8() };
    },
    encode(w, cap) {
      const c = cap as Cap<1>;
      w.u16(c.afi).u8(0).u8(c.safi);
    },
  }],
  [CapabilityCode.RouteRefresh, emptyCapability(2, 'route-refresh')],
  [CapabilityCode.ExtendedNextHop, {
    name: 'extended-next-hop',
    decode(r, len) {
      // RFC 8950 §3: tuples of NLRI AFI (2), NLRI SAFI (2), Nexthop AFI (2).
      checkLength(5, len, len % 6 === 0);
      const entries: Cap<5>['entries'] = [];
      for (let n = len / 6; n > 0; n--) entries.push({ afi: r.u16(), safi: r.u16(), nextHopAfi: r.u16() });
      return { code: 5, entries };
    },
    encode(w, cap) {
      for (const e of (cap as Cap<5>).entries) w.u16(e.afi).u16(e.safi).u16(e.nextHopAfi);
    },
  }],
  [CapabilityCode.ExtendedMessage, emptyCapability(6, 'extended-message')],
  [CapabilityCode.GracefulRestart, {
    name: 'graceful-restart',
    decode(r, len) {
      // RFC 4724 §3: Restart Flags (4 bits), Restart Time (12 bits), then AFI (2), SAFI (1), flags (1) tuples.
      checkLength(64, len, len >= 2 && (len - 2) % 4 === 0);
      const head = r.u16();
      const families: Cap<64>['families'] = [];
      for (let n = (len - 2) / 4; n > 0; n--) families.push({ afi: r.u16(), safi: r.u8(), flags: r.u8() });
      return { code: 64, flags: head >>> 12, restartTime: head & 0xfff, families };
    },
    encode(w, cap) {
      const c = cap as Cap<64>;
      w.u16(((c.flags & 0xf) << 12) | (c.restartTime & 0xfff));
      for (const f of c.families) w.u16(f.afi).u8(f.safi).u8(f.flags);
    },
  }],
  [CapabilityCode.FourOctetAs, {
    name: 'four-octet-as',
    decode(r, len) {
      // RFC 6793 §3: the 4-octet AS number.
      checkLength(65, len, len === 4);
      return { code: 65, asn: r.u32() };
    },
    encode(w, cap) {
      w.u32((cap as Cap<65>).asn);
    },
  }],
  [CapabilityCode.AddPath, {
    name: 'add-path',
    decode(r, len) {
      // RFC 7911 §4: AFI (2), SAFI (1), Send/Receive (1) tuples.
      checkLength(69, len, len % 4 === 0);
      const families: Cap<69>['families'] = [];
      for (let n = len / 4; n > 0; n--) families.push({ afi: r.u16(), safi: r.u8(), sendReceive: r.u8() });
      return { code: 69, families };
    },
    encode(w, cap) {
      for (const f of (cap as Cap<69>).families) w.u16(f.afi).u8(f.safi).u8(f.sendReceive);
    },
  }],
  [CapabilityCode.EnhancedRouteRefresh, emptyCapability(70, 'enhanced-route-refresh')],
  [CapabilityCode.LongLivedGracefulRestart, {
    name: 'long-lived-graceful-restart',
    decode(r, len) {
      // RFC 9494 §3: AFI (2), SAFI (1), Flags (1), Long-lived Stale Time (3) tuples.
      checkLength(71, len, len % 7 === 0);
      const families: Cap<71>['families'] = [];
      for (let n = len / 7; n > 0; n--) {
        const afi = r.u16(), safi = r.u8(), flags = r.u8();
        const staleTime = (r.u8() << 16) | r.u16();
        families.push({ afi, safi, flags, staleTime });
      }
      return { code: 71, families };
    },
    encode(w, cap) {
      for (const f of (cap as Cap<71>).families) w.u16(f.afi).u8(f.safi).u8(f.flags).u8(f.staleTime >>> 16).u16(f.staleTime & 0xffff);
    },
  }],
  [CapabilityCode.Fqdn, {
    name: 'fqdn',
    decode(r, len) {
      // draft-walton-bgp-hostname-capability §3: Hostname Length (1), Hostname, Domain Length (1), Domain.
      const start = r.pos;
      const hostLen = len >= 1 ? r.buf[start] : -1;
      const domLen = hostLen >= 0 && 2 + hostLen <= len ? r.buf[start + 1 + hostLen] : -1;
      if (domLen < 0 || 2 + hostLen + domLen !== len) return unknown(73, r, len);
      r.skip(1);
      const hostname = utf8(r, hostLen);
      r.skip(1);
      const domain = utf8(r, domLen);
      if (hostname === undefined || domain === undefined) {
        r.pos = start;
        return unknown(73, r, len);
      }
      return { code: 73, hostname, domain };
    },
    encode(w, cap) {
      const c = cap as Cap<73>;
      writeShortString(w, c.hostname, 'FQDN hostname');
      writeShortString(w, c.domain, 'FQDN domain');
    },
  }],
  [CapabilityCode.SoftwareVersion, {
    name: 'software-version',
    decode(r, len) {
      // draft-abraitis-bgp-version-capability §3: Version Length (1), Version (UTF-8).
      const start = r.pos;
      if (len < 1 || r.buf[start] + 1 !== len) return unknown(75, r, len);
      r.skip(1);
      const version = utf8(r, len - 1);
      if (version === undefined) {
        r.pos = start;
        return unknown(75, r, len);
      }
      return { code: 75, version };
    },
    encode(w, cap) {
      writeShortString(w, (cap as Cap<75>).version, 'software version');
    },
  }],
]);

/** A display name: `multiprotocol`, `add-path`, ... or `capability-<code>`. */
export function capabilityName(code: number): string {
  return CAPABILITY_TABLE.get(code)?.name ?? `capability-${code}`;
}

export function isUnknownCapability(cap: Capability): cap is UnknownCapability {
  return (cap as UnknownCapability).unknown === true;
}

/**
 * Decodes the capabilities in `r` up to `end` (one Capabilities optional parameter, RFC 5492 §4) into `out`;
 * returns how many it added. Running off the end throws `WireUnderflow` (the caller maps it to 2/0).
 */
export function decodeCapabilities(r: BufReader, end: number, out: Capability[]): number {
  let n = 0;
  while (r.pos < end) {
    if (end - r.pos < 2) throw malformed(r.buf[r.pos], 'capability header cut short');
    const code = r.u8();
    const len = r.u8();
    if (r.pos + len > end) throw malformed(code, `length ${len} overruns its parameter`);
    const valueEnd = r.pos + len;
    const row = CAPABILITY_TABLE.get(code);
    const cap = row ? row.decode(r, len) : unknown(code, r, len);
    if (r.pos !== valueEnd) throw new BugError(`capability ${code} decoder consumed ${r.pos - valueEnd + len} of ${len} octets`);
    out.push(cap);
    n++;
  }
  return n;
}

/** Writes one capability: code, length, value (RFC 5492 §4). */
export function encodeCapability(w: BufWriter, cap: Capability): void {
  w.u8(cap.code);
  const lenPos = w.reserve(1);
  if (isUnknownCapability(cap)) {
    w.bytes(cap.value);
  } else {
    const row = CAPABILITY_TABLE.get(cap.code);
    if (!row) throw new BugError(`no encoder for capability ${cap.code}`);
    row.encode(w, cap);
  }
  const len = w.pos - lenPos - 1;
  if (len > 255) throw new BugError(`capability ${cap.code} value is ${len} octets (max 255)`);
  w.patchU8(lenPos, len);
}
