/**
 * DOC: whole-message decode and encode: header plus dispatch by type to the per-message codecs.
 *
 * Owns the one catch site of the non-UPDATE decoders: `decodeMessage` lets only `NotificationError` escape (a
 * `BugError` is a bug and propagates). KEEPALIVE decodes to a frozen singleton and encodes to the pre-built
 * `KEEPALIVE` buffer, so the commonest message allocates nothing. Encoding uses one reused `BufWriter` (pg-protocol)
 * and returns an exact-size copy; `writeMessage` appends to a caller's writer instead.
 */
import { ErrCode, HEADER_LENGTH, HeaderSubcode, MAX_MESSAGE_LENGTH, MsgType, UpdateSubcode } from '../constants';
import { NotificationError } from '../errors';
import { beginMessage, checkHeader, endMessage, LENGTH_OFFSET, maxMessageLength, TYPE_OFFSET } from './header';
import { KEEPALIVE, KEEPALIVE_MESSAGE } from './keepalive';
import { decodeNotification, encodeNotificationBody } from './notification';
import { decodeOpen, encodeOpenBody } from './open';
import { decodeRouteRefresh, encodeRouteRefreshBody } from './route-refresh';
import type { BgpMessage, CodecContext } from './types';
import { decodeUpdate, encodeUpdateBody } from './update';
import { BugError } from '../../util/errors';
import { WireUnderflow } from '../../util/reader';
import { BufWriter } from '../../util/writer';

export { KEEPALIVE } from './keepalive';

/**
 * Decodes one whole message `buf[start..end)`, header included (as the framer hands it out). Checks the header
 * again (so it is safe on any input) and that the length field equals `end - start`. Throws only
 * `NotificationError`.
 */
export function decodeMessage(buf: Buffer, start: number, end: number, ctx: CodecContext): BgpMessage {
  if (end - start < HEADER_LENGTH) {
    throw new NotificationError(ErrCode.MessageHeader, HeaderSubcode.BadMessageLength, undefined, `message of ${end - start} octets`);
  }
  const length = checkHeader(buf, start, maxMessageLength(ctx.extendedMessage));
  if (length !== end - start) {
    // RFC 4271 §6.1: a length field that disagrees with the octets present is a Bad Message Length.
    throw new NotificationError(ErrCode.MessageHeader, HeaderSubcode.BadMessageLength,
      buf.subarray(start + LENGTH_OFFSET, start + TYPE_OFFSET), `length field ${length}, ${end - start} octets present`);
  }
  const body = start + HEADER_LENGTH;
  switch (buf[start + TYPE_OFFSET]) {
    case MsgType.Keepalive: return KEEPALIVE_MESSAGE;
    case MsgType.Update: return decodeUpdateSafely(buf, body, end, ctx);
    case MsgType.Open: return decodeOpen(buf, body, end);
    case MsgType.Notification: return decodeNotification(buf, body, end);
    default: return decodeRouteRefresh(buf, start, body, end);
  }
}

function decodeUpdateSafely(buf: Buffer, body: number, end: number, ctx: CodecContext): BgpMessage {
  try {
    return decodeUpdate(buf, body, end, ctx);
  } catch (err) {
    // RFC 4271 §6.3: a structure that runs off the end is a Malformed Attribute List.
    if (err instanceof WireUnderflow) {
      throw new NotificationError(ErrCode.UpdateMessage, UpdateSubcode.MalformedAttributeList, undefined, err.message);
    }
    throw err;
  }
}

/**
 * Appends the whole message to `w`; returns its length. Throws `BugError` if it would exceed the direction's
 * maximum (4096, or 65535 with RFC 8654; OPEN and KEEPALIVE always 4096). NOTIFICATION data is cut to fit.
 */
export function writeMessage(w: BufWriter, msg: BgpMessage, ctx: CodecContext): number {
  const max = msg.type === MsgType.Open || msg.type === MsgType.Keepalive ? MAX_MESSAGE_LENGTH : maxMessageLength(ctx.extendedMessage);
  const start = beginMessage(w, msg.type);
  switch (msg.type) {
    case MsgType.Keepalive: break;
    case MsgType.Update: encodeUpdateBody(w, msg, ctx); break;
    case MsgType.Open: encodeOpenBody(w, msg); break;
    case MsgType.Notification: encodeNotificationBody(w, msg, max - HEADER_LENGTH - 2); break;
    case MsgType.RouteRefresh: encodeRouteRefreshBody(w, msg); break;
    default: throw new BugError(`cannot encode message type ${(msg as { type: number }).type}`);
  }
  const length = endMessage(w, start);
  if (length > max) {
    w.pos = start;
    throw new BugError(`message type ${msg.type} of ${length} octets exceeds the maximum ${max}`);
  }
  return length;
}

const writer = new BufWriter(4096);

/** Encodes one whole message into an exact-size Buffer (KEEPALIVE: the shared pre-built one). */
export function encodeMessage(msg: BgpMessage, ctx: CodecContext): Buffer {
  if (msg.type === MsgType.Keepalive) return KEEPALIVE;
  writer.reset();
  writeMessage(writer, msg, ctx);
  return writer.finish();
}
