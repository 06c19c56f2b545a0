/**
 * DOC: the NOTIFICATION message body (RFC 4271 §4.5) and the RFC 9003 shutdown communication.
 *
 * Owns code, subcode and data. For Cease / Administrative Shutdown (6/2) and Administrative Reset (6/4) the data
 * may hold a shutdown communication: a length octet then that many octets of UTF-8 (RFC 9003 §2, at most 255).
 * Decoding fills `communication` only when the data is exactly such a well-formed communication; otherwise the data
 * is kept raw with no communication (RFC 9003 §3: a malformed one is not treated as a message error). Encoding
 * writes `data` verbatim: `communication` is informative, `shutdownNotification` builds matching data.
 */
import { CeaseSubcode, ErrCode, MsgType } from '../constants';
import type { NotificationMessage } from './types';
import type { BufWriter } from '../../util/writer';

/** RFC 9003 §2: the shutdown communication is at most 255 octets of UTF-8. */
export const MAX_SHUTDOWN_COMMUNICATION = 255;

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function carriesCommunication(code: number, subcode: number): boolean {
  return code === ErrCode.Cease && (subcode === CeaseSubcode.AdministrativeShutdown || subcode === CeaseSubcode.AdministrativeReset);
}

/** The RFC 9003 communication in `data`, or undefined when there is none or it is malformed. */
export function decodeShutdownCommunication(data: Buffer): string | undefined {
  if (data.length < 2 || data[0] + 1 !== data.length) return undefined;
  try {
    return UTF8.decode(data.subarray(1));
  } catch {
    return undefined;
  }
}

/** Length octet + UTF-8, cut at a character boundary to fit 255 octets (RFC 9003 §2); empty text gives no data. */
export function encodeShutdownCommunication(text: string): Buffer {
  if (text === '') return Buffer.alloc(0);
  let bytes = Buffer.from(text, 'utf8');
  if (bytes.length > MAX_SHUTDOWN_COMMUNICATION) {
    let cut = MAX_SHUTDOWN_COMMUNICATION;
    while ((bytes[cut] & 0xc0) === 0x80) cut--; // back off to the start of a UTF-8 sequence
    bytes = bytes.subarray(0, cut);
  }
  const out = Buffer.allocUnsafe(bytes.length + 1);
  out[0] = bytes.length;
  bytes.copy(out, 1);
  return out;
}

/** A Cease NOTIFICATION (default Administrative Shutdown) with an RFC 9003 shutdown communication. */
export function shutdownNotification(text: string, subcode: 2 | 4 = CeaseSubcode.AdministrativeShutdown): NotificationMessage {
  const data = encodeShutdownCommunication(text);
  const msg: NotificationMessage = { type: MsgType.Notification, code: ErrCode.Cease, subcode, data };
  const communication = decodeShutdownCommunication(data);
  if (communication !== undefined) msg.communication = communication;
  return msg;
}

/** Decodes a NOTIFICATION body `buf[start..end)`; the header check guarantees at least 2 octets. */
export function decodeNotification(buf: Buffer, start: number, end: number): NotificationMessage {
  const code = buf[start];
  const subcode = buf[start + 1];
  const data = Buffer.from(buf.subarray(start + 2, end));
  const msg: NotificationMessage = { type: MsgType.Notification, code, subcode, data };
  if (carriesCommunication(code, subcode)) {
    const communication = decodeShutdownCommunication(data);
    if (communication !== undefined) msg.communication = communication;
  }
  return msg;
}

/** Writes a NOTIFICATION body, with at most `maxData` octets of data (the rest would not fit the message). */
export function encodeNotificationBody(w: BufWriter, msg: NotificationMessage, maxData: number): void {
  w.u8(msg.code).u8(msg.subcode);
  w.bytes(msg.data, 0, Math.min(msg.data.length, maxData));
}
