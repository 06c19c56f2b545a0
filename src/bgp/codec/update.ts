/**
 * DOC: the UPDATE message codec (RFC 4271 §4.3): body octets <-> `UpdateMessage`.
 *
 * Decoding never throws for a fault RFC 7606 can contain: those become `AttrProblem`s in `msg.problems`, and
 * `validateUpdate` (validate.ts) turns them into the outcome. It throws a `NotificationError` only when the NLRI
 * cannot be located or parsed, which leaves session reset as the only safe outcome: withdrawn routes length or total
 * path attribute length running past the message (RFC 7606 §4, 3/1), a malformed MP_REACH_NLRI/MP_UNREACH_NLRI
 * (§7.11, 3/1 or 3/9, see attributes/mp-reach.ts) and an unparsable NLRI or withdrawn routes field (§5.3, 3/10).
 * Attributes are decoded by the table in attributes/; duplicates are dropped at decode (keep the first, §3(g)).
 * Every read is bounded by `end`, never by the buffer's length. Encoding is the exact inverse for canonical input.
 */
import { AttrCode, AttrFlag, ErrCode, MAX_EXTENDED_MESSAGE_LENGTH, MAX_MESSAGE_LENGTH, MsgType, UpdateSubcode } from '../constants';
import { NotificationError, UpdateErrorAction } from '../errors';
import { IPV4_UNICAST } from '../family';
import { BugError } from '../../util/errors';
import { BufWriter } from '../../util/writer';
import { ATTR_TABLE, AttrFault, OPTIONAL_TRANSITIVE, attrName } from './attributes/index';
import { decodeIpv4Nlri, emptyNlri, encodeNlri } from './nlri';
import type { AttrProblem, CodecContext, PathAttribute, UpdateMessage } from './types';

function malformedList(reason: string): NotificationError {
  return new NotificationError(ErrCode.UpdateMessage, UpdateSubcode.MalformedAttributeList, Buffer.alloc(0), reason);
}

/** Which attribute codes were seen in the UPDATE being decoded (reset per call). */
const SEEN = new Uint8Array(256);

/**
 * Decodes an UPDATE body (the octets after the 19-octet header) in buf[start,end). Throws only NotificationError,
 * for the faults that must reset the session (see the module header). Never reads outside [start,end).
 */
export function decodeUpdate(buf: Buffer, start: number, end: number, ctx: CodecContext): UpdateMessage {
  // RFC 4271 §6.3 / RFC 7606 §4: the two length fields must let the NLRI field be located.
  if (end - start < 4) throw malformedList(`UPDATE body of ${end - start} octets`);
  const wLen = (buf[start] << 8) | buf[start + 1];
  const wEnd = start + 2 + wLen;
  if (wEnd + 2 > end) throw malformedList(`withdrawn routes length ${wLen} overruns the message`);
  const aLen = (buf[wEnd] << 8) | buf[wEnd + 1];
  const aStart = wEnd + 2;
  const aEnd = aStart + aLen;
  if (aEnd > end) throw malformedList(`total path attribute length ${aLen} overruns the message`);

  const v4AddPath = ctx.addPath.has(IPV4_UNICAST);
  const withdrawn = emptyNlri(v4AddPath);
  decodeIpv4Nlri(buf, start + 2, wEnd, v4AddPath, withdrawn);
  const attributes: PathAttribute[] = [];
  const problems: AttrProblem[] = [];
  decodeAttributes(buf, aStart, aEnd, ctx, attributes, problems);
  const nlri = emptyNlri(v4AddPath);
  decodeIpv4Nlri(buf, aEnd, end, v4AddPath, nlri);
  const msg: UpdateMessage = { type: MsgType.Update, withdrawn, attributes, nlri };
  if (problems.length > 0) msg.problems = problems;
  return msg;
}

function problem(
  out: AttrProblem[], code: number, flags: number, kind: AttrProblem['kind'], reason: string, data: Buffer,
  action?: UpdateErrorAction, subcode?: number,
): void {
  const p: AttrProblem = { code, flags, kind, reason, data: Buffer.from(data) };
  if (action !== undefined) p.action = action;
  if (subcode !== undefined) p.subcode = subcode;
  out.push(p);
}

function decodeAttributes(
  buf: Buffer, start: number, end: number, ctx: CodecContext, attributes: PathAttribute[], problems: AttrProblem[],
): void {
  SEEN.fill(0);
  let p = start;
  while (p < end) {
    const flags = buf[p];
    const hdr = flags & AttrFlag.ExtendedLength ? 4 : 3;
    if (end - p < hdr) {
      // RFC 7606 §4: too few octets left for an attribute header: treat-as-withdraw.
      problem(problems, 0, flags, 'structure', 'truncated attribute header', buf.subarray(p, end), UpdateErrorAction.TreatAsWithdraw);
      return;
    }
    const code = buf[p + 1];
    const len = hdr === 4 ? (buf[p + 2] << 8) | buf[p + 3] : buf[p + 2];
    const vStart = p + hdr;
    const vEnd = vStart + len;
    if (vEnd > end) {
      const data = buf.subarray(p, end);
      // RFC 7606 §7.11 / §5.3: an MP attribute cut short leaves its NLRI unlocatable.
      if (code === AttrCode.MpReachNlri || code === AttrCode.MpUnreachNlri) {
        throw new NotificationError(ErrCode.UpdateMessage, UpdateSubcode.MalformedAttributeList, data, `${attrName(code)} overruns the attribute list`);
      }
      // RFC 7606 §4: an attribute overrunning the total path attribute length: treat-as-withdraw.
      problem(problems, code, flags, 'length', `${attrName(code)} length ${len} overruns the attribute list`, data, UpdateErrorAction.TreatAsWithdraw);
      return;
    }
    const whole = buf.subarray(p, vEnd);
    p = vEnd;
    if (SEEN[code] !== 0) {
      // RFC 7606 §3(g): a repeated MP attribute resets the session; any other repeat is dropped, the first kept.
      if (code === AttrCode.MpReachNlri || code === AttrCode.MpUnreachNlri) {
        problem(problems, code, flags, 'duplicate', `${attrName(code)} repeated`, whole, UpdateErrorAction.SessionReset, UpdateSubcode.MalformedAttributeList);
      } else {
        problem(problems, code, flags, 'duplicate', `${attrName(code)} repeated`, whole, UpdateErrorAction.AttrDiscard);
      }
      continue;
    }
    SEEN[code] = 1;
    const d = ATTR_TABLE[code];
    if (d === undefined) {
      if ((flags & AttrFlag.Optional) === 0) {
        // RFC 4271 §6.3: an unrecognised well-known attribute resets the session (kept for exact re-encoding).
        problem(problems, code, flags, 'value', `unrecognised well-known attribute ${code}`, whole, UpdateErrorAction.SessionReset, UpdateSubcode.UnrecognizedWellKnownAttribute);
      }
      attributes.push({ code, flags, value: Buffer.from(buf.subarray(vStart, vEnd)) });
      continue;
    }
    // RFC 4271 §4.3, RFC 7606 §3(c): Optional/Transitive must match; Partial only on optional transitive ones.
    if ((flags & OPTIONAL_TRANSITIVE) !== d.flags || (flags & AttrFlag.Partial && d.flags !== OPTIONAL_TRANSITIVE)) {
      problem(problems, code, flags, 'flags', `${d.name} flags 0x${flags.toString(16)}`, whole, undefined, UpdateSubcode.AttributeFlagsError);
    }
    try {
      attributes.push({ code, flags, value: d.decode(buf, vStart, vEnd, ctx) });
    } catch (e) {
      if (!(e instanceof AttrFault)) throw e;
      if (e.resetSubcode !== undefined) throw new NotificationError(ErrCode.UpdateMessage, e.resetSubcode, whole, e.message);
      problem(problems, code, flags, e.kind, e.message, whole, undefined, subcodeFor(code, e.kind));
    }
  }
}

/** The RFC 4271 §6.3 subcode that names a fault (informational: it is sent only for session resets). */
function subcodeFor(code: number, kind: AttrProblem['kind']): number {
  if (kind === 'length') return UpdateSubcode.AttributeLengthError;
  if (code === AttrCode.Origin) return UpdateSubcode.InvalidOriginAttribute;
  if (code === AttrCode.AsPath) return UpdateSubcode.MalformedAsPath;
  if (code === AttrCode.NextHop) return UpdateSubcode.InvalidNextHopAttribute;
  return UpdateSubcode.OptionalAttributeError;
}

/** Writes one path attribute; sets Extended Length when the value needs it (so the flags may gain 0x10). */
export function encodeAttribute(w: BufWriter, attr: PathAttribute, ctx: CodecContext): void {
  const ext = (attr.flags & AttrFlag.ExtendedLength) !== 0;
  const hdrPos = w.reserve(ext ? 4 : 3);
  w.buf[hdrPos] = attr.flags;
  w.buf[hdrPos + 1] = attr.code;
  const vStart = w.pos;
  const d = ATTR_TABLE[attr.code];
  if (d !== undefined) d.encode(w, attr.value, ctx);
  else if (Buffer.isBuffer(attr.value)) w.bytes(attr.value);
  else throw new BugError(`attribute ${attr.code} value is not a Buffer`);
  const len = w.pos - vStart;
  if (len > 0xffff) throw new BugError(`${attrName(attr.code)} value of ${len} octets`);
  if (ext) {
    w.patchU16(hdrPos + 2, len);
  } else if (len <= 0xff) {
    w.patchU8(hdrPos + 2, len);
  } else {
    w.ensure(1);
    w.buf.copyWithin(vStart + 1, vStart, w.pos);
    w.pos++;
    w.buf[hdrPos] |= AttrFlag.ExtendedLength;
    w.patchU16(hdrPos + 2, len);
  }
}

/** Writes the UPDATE body (no header) to w. */
export function encodeUpdateBody(w: BufWriter, msg: UpdateMessage, ctx: CodecContext): void {
  const v4AddPath = ctx.addPath.has(IPV4_UNICAST);
  const wPos = w.reserve(2);
  encodeNlri(w, IPV4_UNICAST, msg.withdrawn, v4AddPath);
  patchLength(w, wPos, 'withdrawn routes');
  const aPos = w.reserve(2);
  for (const a of msg.attributes) encodeAttribute(w, a, ctx);
  patchLength(w, aPos, 'path attributes');
  encodeNlri(w, IPV4_UNICAST, msg.nlri, v4AddPath);
}

function patchLength(w: BufWriter, pos: number, what: string): void {
  const n = w.pos - pos - 2;
  if (n > 0xffff) throw new BugError(`UPDATE ${what} of ${n} octets`);
  w.patchU16(pos, n);
}

const WRITER = new BufWriter(4096);

/** The whole message with its header, as an exact-size Buffer. BugError when it exceeds the negotiated maximum. */
export function encodeUpdate(msg: UpdateMessage, ctx: CodecContext): Buffer {
  const w = WRITER.reset();
  w.fill(0xff, 16);
  const lenPos = w.reserve(2);
  w.u8(MsgType.Update);
  encodeUpdateBody(w, msg, ctx);
  const max = ctx.extendedMessage ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH;
  const size = w.pos;
  if (size > max) {
    w.reset();
    throw new BugError(`UPDATE of ${size} octets exceeds ${max}`);
  }
  w.patchU16(lenPos, w.pos);
  return w.finish();
}
