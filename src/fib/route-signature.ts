/**
 * DOC: route signatures: "is this kernel route message the shape we installed?" answered from its bytes.
 *
 * Why: a scan (periodic, or the resync after a monitor overrun) walks every route of ours; decoding each into a
 * DecodedRoute and re-interning its shape costs an object graph and a string key per route, which at a million
 * routes is seconds. The kernel's dump of two routes of one shape differs only in the destination (`rtm_dst_len`
 * and the RTA_DST payload) and, for IPv6, in RTA_CACHEINFO (use counters), so the first message found for a shape
 * (decoded and confirmed the slow way) becomes that shape's signature, and later ones are compared byte for byte
 * with those parts skipped. A mismatch is not a verdict: the caller decodes and compares shapes (a link flag such as
 * RTNH_F_LINKDOWN, or the default route's missing RTA_DST, only costs the slow path).
 * The signature is the message from `struct rtmsg` on (the netlink header's seq/pid/flags vary), with the skipped
 * bytes zeroed.
 */
import { NLMSG_HDRLEN, Rta } from './netlink/constants';

const RTMSG_LEN = 12;
const DST_LEN_AT = NLMSG_HDRLEN + 1;

function skipped(type: number): boolean {
  return type === Rta.Dst || type === Rta.CacheInfo;
}

/** The signature of the route message `m` (a copy; `m` is untouched). */
export function routeSignature(m: Buffer): Buffer {
  const end = Math.min(m.length, m.readUInt32LE(0));
  const sig = Buffer.alloc(end - NLMSG_HDRLEN);
  m.copy(sig, 0, NLMSG_HDRLEN, end);
  sig[1] = 0;
  for (let a = RTMSG_LEN; a + 4 <= sig.length; ) {
    const len = sig.readUInt16LE(a);
    if (len < 4) break;
    if (skipped(sig.readUInt16LE(a + 2) & 0x3fff)) sig.fill(0, a + 4, Math.min(sig.length, a + len));
    a += (len + 3) & ~3;
  }
  return sig;
}

/** Whether the route message `m` has signature `sig` (same bytes apart from the destination and cache info). */
export function matchesSignature(m: Buffer, sig: Buffer): boolean {
  const end = m.readUInt32LE(0);
  if (end - NLMSG_HDRLEN !== sig.length || end > m.length) return false;
  if (m[NLMSG_HDRLEN] !== sig[0]) return false;
  for (let i = DST_LEN_AT + 1; i < NLMSG_HDRLEN + RTMSG_LEN; i++) if (m[i] !== sig[i - NLMSG_HDRLEN]) return false;
  for (let a = NLMSG_HDRLEN + RTMSG_LEN; a + 4 <= end; ) {
    const s = a - NLMSG_HDRLEN;
    const head = m.readUInt32LE(a);
    if (head !== sig.readUInt32LE(s)) return false;
    const len = head & 0xffff;
    if (len < 4) return false;
    const stop = Math.min(end, a + len);
    if (!skipped((head >>> 16) & 0x3fff)) {
      let i = a + 4;
      for (; i + 4 <= stop; i += 4) if (m.readUInt32LE(i) !== sig.readUInt32LE(i - NLMSG_HDRLEN)) return false;
      for (; i < stop; i++) if (m[i] !== sig[i - NLMSG_HDRLEN]) return false;
    }
    a += (len + 3) & ~3;
  }
  return true;
}
