/**
 * DOC: the framer turns TCP chunks into whole BGP messages (pg-protocol's mergeBuffer, adapted).
 *
 * Owns the bytes of at most one incomplete message. Messages lying wholly inside a chunk are handed out as
 * `(chunk, start, end)` ranges: no copy. Only a message that spans chunks is copied, into a buffer of its exact
 * length allocated once its header is known (under 19 octets wait in a small header buffer), so a message trickling
 * in one octet at a time costs linear, not quadratic, copying. Why not pg's grow-and-compact buffer: that rewrites
 * regions earlier callbacks received views of, and Petrel's session hands UPDATE bytes to the RIB side without
 * copying, so every range handed out here stays valid for as long as its holder keeps it.
 *
 * Every header is checked (`checkHeader`) as soon as its 19 octets are present, before waiting for the body.
 * A header error throws `NotificationError`; the framer is then broken and must be discarded with the session.
 */
import { HEADER_LENGTH, MAX_MESSAGE_LENGTH } from '../constants';
import { checkHeader, TYPE_OFFSET } from './header';

export type OnMessage = (buf: Buffer, start: number, end: number, type: number) => void;

export class Framer {
  private maxLength: number;
  /** The first octets of a message whose header is incomplete. */
  private readonly head = Buffer.allocUnsafe(HEADER_LENGTH);
  private headFilled = 0;
  /** The exact-size buffer of a message spanning chunks whose header is known, or null. */
  private spanning: Buffer | null = null;
  private spanningFilled = 0;

  /** `maxLength`: 4096 (RFC 4271) until the extended message capability is negotiated (RFC 8654: 65535). */
  constructor(maxLength = MAX_MESSAGE_LENGTH) {
    this.maxLength = maxLength;
  }

  /** Changes the largest accepted length; takes effect from the next header checked (even within a chunk). */
  setMaxLength(n: number): void {
    this.maxLength = n;
  }

  /** Octets held for an incomplete message. */
  get pendingBytes(): number {
    return this.spanning !== null ? this.spanningFilled : this.headFilled;
  }

  /**
   * Feeds a chunk; calls `onMessage(buf, start, end, type)` for each whole message in arrival order. `buf` is the
   * chunk itself (a range of it) or, for a message that spanned chunks, a buffer owned by that message alone; the
   * framer never writes to either afterwards. Header errors throw `NotificationError`; so does whatever
   * `onMessage` throws, after which the framer must be discarded.
   */
  push(chunk: Buffer, onMessage: OnMessage): void {
    const end = chunk.length;
    let pos = 0;
    if (this.headFilled > 0 || this.spanning !== null) {
      pos = this.continueSpanning(chunk, onMessage);
      if (pos < 0) return;
    }
    while (end - pos >= HEADER_LENGTH) {
      const length = checkHeader(chunk, pos, this.maxLength);
      if (end - pos < length) break;
      onMessage(chunk, pos, pos + length, chunk[pos + TYPE_OFFSET]);
      pos += length;
    }
    if (pos < end) this.stash(chunk, pos, end);
  }

  /** Completes the pending message from the chunk's front. Returns where the chunk's own messages start, or -1. */
  private continueSpanning(chunk: Buffer, onMessage: OnMessage): number {
    let pos = 0;
    if (this.spanning === null) {
      const take = Math.min(HEADER_LENGTH - this.headFilled, chunk.length);
      chunk.copy(this.head, this.headFilled, 0, take);
      this.headFilled += take;
      pos = take;
      if (this.headFilled < HEADER_LENGTH) return -1;
      this.startSpanning(this.head, 0, HEADER_LENGTH);
      this.headFilled = 0;
    }
    const msg = this.spanning!;
    const take = Math.min(msg.length - this.spanningFilled, chunk.length - pos);
    chunk.copy(msg, this.spanningFilled, pos, pos + take);
    this.spanningFilled += take;
    pos += take;
    if (this.spanningFilled < msg.length) return -1;
    this.spanning = null;
    this.spanningFilled = 0;
    onMessage(msg, 0, msg.length, msg[TYPE_OFFSET]);
    return pos;
  }

  /** Keeps `chunk[pos..end)`, the start of a message that continues in a later chunk. */
  private stash(chunk: Buffer, pos: number, end: number): void {
    if (end - pos < HEADER_LENGTH) {
      chunk.copy(this.head, 0, pos, end);
      this.headFilled = end - pos;
    } else {
      this.startSpanning(chunk, pos, end);
    }
  }

  /** Checks the header at `src[pos..]` and allocates the message's buffer, copying `src[pos..end)` into it. */
  private startSpanning(src: Buffer, pos: number, end: number): void {
    const length = checkHeader(src, pos, this.maxLength);
    const msg = Buffer.allocUnsafe(length);
    src.copy(msg, 0, pos, end);
    this.spanning = msg;
    this.spanningFilled = end - pos;
  }
}
