/**
 * DOC: BufReader, a bounds-checked cursor over a byte range (OpenBGPD's ibuf_get, pg-protocol's reused reader).
 *
 * Every read checks against `end`, never the buffer's own length, so a decoder handed a message inside a larger
 * chunk cannot read past the message. Running off the end throws `WireUnderflow`, which the message decoder turns
 * into the exact NOTIFICATION for its context at one catch site. One reader is reused per decoder: `setBuffer`.
 */
import { BgpdError } from './errors';

/** Thrown when a read would pass the end of its range. Never escapes the codec. */
export class WireUnderflow extends BgpdError {
  constructor(need: number, have: number) {
    super('ERR_BGP_WIRE_UNDERFLOW', `needed ${need} more octet(s), ${have} left`);
  }
}

export class BufReader {
  buf: Buffer;
  pos: number;
  end: number;

  constructor(buf: Buffer = Buffer.alloc(0), start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  setBuffer(buf: Buffer, start = 0, end = buf.length): this {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    return this;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  need(n: number): void {
    if (this.end - this.pos < n) throw new WireUnderflow(n, this.end - this.pos);
  }

  u8(): number {
    if (this.pos >= this.end) throw new WireUnderflow(1, 0);
    return this.buf[this.pos++];
  }

  u16(): number {
    this.need(2);
    const b = this.buf, p = this.pos;
    this.pos = p + 2;
    return (b[p] << 8) | b[p + 1];
  }

  u32(): number {
    this.need(4);
    const b = this.buf, p = this.pos;
    this.pos = p + 4;
    return b[p] * 0x1000000 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
  }

  /** A view of the next `n` octets (no copy: copy before storing it, see architecture §5.6). */
  view(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** A copy of the next `n` octets, safe to keep. */
  copy(n: number): Buffer {
    this.need(n);
    const v = Buffer.allocUnsafe(n);
    this.buf.copy(v, 0, this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /** A child reader over the next `n` octets; this reader moves past them. */
  sub(n: number): BufReader {
    this.need(n);
    const r = new BufReader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }
}
