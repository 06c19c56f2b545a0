/**
 * DOC: the shape of one row of the path attribute table (BIRD's `bgp_attr_table`, GoBGP's one type per attribute).
 *
 * A descriptor knows its attribute's expected flags, how to decode and encode its value, the structural rules the
 * decoder enforces, the semantic checks `validateUpdate` runs, and which RFC 7606 outcome each kind of fault
 * gets for each peer kind. Decoders report a fault by throwing `AttrFault` (a cold path; the update decoder turns it
 * into an `AttrProblem`). Decoders read only buf[start,end) and return values that never alias the receive buffer.
 */
import { AttrFlag } from '../../constants';
import { UpdateErrorAction } from '../../errors';
import { BgpdError, BugError } from '../../../util/errors';
import { parseIpv4, parseIpv6 } from '../../../util/prefix';
import type { BufWriter } from '../../../util/writer';
import type { AttrProblem, CodecContext } from '../types';

/** What `validateUpdate` knows about the peer that sent the UPDATE. */
export interface ValidationContext {
  /** The peer is internal (same AS; confederation-internal peers count as internal here). */
  ibgp: boolean;
  localAs: number;
  peerAs: number;
  /** RFC 6793: 4-octet AS was negotiated (when false, AS4_PATH/AS4_AGGREGATOR are merged in). */
  as4: boolean;
  /** RFC 5065: the eBGP peer is a confederation member, so confederation segments are allowed. Default false. */
  confedPeer?: boolean;
  /** RFC 4271 §6.3: check that the leftmost AS of an eBGP peer's AS_PATH is its AS. Default true (off for route servers). */
  enforceFirstAs?: boolean;
  /** RFC 7311 §3.2: the eBGP peer is inside our AIGP domain, so its AIGP attribute is kept. Default false. */
  aigpPeer?: boolean;
}

export type AttrProblemKind = AttrProblem['kind'];

/** A fault in one attribute found by its decoder or checker. */
export class AttrFault extends BgpdError {
  readonly kind: AttrProblemKind;
  /** Set when the fault resets the session: the UPDATE Message Error subcode (the decoder adds the attribute as data). */
  readonly resetSubcode?: number;
  constructor(kind: AttrProblemKind, reason: string, resetSubcode?: number) {
    super('ERR_BGP_ATTR_FAULT', reason);
    this.kind = kind;
    if (resetSubcode !== undefined) this.resetSubcode = resetSubcode;
  }
}

/** One row of `ATTR_TABLE`. */
export interface AttrDescriptor<V = unknown> {
  code: number;
  name: string;
  /** Expected Optional and Transitive bits (RFC 4271 §4.3; the Partial bit is checked separately). */
  flags: number;
  /** Decodes the value octets buf[start,end). Throws AttrFault (with `resetSubcode` for MP_* framing faults). */
  decode(buf: Buffer, start: number, end: number, ctx: CodecContext): V;
  /** Writes the value octets (no attribute header). */
  encode(w: BufWriter, value: V, ctx: CodecContext): void;
  /** Semantic checks that depend on the peer (run by `validateUpdate`); returns a fault or undefined. */
  check?(value: V, vctx: ValidationContext): AttrFault | undefined;
  /** The RFC 7606 outcome for a fault of `kind` from an internal (`ibgp`) or external peer. */
  onError(kind: AttrProblemKind, ibgp: boolean): UpdateErrorAction;
}

export const WELL_KNOWN = AttrFlag.Transitive;
export const OPTIONAL = AttrFlag.Optional;
export const OPTIONAL_TRANSITIVE = AttrFlag.Optional | AttrFlag.Transitive;

/** RFC 7606 §2: the common outcome for attributes that affect route selection. */
export function withdrawAlways(): UpdateErrorAction {
  return UpdateErrorAction.TreatAsWithdraw;
}

/** RFC 7606 §2: the outcome for attributes that do not affect route selection. */
export function discardAlways(): UpdateErrorAction {
  return UpdateErrorAction.AttrDiscard;
}

/**
 * RFC 7606 §7.5, §7.9, §7.10: malformed from an internal peer is treat-as-withdraw, from an external peer the
 * attribute is discarded; a flags conflict stays treat-as-withdraw for both (§3(c)).
 */
export function withdrawIbgpDiscardEbgp(kind: AttrProblemKind, ibgp: boolean): UpdateErrorAction {
  return ibgp || kind === 'flags' ? UpdateErrorAction.TreatAsWithdraw : UpdateErrorAction.AttrDiscard;
}

/** Reads a big-endian u32 at `p` (caller checked bounds). */
export function u32At(buf: Uint8Array, p: number): number {
  return buf[p] * 0x1000000 + ((buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3]);
}

/** Dotted quad of the 4 octets at `p`. */
export function ipv4At(buf: Uint8Array, p: number): string {
  return `${buf[p]}.${buf[p + 1]}.${buf[p + 2]}.${buf[p + 3]}`;
}

/** Throws a length fault unless `end - start` equals `want`. */
export function expectLength(start: number, end: number, want: number, name: string): void {
  if (end - start !== want) throw new AttrFault('length', `${name} length ${end - start}, expected ${want}`);
}

/** Throws a length fault unless the length is a non-zero multiple of `unit` (RFC 7606 §7.8, §7.14, §7.15). */
export function expectMultiple(start: number, end: number, unit: number, name: string): void {
  const n = end - start;
  if (n === 0 || n % unit !== 0) throw new AttrFault('length', `${name} length ${n} is not a non-zero multiple of ${unit}`);
}

/** Writes a dotted quad. Values come from Petrel itself, so an unparsable one is a bug (BugError). */
export function writeIpv4(w: BufWriter, text: string): void {
  const a = parseIpv4(text);
  if (a === undefined) throw new BugError(`not an IPv4 address: ${text}`);
  w.u32(a);
}

/** Writes 16 octets of an IPv6 address (BugError when it is not one). */
export function writeIpv6(w: BufWriter, text: string): void {
  const a = parseIpv6(text);
  if (a === undefined) throw new BugError(`not an IPv6 address: ${text}`);
  w.bytes(a);
}
