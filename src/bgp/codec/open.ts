/**
 * DOC: the OPEN message body (RFC 4271 §4.2) with its optional parameters (RFC 5492 §4, RFC 9072).
 *
 * Owns the fixed fields, the optional parameter list in both encodings (the classic one with 1-octet lengths and
 * the RFC 9072 extended one: Non-Ext OP Len = 255, Non-Ext OP Type = 255, then 2-octet lengths), how capabilities
 * are grouped into Capabilities parameters (`capabilityGrouping`, for exact re-encoding) and other parameters kept
 * as bytes. Checks on the values (version, AS, hold time, identifier) belong to `session-codec.ts`: decoding only
 * structures the bytes. A body whose parameters do not fill it exactly is OPEN Message Error / Unspecific (2/0).
 */
import { ErrCode, MsgType, OptParamType } from '../constants';
import { NotificationError } from '../errors';
import { decodeCapabilities, encodeCapability } from './capabilities';
import type { Capability, OpenMessage } from './types';
import { BugError } from '../../util/errors';
import { BufReader, WireUnderflow } from '../../util/reader';
import type { BufWriter } from '../../util/writer';

/** RFC 4271 §4.2: version (1), My AS (2), Hold Time (2), BGP Identifier (4), Opt Parm Len (1). */
export const OPEN_FIXED_LENGTH = 10;

function malformed(reason: string): NotificationError {
  return new NotificationError(ErrCode.OpenMessage, 0, undefined, `malformed OPEN: ${reason}`);
}

/** Dotted quad of a u32. */
export function formatIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}

/** The u32 of a dotted quad; undefined if the text is not one. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

/** Decodes an OPEN body `buf[start..end)`. Throws `NotificationError` 2/0 (or a capability's own error). */
export function decodeOpen(buf: Buffer, start: number, end: number): OpenMessage {
  const r = new BufReader(buf, start, end);
  try {
    return readOpen(r);
  } catch (err) {
    if (err instanceof WireUnderflow) throw malformed('truncated');
    throw err;
  }
}

function readOpen(r: BufReader): OpenMessage {
  const version = r.u8();
  const myAs = r.u16();
  const holdTime = r.u16();
  const bgpId = formatIpv4(r.u32());
  let paramsLen = r.u8();
  // RFC 9072 §2: Non-Ext OP Type 255 marks the extended encoding, with a 2-octet total and per-parameter lengths.
  const extended = paramsLen > 0 && r.remaining > 0 && r.buf[r.pos] === OptParamType.ExtendedLengthMarker;
  if (extended) {
    r.skip(1);
    paramsLen = r.u16();
  }
  if (paramsLen !== r.remaining) throw malformed(`optional parameters length ${paramsLen}, ${r.remaining} octets follow`);
  const capabilities: Capability[] = [];
  const groups: number[] = [];
  let otherParams: { type: number; value: Buffer }[] | undefined;
  while (r.remaining > 0) {
    const type = r.u8();
    const len = extended ? r.u16() : r.u8();
    if (len > r.remaining) throw malformed(`parameter ${type} length ${len} overruns the message`);
    if (type === OptParamType.Capabilities) {
      groups.push(decodeCapabilities(r, r.pos + len, capabilities));
    } else {
      (otherParams ??= []).push({ type, value: r.copy(len) });
    }
  }
  const msg: OpenMessage = { type: MsgType.Open, version, myAs, holdTime, bgpId, capabilities };
  // Absent grouping means "one parameter holding every capability" (or none when there are no capabilities).
  if (groups.length > 1 || (groups.length === 1 && groups[0] === 0)) msg.capabilityGrouping = groups;
  if (otherParams) msg.otherParams = otherParams;
  if (extended) msg.extendedParams = true;
  return msg;
}

/**
 * Writes an OPEN body. Capabilities go into Capabilities parameters per `capabilityGrouping`, then other
 * parameters. The RFC 9072 extended encoding is used when `extendedParams` is set or the parameters need it.
 */
export function encodeOpenBody(w: BufWriter, msg: OpenMessage): void {
  w.u8(msg.version).u16(msg.myAs).u16(msg.holdTime);
  const id = parseIpv4(msg.bgpId);
  if (id === undefined) throw new BugError(`bad BGP identifier ${msg.bgpId}`);
  w.u32(id);
  const lenPos = w.pos;
  let extended = msg.extendedParams === true;
  writeParams(w, msg, extended);
  if (!extended && w.pos - lenPos - 1 > 255) {
    // RFC 9072 §2: parameters longer than 255 octets need the extended encoding.
    w.pos = lenPos;
    extended = true;
    writeParams(w, msg, true);
  }
  const total = w.pos - lenPos - (extended ? 4 : 1);
  if (extended) {
    w.patchU8(lenPos, 255);
    w.patchU8(lenPos + 1, OptParamType.ExtendedLengthMarker);
    w.patchU16(lenPos + 2, total);
  } else {
    w.patchU8(lenPos, total);
  }
}

function writeParams(w: BufWriter, msg: OpenMessage, extended: boolean): void {
  w.reserve(extended ? 4 : 1);
  const caps = msg.capabilities;
  const grouping = msg.capabilityGrouping ?? (caps.length > 0 ? [caps.length] : []);
  let i = 0;
  for (const count of grouping) {
    const valuePos = beginParam(w, OptParamType.Capabilities, extended);
    for (const end = i + count; i < end; i++) {
      if (i >= caps.length) throw new BugError('capabilityGrouping counts more capabilities than there are');
      encodeCapability(w, caps[i]);
    }
    endParam(w, valuePos, extended);
  }
  if (i !== caps.length) throw new BugError('capabilityGrouping counts fewer capabilities than there are');
  for (const p of msg.otherParams ?? []) {
    const valuePos = beginParam(w, p.type, extended);
    w.bytes(p.value);
    endParam(w, valuePos, extended);
  }
}

function beginParam(w: BufWriter, type: number, extended: boolean): number {
  w.u8(type);
  w.reserve(extended ? 2 : 1);
  return w.pos;
}

function endParam(w: BufWriter, valuePos: number, extended: boolean): void {
  const len = w.pos - valuePos;
  if (extended) {
    if (len > 0xffff) throw new BugError(`optional parameter of ${len} octets`);
    w.patchU16(valuePos - 2, len);
  } else {
    // A parameter over 255 octets forces the extended encoding; encodeOpenBody retries with it.
    w.patchU8(valuePos - 1, Math.min(len, 255));
  }
}
