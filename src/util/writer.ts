/**
 * DOC: BufWriter, a growable output buffer reused across messages (pg-protocol's Writer).
 *
 * `reserve(n)` leaves room for a length field and returns its position; `patchU16`/`patchU8` fill it in once the
 * body is written. `finish()` returns an exact-size copy, safe to keep, and resets the writer for the next message;
 * `take()` returns a view (valid until the next write) for callers that send at once.
 */
/**
 * A buffer at least twice as large holding `buf`'s first `used` octets, with room for `need` more (the growth step
 * of every reusable writer: BufWriter here, NlWriter for netlink); `alloc` makes the new memory.
 */
export function grownBuffer(buf: Buffer, used: number, need: number, alloc: (size: number) => Buffer): Buffer {
  let size = buf.length * 2;
  while (size < used + need) size *= 2;
  const next = alloc(size);
  buf.copy(next, 0, 0, used);
  return next;
}

export class BufWriter {
  buf: Buffer;
  pos = 0;

  constructor(initialSize = 4096) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  reset(): this {
    this.pos = 0;
    return this;
  }

  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.buf = grownBuffer(this.buf, this.pos, n, Buffer.allocUnsafe);
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    const b = this.buf, p = this.pos;
    b[p] = v >>> 8;
    b[p + 1] = v;
    this.pos = p + 2;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    const b = this.buf, p = this.pos;
    b[p] = v >>> 24;
    b[p + 1] = v >>> 16;
    b[p + 2] = v >>> 8;
    b[p + 3] = v;
    this.pos = p + 4;
    return this;
  }

  bytes(src: Uint8Array, start = 0, end = src.length): this {
    const n = end - start;
    this.ensure(n);
    this.buf.set(start === 0 && end === src.length ? src : src.subarray(start, end), this.pos);
    this.pos += n;
    return this;
  }

  fill(v: number, n: number): this {
    this.ensure(n);
    this.buf.fill(v, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }

  /** Leaves `n` octets to patch later; returns their position. */
  reserve(n: number): number {
    this.ensure(n);
    const p = this.pos;
    this.pos += n;
    return p;
  }

  patchU8(pos: number, v: number): void {
    this.buf[pos] = v;
  }

  patchU16(pos: number, v: number): void {
    this.buf[pos] = v >>> 8;
    this.buf[pos + 1] = v;
  }

  /** An exact-size copy of what was written since `start`; the writer is reset when `start` is 0. */
  finish(start = 0): Buffer {
    const out = Buffer.allocUnsafe(this.pos - start);
    this.buf.copy(out, 0, start, this.pos);
    if (start === 0) this.pos = 0;
    return out;
  }

  /** A view of what was written (valid until the next write). */
  take(start = 0): Buffer {
    return this.buf.subarray(start, this.pos);
  }
}
