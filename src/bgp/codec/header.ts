/**
 * DOC: the 19-octet BGP message header (RFC 4271 §4.1) and its error checks (RFC 4271 §6.1, RFC 8654 §4).
 *
 * Owns the checks run on every header before its body is read: the marker is all ones, the length lies in
 * [19, max] and meets its type's minimum, and the type is known. Each failure is a `NotificationError` with the
 * exact subcode and data RFC 4271 §6.1 asks for. `checkHeader` allocates nothing on success so the framer can run
 * it once per message.
 */
import { ErrCode, HEADER_LENGTH, HeaderSubcode, MAX_MESSAGE_LENGTH, MsgType } from '../constants';
import { NotificationError } from '../errors';
import type { BufWriter } from '../../util/writer';

/** Offsets inside the header. */
export const MARKER_LENGTH = 16;
export const LENGTH_OFFSET = 16;
export const TYPE_OFFSET = 18;

/**
 * Smallest legal length per message type (index = type). RFC 4271 §4.2 OPEN 29, §4.3 UPDATE 23, §4.5
 * NOTIFICATION 21, §4.4 KEEPALIVE exactly 19; RFC 2918 §3 ROUTE-REFRESH 23.
 */
const MIN_LENGTH = [0, 29, 23, 21, 19, 23];

/** True for the message types RFC 4271 §4.1 and RFC 2918 define (1..5). */
export function isKnownType(type: number): boolean {
  return type >= MsgType.Open && type <= MsgType.RouteRefresh;
}

function lengthError(buf: Buffer, pos: number): NotificationError {
  // RFC 4271 §6.1: "the Data field MUST contain the erroneous Length field".
  return new NotificationError(
    ErrCode.MessageHeader,
    HeaderSubcode.BadMessageLength,
    buf.subarray(pos + LENGTH_OFFSET, pos + TYPE_OFFSET),
    `bad message length ${buf.readUInt16BE(pos + LENGTH_OFFSET)}`,
  );
}

/**
 * Checks the header at `buf[pos..pos+19)` and returns the message length. `maxLength` is 4096, or 65535 once the
 * RFC 8654 extended message capability is negotiated; OPEN and KEEPALIVE stay capped at 4096 either way.
 * The caller guarantees 19 octets are present. Throws `NotificationError` 1/1, 1/2 or 1/3.
 */
export function checkHeader(buf: Buffer, pos: number, maxLength: number): number {
  // RFC 4271 §6.1: the marker must be all ones, else Connection Not Synchronized (no data).
  for (let i = pos, e = pos + MARKER_LENGTH; i < e; i++) {
    if (buf[i] !== 0xff) {
      throw new NotificationError(ErrCode.MessageHeader, HeaderSubcode.ConnectionNotSynchronized, undefined, 'marker is not all ones');
    }
  }
  const length = (buf[pos + LENGTH_OFFSET] << 8) | buf[pos + LENGTH_OFFSET + 1];
  const type = buf[pos + TYPE_OFFSET];
  if (length < HEADER_LENGTH || length > maxLength) throw lengthError(buf, pos);
  // RFC 4271 §6.1: an unrecognised type is Bad Message Type, data = the type octet.
  if (!isKnownType(type)) {
    throw new NotificationError(ErrCode.MessageHeader, HeaderSubcode.BadMessageType, buf.subarray(pos + TYPE_OFFSET, pos + HEADER_LENGTH), `bad message type ${type}`);
  }
  if (length < MIN_LENGTH[type]) throw lengthError(buf, pos);
  // RFC 4271 §6.1: a KEEPALIVE is exactly 19 octets.
  if (type === MsgType.Keepalive && length !== HEADER_LENGTH) throw lengthError(buf, pos);
  // RFC 8654 §4: OPEN (and KEEPALIVE) are never longer than 4096, even with extended messages.
  if (type === MsgType.Open && length > MAX_MESSAGE_LENGTH) throw lengthError(buf, pos);
  return length;
}

/** The largest message length for a direction: 65535 with RFC 8654 extended messages, else 4096. */
export function maxMessageLength(extendedMessage: boolean): number {
  return extendedMessage ? 65535 : MAX_MESSAGE_LENGTH;
}

/** Writes the all-ones marker, a length placeholder and the type; returns the message's start for `endMessage`. */
export function beginMessage(w: BufWriter, type: number): number {
  const start = w.pos;
  w.fill(0xff, MARKER_LENGTH);
  w.u16(0);
  w.u8(type);
  return start;
}

/** Patches the length field of the message begun at `start`; returns the message length. */
export function endMessage(w: BufWriter, start: number): number {
  const length = w.pos - start;
  w.patchU16(start + LENGTH_OFFSET, length);
  return length;
}
