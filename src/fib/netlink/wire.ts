/**
 * DOC: the byte-level layer of the rtnetlink codec: a little-endian growable writer for messages and nested
 * attributes (NlWriter), attribute iteration for decoders, and IP address conversion.
 *
 * Why not `src/util/writer.ts`: netlink is host byte order (little endian on our targets) while BufWriter is the
 * network-order writer of the BGP codec; both reuse one buffer across messages the same way. Many messages are
 * written back to back into one NlWriter so that the transport sends them in a single `sendmsg` (architecture §11).
 * Invariants: every message and attribute starts on a 4-octet boundary (NLMSG_ALIGN / NLA_ALIGN), padding is
 * zeroed, and a length field is always patched once its body is complete.
 */
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from '../../util/prefix';
import { BugError } from '../../util/errors';
import { grownBuffer } from '../../util/writer';
import { Af, NLA_HDRLEN, NLMSG_HDRLEN } from './constants';
import { FibError } from './errors';

/**
 * An IP address as the encoders accept it: text (`10.0.0.1`, `2001:db8::1`), an IPv4 host-order number (the
 * compact form of `src/util/prefix.ts`, cheapest for bulk installs), or the raw 4 or 16 octets.
 */
export type IpAddr = string | number | Uint8Array;

/** The type bits of `nla_type` (NLA_F_NESTED and NLA_F_NET_BYTEORDER masked off). */
export const NLA_TYPE_MASK = 0x3fff;
export const NLA_F_NESTED = 0x8000;

/**
 * Growable little-endian writer, reused across messages. `shared`: its memory is a SharedArrayBuffer (growth
 * included), so another thread can read what was written without a copy (the FIB's route writer thread).
 */
export class NlWriter {
  buf: Buffer;
  pos = 0;

  constructor(
    initialSize = 4096,
    private readonly shared = false,
  ) {
    this.buf = this.alloc(initialSize);
  }

  private alloc(size: number): Buffer {
    return this.shared ? Buffer.from(new SharedArrayBuffer(size)) : Buffer.alloc(size);
  }

  reset(): this {
    this.pos = 0;
    return this;
  }

  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.buf = grownBuffer(this.buf, this.pos, n, (size) => this.alloc(size));
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16LE(v, this.pos);
    this.pos += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }

  /** Zero octets up to the next 4-octet boundary. */
  align(): void {
    const pad = (4 - (this.pos & 3)) & 3;
    if (pad === 0) return;
    this.ensure(pad);
    this.buf.fill(0, this.pos, this.pos + pad);
    this.pos += pad;
  }

  /** Zero `n` octets (a struct body filled in by `patch*` or left zero). */
  zero(n: number): number {
    this.ensure(n);
    const p = this.pos;
    this.buf.fill(0, p, p + n);
    this.pos += n;
    return p;
  }

  /** Starts a message: writes `struct nlmsghdr` with its length left to `endMessage`; returns its offset. */
  beginMessage(type: number, flags: number, seq = 0, pid = 0): number {
    this.ensure(NLMSG_HDRLEN);
    const b = this.buf, p = this.pos;
    b.writeUInt32LE(0, p);
    b.writeUInt16LE(type, p + 4);
    b.writeUInt16LE(flags, p + 6);
    b.writeUInt32LE(seq >>> 0, p + 8);
    b.writeUInt32LE(pid >>> 0, p + 12);
    this.pos = p + NLMSG_HDRLEN;
    return p;
  }

  /** Patches `nlmsg_len` (unpadded length, as the kernel and iproute2 write it) and pads to 4 octets. */
  endMessage(start: number): void {
    this.buf.writeUInt32LE(this.pos - start, start);
    this.align();
  }

  private attrHeader(type: number, valueLen: number): void {
    this.ensure(NLA_HDRLEN + valueLen + 3);
    this.buf.writeUInt16LE(NLA_HDRLEN + valueLen, this.pos);
    this.buf.writeUInt16LE(type, this.pos + 2);
    this.pos += NLA_HDRLEN;
  }

  attrU8(type: number, v: number): void {
    this.attrHeader(type, 1);
    this.buf[this.pos++] = v;
    this.align();
  }

  attrU16(type: number, v: number): void {
    this.attrHeader(type, 2);
    this.buf.writeUInt16LE(v, this.pos);
    this.pos += 2;
    this.align();
  }

  /** A 16-bit value in network byte order (ports). */
  attrU16be(type: number, v: number): void {
    this.attrHeader(type, 2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
    this.align();
  }

  attrU32(type: number, v: number): void {
    this.attrHeader(type, 4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  attrBytes(type: number, v: Uint8Array): void {
    this.attrHeader(type, v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
    this.align();
  }

  /**
   * A string attribute, NUL-terminated (IFLA_IFNAME) unless `nul` is false (IFLA_INFO_KIND, which iproute2 sends
   * without one; the kernel accepts both).
   */
  attrString(type: number, s: string, nul = true): void {
    const n = Buffer.byteLength(s);
    const t = nul ? 1 : 0;
    this.attrHeader(type, n + t);
    this.buf.write(s, this.pos);
    if (nul) this.buf[this.pos + n] = 0;
    this.pos += n + t;
    this.align();
  }

  /** An address attribute of `family` (4 or 16 octets). */
  attrAddr(type: number, family: number, addr: IpAddr): void {
    const n = family === Af.Inet6 ? 16 : 4;
    this.attrHeader(type, n);
    writeAddr(this.buf, this.pos, family, addr);
    this.pos += n;
  }

  /** Opens a nested attribute; returns its offset for `endNest`. */
  beginNest(type: number): number {
    this.ensure(NLA_HDRLEN);
    const p = this.pos;
    this.buf.writeUInt16LE(0, p);
    this.buf.writeUInt16LE(type, p + 2);
    this.pos = p + NLA_HDRLEN;
    return p;
  }

  endNest(start: number): void {
    this.buf.writeUInt16LE(this.pos - start, start);
    this.align();
  }

  /** A view of what was written since `start` (valid until the next write or reset). */
  take(start = 0): Buffer {
    return this.buf.subarray(start, this.pos);
  }

  /** An exact-size copy of what was written since `start`, safe to keep. */
  finish(start = 0): Buffer {
    return Buffer.from(this.buf.subarray(start, this.pos));
  }
}

/** Octets of an address of `family`. */
export function addrLength(family: number): number {
  return family === Af.Inet6 ? 16 : 4;
}

/** Writes `addr` as 4 (AF_INET) or 16 (AF_INET6) octets at `off`. Invalid input is a caller bug. */
export function writeAddr(buf: Buffer, off: number, family: number, addr: IpAddr): void {
  if (family === Af.Inet) {
    if (typeof addr === 'number') {
      buf.writeUInt32BE(addr >>> 0, off);
      return;
    }
    if (typeof addr === 'string') {
      const v = parseIpv4(addr);
      if (v === undefined) throw new BugError(`not an IPv4 address: ${addr}`);
      buf.writeUInt32BE(v, off);
      return;
    }
    if (addr.length !== 4) throw new BugError(`IPv4 address must be 4 octets, got ${addr.length}`);
    buf.set(addr, off);
    return;
  }
  if (family === Af.Inet6) {
    let bytes: Uint8Array | undefined;
    if (typeof addr === 'string') bytes = parseIpv6(addr);
    else if (typeof addr !== 'number' && addr.length === 16) bytes = addr;
    if (bytes === undefined) throw new BugError(`not an IPv6 address: ${String(addr)}`);
    buf.set(bytes, off);
    return;
  }
  throw new BugError(`no address encoding for family ${family}`);
}

/** Text form of an address value of `len` octets (4 → IPv4, 16 → IPv6, anything else → hex). */
export function readAddr(buf: Buffer, off: number, len: number): string {
  if (len === 4) return formatIpv4(buf.readUInt32BE(off));
  if (len === 16) return formatIpv6(buf, off);
  return buf.toString('hex', off, off + len);
}

/** Text form of a MAC address: `aa:bb:cc:dd:ee:ff`. */
export function formatMac(buf: Buffer, off: number, len: number): string {
  const parts: string[] = [];
  for (let i = 0; i < len; i++) parts.push(buf[off + i].toString(16).padStart(2, '0'));
  return parts.join(':');
}

/** Octets of a MAC address in `aa:bb:cc:dd:ee:ff` form (or raw octets, passed through). */
export function parseMac(mac: string | Uint8Array): Uint8Array {
  if (typeof mac !== 'string') return mac;
  const parts = mac.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) throw new BugError(`not a MAC address: ${mac}`);
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}

/**
 * Calls `visit(type, valueOffset, valueLength)` for each attribute in `[start, end)`. A length that runs past the
 * end is a malformed kernel message: FibError (a truncated tail shorter than a header is ignored, as the kernel's
 * own nla_for_each_attr does).
 */
export function forEachAttr(buf: Buffer, start: number, end: number, visit: (type: number, off: number, len: number) => void): void {
  let p = start;
  while (p + NLA_HDRLEN <= end) {
    const len = buf.readUInt16LE(p);
    if (len < NLA_HDRLEN || p + len > end) throw new FibError(`malformed netlink attribute at offset ${p} (length ${len})`);
    visit(buf.readUInt16LE(p + 2) & NLA_TYPE_MASK, p + NLA_HDRLEN, len - NLA_HDRLEN);
    p += (len + 3) & ~3;
  }
}

/** A NUL-terminated string value. */
export function readString(buf: Buffer, off: number, len: number): string {
  let end = off + len;
  while (end > off && buf[end - 1] === 0) end--;
  return buf.toString('utf8', off, end);
}
