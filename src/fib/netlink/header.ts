/**
 * DOC: `struct nlmsghdr` framing and NLMSG_ERROR / ACK parsing.
 *
 * One datagram from the kernel may hold many messages (dump replies); `splitMessages` walks them. An NLMSG_ERROR
 * with errno 0 is an ACK; otherwise it carries the negated errno and (unless NETLINK_CAP_ACK) the original
 * request, whose header tells which request failed even when the reply's own seq is ambiguous.
 */
import { NLMSG_HDRLEN, NlFlag, NlMsgType } from './constants';
import { FibError } from './errors';
import { NlWriter, forEachAttr, readString } from './wire';

/** A decoded `struct nlmsghdr`. */
export interface NlHeader {
  len: number;
  type: number;
  flags: number;
  seq: number;
  pid: number;
}

/** Reads the header of the message at `off`. */
export function decodeHeader(buf: Buffer, off = 0): NlHeader {
  if (buf.length - off < NLMSG_HDRLEN) throw new FibError(`netlink message shorter than its header at offset ${off}`);
  const len = buf.readUInt32LE(off);
  if (len < NLMSG_HDRLEN || len > buf.length - off) throw new FibError(`netlink message length ${len} outside its buffer at offset ${off}`);
  return {
    len,
    type: buf.readUInt16LE(off + 4),
    flags: buf.readUInt16LE(off + 6),
    seq: buf.readUInt32LE(off + 8),
    pid: buf.readUInt32LE(off + 12),
  };
}

/**
 * Calls `visit(offset, length)` for each message in `buf` (lengths unpadded, as in `nlmsg_len`). A message whose
 * length runs past the datagram is malformed: FibError.
 */
export function forEachMessage(buf: Buffer, visit: (off: number, len: number) => void): void {
  let p = 0;
  while (p + NLMSG_HDRLEN <= buf.length) {
    const len = buf.readUInt32LE(p);
    if (len < NLMSG_HDRLEN || p + len > buf.length) throw new FibError(`malformed netlink message at offset ${p} (length ${len})`);
    visit(p, len);
    p += (len + 3) & ~3;
  }
}

/** Splits a datagram into views of its messages (no copy). */
export function splitMessages(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  forEachMessage(buf, (off, len) => out.push(buf.subarray(off, off + len)));
  return out;
}

/** A decoded NLMSG_ERROR: `errno` 0 is an ACK. */
export interface NlError {
  /** Positive errno; 0 for an ACK. */
  errno: number;
  /** Header of the request this answers. */
  request: NlHeader;
  /** Extended ACK message text (NLMSGERR_ATTR_MSG), when the kernel sent one. */
  extMessage?: string;
}

const NLMSGERR_ATTR_MSG = 1;

/** Decodes the NLMSG_ERROR message at `off` (header included). */
export function decodeError(buf: Buffer, off = 0): NlError {
  const hdr = decodeHeader(buf, off);
  if (hdr.type !== NlMsgType.Error) throw new FibError(`not an NLMSG_ERROR (type ${hdr.type})`);
  if (hdr.len < NLMSG_HDRLEN + 4 + NLMSG_HDRLEN) throw new FibError(`NLMSG_ERROR too short (${hdr.len})`);
  const errno = -buf.readInt32LE(off + NLMSG_HDRLEN);
  const reqOff = off + NLMSG_HDRLEN + 4;
  // The echoed request is often only its header (ACKs, NLM_F_CAPPED): its nlmsg_len is the original's, not checked.
  const request: NlHeader = {
    len: buf.readUInt32LE(reqOff),
    type: buf.readUInt16LE(reqOff + 4),
    flags: buf.readUInt16LE(reqOff + 6),
    seq: buf.readUInt32LE(reqOff + 8),
    pid: buf.readUInt32LE(reqOff + 12),
  };
  const out: NlError = { errno, request };
  if (hdr.flags & NlFlag.AckTlvs) {
    // Extended ACK TLVs follow the echoed request, which is whole unless NLM_F_CAPPED says only its header is.
    const echoed = hdr.flags & NlFlag.Capped ? NLMSG_HDRLEN : (request.len + 3) & ~3;
    const tlvStart = reqOff + echoed;
    const end = off + hdr.len;
    if (tlvStart <= end)
      forEachAttr(buf, tlvStart, end, (type, vo, vl) => {
        if (type === NLMSGERR_ATTR_MSG) out.extMessage = readString(buf, vo, vl);
      });
  }
  return out;
}

/** Appends an NLMSG_NOOP request with NLM_F_ACK: the kernel answers with an ACK once all earlier messages ran. */
export function encodeNoopAck(w: NlWriter, seq: number): void {
  w.endMessage(w.beginMessage(NlMsgType.Noop, NlFlag.Request | NlFlag.Ack, seq));
}
