/**
 * DOC: the benchmark feed, pre-encoded: every UPDATE a feeder will send, built into one Buffer before the clock
 * starts, plus the sink's allocation-free NLRI counter.
 *
 * Why hand-encoded rather than through src/bgp/codec's encodeUpdate: the feed is fixed-shape (ORIGIN, a 3-hop
 * 4-octet AS_PATH, NEXT_HOP, MED; RFC 4271 §4.3, RFC 6793 §4) and building a million prefix objects only to
 * serialise them would make setup slow; the wire layout is trivial. The codec's own decoder checks this output in
 * the smoke test.
 *
 * Layout: prefix i of a feed is the /len at `base + i * 2^(32-len)`; prefixes are grouped into UPDATEs of at most
 * `nlriPerUpdate`, and each UPDATE carries one attribute set: with S sets, prefix i uses set ⌊i·S/count⌋ (MED = set
 * index, AS_PATH = [localAs, 100000 + set % 1000, 200000 + set]). The feed ends with the IPv4 End-of-RIB (RFC 4724
 * §2: an UPDATE with no withdrawn routes, no attributes and no NLRI).
 */

/** What a feeder sends. */
export interface FeedSpec {
  /** Number of prefixes. */
  count: number;
  /** First prefix address as a 32-bit number. */
  base: number;
  /** Prefix length (default 24). */
  len?: number;
  /** Distinct attribute sets (default 1). */
  attrSets?: number;
  /** Upper bound of NLRI per UPDATE (default 500). */
  nlriPerUpdate?: number;
  /** The feeder's AS (first AS_PATH hop). */
  localAs: number;
  /** NEXT_HOP as a 32-bit number. */
  nextHop: number;
}

const HEADER = 19;
const ATTRS_LEN = 4 + (3 + 2 + 12) + 7 + 7;

/** Dotted quad → 32-bit number. */
export function ipv4ToNumber(text: string): number {
  const p = text.split('.').map(Number);
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

/** 32-bit number → dotted quad. */
export function numberToIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

function writeHeader(buf: Buffer, at: number, length: number): void {
  buf.fill(0xff, at, at + 16);
  buf.writeUInt16BE(length, at + 16);
  buf[at + 18] = 2;
}

/** NLRI per UPDATE actually used for a spec. */
export function nlriPerUpdateOf(spec: FeedSpec): number {
  const sets = spec.attrSets ?? 1;
  return Math.max(1, Math.min(spec.nlriPerUpdate ?? 500, Math.ceil(spec.count / sets)));
}

/** Builds the whole feed (UPDATEs then End-of-RIB) into one Buffer. */
export function buildFeed(spec: FeedSpec): Buffer {
  const len = spec.len ?? 24;
  const sets = spec.attrSets ?? 1;
  const per = nlriPerUpdateOf(spec);
  const pBytes = 1 + ((len + 7) >> 3);
  const step = 2 ** (32 - len);
  // Upper bound: every set boundary may split an UPDATE.
  const maxUpdates = Math.ceil(spec.count / per) + sets + 1;
  const buf = Buffer.allocUnsafe(maxUpdates * (HEADER + 4 + ATTRS_LEN) + spec.count * pBytes + 23);
  let at = 0;
  let i = 0;
  while (i < spec.count) {
    const set = Math.floor((i * sets) / spec.count);
    // Last prefix index (exclusive) with the same set, capped by the UPDATE size.
    const setEnd = Math.min(spec.count, Math.ceil(((set + 1) * spec.count) / sets));
    const n = Math.min(per, setEnd - i);
    const msgLen = HEADER + 4 + ATTRS_LEN + n * pBytes;
    writeHeader(buf, at, msgLen);
    let p = at + HEADER;
    buf.writeUInt16BE(0, p);
    buf.writeUInt16BE(ATTRS_LEN, p + 2);
    p += 4;
    // ORIGIN IGP
    buf[p++] = 0x40; buf[p++] = 1; buf[p++] = 1; buf[p++] = 0;
    // AS_PATH: one AS_SEQUENCE of three 4-octet ASNs
    buf[p++] = 0x40; buf[p++] = 2; buf[p++] = 14; buf[p++] = 2; buf[p++] = 3;
    buf.writeUInt32BE(spec.localAs, p);
    buf.writeUInt32BE(100000 + (set % 1000), p + 4);
    buf.writeUInt32BE(200000 + set, p + 8);
    p += 12;
    // NEXT_HOP
    buf[p++] = 0x40; buf[p++] = 3; buf[p++] = 4;
    buf.writeUInt32BE(spec.nextHop, p);
    p += 4;
    // MULTI_EXIT_DISC
    buf[p++] = 0x80; buf[p++] = 4; buf[p++] = 4;
    buf.writeUInt32BE(set, p);
    p += 4;
    for (let k = 0; k < n; k++, i++) {
      const addr = (spec.base + i * step) >>> 0;
      buf[p] = len;
      for (let b = 0; b < pBytes - 1; b++) buf[p + 1 + b] = (addr >>> (24 - 8 * b)) & 255;
      p += pBytes;
    }
    at = p;
  }
  writeHeader(buf, at, 23);
  buf.writeUInt32BE(0, at + HEADER);
  at += 23;
  return buf.subarray(0, at);
}

/**
 * Distinct-prefix counter for what a sink or the FIB counter sees. /24s are tracked in a 2^24-entry bitmap (the
 * /24 number is the index), anything else in a Set keyed `len·2^32 + addr` (C1's few thousand /26 and /32).
 */
export class PrefixCounter {
  private readonly slash24 = new Uint8Array(1 << 24);
  private readonly other = new Set<number>();
  /** Distinct prefixes seen. */
  distinct = 0;
  /** Every prefix occurrence, duplicates included. */
  total = 0;

  /** Records one prefix (address as a 32-bit number, host bits zero). */
  add(addr: number, len: number): void {
    this.total++;
    if (len === 24) {
      const k = addr >>> 8;
      if (this.slash24[k] === 0) {
        this.slash24[k] = 1;
        this.distinct++;
      }
      return;
    }
    const key = len * 4294967296 + addr;
    if (!this.other.has(key)) {
      this.other.add(key);
      this.distinct++;
    }
  }
}

/**
 * Walks `buf[p, end)` as an NLRI field (RFC 4271 §4.3), adding each IPv4 prefix to `c` (when given); returns how
 * many prefixes it held.
 */
export function countNlri(buf: Buffer, p: number, end: number, c: PrefixCounter | null): number {
  let n = 0;
  while (p < end) {
    const len = buf[p];
    const bytes = (len + 7) >> 3;
    if (c !== null) {
      let addr = 0;
      for (let b = 0; b < 4; b++) addr = addr * 256 + (b < bytes ? buf[p + 1 + b] : 0);
      c.add(addr, len);
    }
    p += 1 + bytes;
    n++;
  }
  return n;
}

/** Counts of one UPDATE. */
export interface UpdateCounts {
  announced: number;
  withdrawn: number;
  /** The UPDATE is the IPv4 End-of-RIB marker. */
  eor: boolean;
}

const scratch: UpdateCounts = { announced: 0, withdrawn: 0, eor: false };

/**
 * Counts the IPv4 unicast NLRI of one framed UPDATE `buf[start, end)` (header included): the NLRI field and
 * MP_REACH_NLRI (RFC 4760 §3) of AFI 1 / SAFI 1. Announced prefixes go to `c`. Returns a shared scratch object.
 */
export function countUpdate(buf: Buffer, start: number, end: number, c: PrefixCounter): UpdateCounts {
  let p = start + HEADER;
  const wlen = buf.readUInt16BE(p);
  scratch.withdrawn = countNlri(buf, p + 2, p + 2 + wlen, null);
  p += 2 + wlen;
  const alen = buf.readUInt16BE(p);
  p += 2;
  const aEnd = p + alen;
  let announced = 0;
  while (p < aEnd) {
    const flags = buf[p];
    const type = buf[p + 1];
    const ext = (flags & 0x10) !== 0;
    const l = ext ? buf.readUInt16BE(p + 2) : buf[p + 2];
    const v = p + (ext ? 4 : 3);
    if (type === 14 && buf.readUInt16BE(v) === 1 && buf[v + 2] === 1) {
      const nhLen = buf[v + 3];
      const q = v + 4 + nhLen + 1;
      announced += countNlri(buf, q, v + l, c);
    }
    p = v + l;
  }
  announced += countNlri(buf, aEnd, end, c);
  scratch.announced = announced;
  scratch.eor = wlen === 0 && alen === 0 && end - start === 23;
  return scratch;
}
