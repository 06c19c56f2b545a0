/**
 * DOC: a cheap look at a route message: destination key, table, protocol, type and metric, read straight from the
 * bytes without building a DecodedRoute.
 *
 * Why: every route Petrel writes comes back through the monitor, so a bulk install of 1M routes is followed by
 * 1M notifications. Deciding "is this our own echo?" must cost a few reads, not an object graph (the full decoder
 * is used only for the rare messages that need it). Offsets: `struct rtmsg` follows the 16-octet nlmsghdr
 * (family 16, dst_len 17, table 20, protocol 21, type 23); RTA_TABLE, when present, overrides `rtm_table`.
 */
import { Af, NLMSG_HDRLEN, Rta } from './netlink/constants';
import { effectiveMetric } from './route-shape';
import { ipv4Key, ipv4Mask } from '../util/prefix';

/** What `peekRoute` fills (reuse one object). */
export interface RoutePeek {
  family: number;
  dstLen: number;
  /** The prefix key of the destination (IPv4 number, IPv6 17-char string). */
  key: number | string;
  table: number;
  protocol: number;
  type: number;
  /** Effective metric (IPv6 0 → 1024). */
  metric: number;
}

/** A fresh RoutePeek. */
export function newRoutePeek(): RoutePeek {
  return { family: 0, dstLen: 0, key: 0, table: 0, protocol: 0, type: 0, metric: 0 };
}

const v6 = Buffer.alloc(16);

/** Fills `out` from the route message at `buf[0..]`; returns false when it is not an IPv4/IPv6 route message. */
export function peekRoute(buf: Buffer, out: RoutePeek): boolean {
  const p = NLMSG_HDRLEN;
  const end = Math.min(buf.length, buf.readUInt32LE(0));
  if (end < p + 12) return false;
  const family = buf[p];
  if (family !== Af.Inet && family !== Af.Inet6) return false;
  const dstLen = buf[p + 1];
  out.family = family;
  out.dstLen = dstLen;
  out.table = buf[p + 4];
  out.protocol = buf[p + 5];
  out.type = buf[p + 7];
  let metric = 0;
  let dst = -1;
  for (let a = p + 12; a + 4 <= end; ) {
    const len = buf.readUInt16LE(a);
    if (len < 4 || a + len > end) break;
    const type = buf.readUInt16LE(a + 2) & 0x3fff;
    if (type === Rta.Dst) dst = a + 4;
    else if (type === Rta.Priority && len >= 8) metric = buf.readUInt32LE(a + 4);
    else if (type === Rta.Table && len >= 8) out.table = buf.readUInt32LE(a + 4);
    a += (len + 3) & ~3;
  }
  out.metric = effectiveMetric(family, metric);
  if (family === Af.Inet) {
    const addr = dst < 0 ? 0 : buf.readUInt32BE(dst);
    out.key = ipv4Key((addr & ipv4Mask(dstLen)) >>> 0, dstLen);
  } else {
    v6.fill(0);
    if (dst >= 0) buf.copy(v6, 0, dst, dst + 16);
    out.key = v6.toString('latin1') + String.fromCharCode(dstLen);
  }
  return true;
}
