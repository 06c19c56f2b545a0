/**
 * DOC: the NLRI codec, the hottest loop in Petrel (RFC 4271 §4.3, RFC 4760 §5, RFC 7911 §3).
 *
 * Owns the (length, prefix) wire form of IPv4 and IPv6 unicast NLRI, with and without ADD-PATH path identifiers,
 * decoded straight into compact prefix keys (`util/prefix.ts`). Invariants: no object or closure per prefix, no
 * reader method per octet: the Buffer is indexed directly, and every index is checked against `end` before it is
 * read, so a message inside a larger chunk is never read past. Host bits beyond the prefix length are zeroed in the
 * keys. A bad prefix length or an overrun throws NOTIFICATION 3/10 Invalid Network Field (RFC 4271 §6.3; RFC 7606
 * §5.3: NLRI that cannot be parsed leave no way to treat-as-withdraw). Hand-rolled rather than BufReader-based for
 * speed: decoding must reach 10M prefixes/s on one core.
 */
import { ErrCode, UpdateSubcode } from '../constants';
import { NotificationError } from '../errors';
import { IPV4_UNICAST, IPV6_UNICAST, formatFamily, type Family } from '../family';
import { BugError } from '../../util/errors';
import type { BufWriter } from '../../util/writer';
import type { NlriList } from './types';

/** Mask of the top `len` bits of an IPv4 address, indexed by length 0..32 (as signed 32-bit values). */
const V4_MASK = new Int32Array(33);
for (let i = 1; i <= 32; i++) V4_MASK[i] = -1 << (32 - i);

function invalidNetwork(reason: string): NotificationError {
  return new NotificationError(ErrCode.UpdateMessage, UpdateSubcode.InvalidNetworkField, Buffer.alloc(0), reason);
}

/** An empty NLRI list, with a path identifier array when `addPath`. */
export function emptyNlri(addPath = false): NlriList {
  return addPath ? { keys: [], pathIds: [] } : { keys: [] };
}

/**
 * Decodes IPv4 NLRI in buf[start,end) and appends them to `out` (and their path identifiers when `addPath`).
 * Throws NotificationError 3/10 on a length above 32 or a prefix running past `end`.
 */
export function decodeIpv4Nlri(buf: Buffer, start: number, end: number, addPath: boolean, out: NlriList): void {
  const keys = out.keys;
  let ids = out.pathIds;
  if (addPath && ids === undefined) ids = out.pathIds = [];
  let p = start;
  while (p < end) {
    if (addPath) {
      if (p + 5 > end) throw invalidNetwork('truncated ADD-PATH path identifier');
      ids!.push(buf[p] * 0x1000000 + ((buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3]));
      p += 4;
    }
    const len = buf[p++];
    if (len > 32) throw invalidNetwork(`IPv4 prefix length ${len}`);
    const n = (len + 7) >> 3;
    if (p + n > end) throw invalidNetwork('IPv4 prefix runs past the end of its field');
    let a: number;
    switch (n) {
      case 0: a = 0; break;
      case 1: a = buf[p] << 24; break;
      case 2: a = (buf[p] << 24) | (buf[p + 1] << 16); break;
      case 3: a = (buf[p] << 24) | (buf[p + 1] << 16) | (buf[p + 2] << 8); break;
      default: a = (buf[p] << 24) | (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3];
    }
    p += n;
    keys.push(((a & V4_MASK[len]) >>> 0) * 64 + len);
  }
}

/** Scratch for building IPv6 keys: 16 address octets and the length octet. */
const V6_SCRATCH = Buffer.alloc(17);

/**
 * Decodes IPv6 NLRI in buf[start,end) and appends them to `out` (keys are 17-char latin1 strings).
 * Throws NotificationError 3/10 on a length above 128 or a prefix running past `end`.
 */
export function decodeIpv6Nlri(buf: Buffer, start: number, end: number, addPath: boolean, out: NlriList): void {
  const keys = out.keys;
  let ids = out.pathIds;
  if (addPath && ids === undefined) ids = out.pathIds = [];
  const s = V6_SCRATCH;
  let p = start;
  while (p < end) {
    if (addPath) {
      if (p + 5 > end) throw invalidNetwork('truncated ADD-PATH path identifier');
      ids!.push(buf[p] * 0x1000000 + ((buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3]));
      p += 4;
    }
    const len = buf[p++];
    if (len > 128) throw invalidNetwork(`IPv6 prefix length ${len}`);
    const n = (len + 7) >> 3;
    if (p + n > end) throw invalidNetwork('IPv6 prefix runs past the end of its field');
    s.fill(0, 0, 16);
    for (let i = 0; i < n; i++) s[i] = buf[p + i];
    const rem = len & 7;
    if (rem !== 0) s[n - 1] &= (0xff << (8 - rem)) & 0xff;
    s[16] = len;
    p += n;
    keys.push(s.toString('latin1', 0, 17));
  }
}

/** Decodes NLRI of a supported family (IPv4 or IPv6 unicast); see `decodeIpv4Nlri`. */
export function decodeNlri(family: Family, buf: Buffer, start: number, end: number, addPath: boolean, out: NlriList): void {
  if (family === IPV4_UNICAST) decodeIpv4Nlri(buf, start, end, addPath, out);
  else if (family === IPV6_UNICAST) decodeIpv6Nlri(buf, start, end, addPath, out);
  else throw new BugError(`no NLRI codec for ${formatFamily(family)}`);
}

/**
 * Writes `list` in wire form. With `addPath`, `list.pathIds` must be index-aligned with the keys (a missing array
 * writes path identifier 0). Keys must belong to `family`.
 */
export function encodeNlri(w: BufWriter, family: Family, list: NlriList, addPath: boolean): void {
  const keys = list.keys;
  const ids = list.pathIds;
  const count = keys.length;
  if (family === IPV4_UNICAST) {
    w.ensure(count * (addPath ? 9 : 5));
    const b = w.buf;
    let p = w.pos;
    for (let i = 0; i < count; i++) {
      if (addPath) {
        const id = ids === undefined ? 0 : ids[i];
        b[p] = id >>> 24; b[p + 1] = id >>> 16; b[p + 2] = id >>> 8; b[p + 3] = id;
        p += 4;
      }
      const key = keys[i] as number;
      const len = key % 64;
      const a = (key - len) / 64;
      b[p++] = len;
      if (len > 0) b[p++] = a >>> 24;
      if (len > 8) b[p++] = a >>> 16;
      if (len > 16) b[p++] = a >>> 8;
      if (len > 24) b[p++] = a;
    }
    w.pos = p;
  } else if (family === IPV6_UNICAST) {
    w.ensure(count * (addPath ? 21 : 17));
    const b = w.buf;
    let p = w.pos;
    for (let i = 0; i < count; i++) {
      if (addPath) {
        const id = ids === undefined ? 0 : ids[i];
        b[p] = id >>> 24; b[p + 1] = id >>> 16; b[p + 2] = id >>> 8; b[p + 3] = id;
        p += 4;
      }
      const key = keys[i] as string;
      const len = key.charCodeAt(16);
      const n = (len + 7) >> 3;
      b[p++] = len;
      for (let j = 0; j < n; j++) b[p++] = key.charCodeAt(j);
    }
    w.pos = p;
  } else {
    throw new BugError(`no NLRI codec for ${formatFamily(family)}`);
  }
}
