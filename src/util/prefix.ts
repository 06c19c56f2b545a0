/**
 * DOC: compact prefix keys, the currency of the data path, and their text forms.
 *
 * IPv4: one number, `address * 64 + length` (exact below 2^38, so a plain JS number, never an object).
 * IPv6: a 17-character latin1 string, the 16 address octets then one length octet (a cheap `Map` key; V8 keeps
 * one-byte strings at about one byte per octet). Host bits beyond the length are always zero in a key.
 * Text forms are `10.0.0.0/24` and `2001:db8::/32` (RFC 5952 canonical).
 */

export type PrefixKey = number | string;

/** Builds an IPv4 key from a host-order address and a length. The caller masks the host bits. */
export function ipv4Key(addr: number, len: number): number {
  return addr * 64 + len;
}
export function ipv4KeyAddr(key: number): number {
  return Math.floor(key / 64);
}
export function ipv4KeyLen(key: number): number {
  return key % 64;
}

/** Mask of the top `len` bits of a 32-bit address, as an unsigned number. */
export function ipv4Mask(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

export function formatIpv4(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`;
}

/** Parses a dotted quad to a host-order unsigned number; undefined when it is not one. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = v * 256 + n;
  }
  return v;
}

/** Parses an IPv6 address to 16 octets; undefined when it is not one. Accepts an embedded dotted quad. */
export function parseIpv6(text: string): Buffer | undefined {
  let s = text;
  const out = Buffer.alloc(16);
  // An embedded dotted quad becomes two hex groups (RFC 4291 §2.2 form 3).
  if (s.includes('.')) {
    const colon = s.lastIndexOf(':');
    const v4 = colon < 0 ? undefined : parseIpv4(s.slice(colon + 1));
    if (v4 === undefined) return undefined;
    s = `${s.slice(0, colon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const gs = h.split(':');
    const r: number[] = [];
    for (const g of gs) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      r.push(parseInt(g, 16));
    }
    return r;
  };
  const head = parseGroups(halves[0]);
  if (!head) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const rest = parseGroups(halves[1]);
    if (!rest) return undefined;
    const total = head.length + rest.length;
    if (total > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - total).fill(0), ...rest];
  } else {
    groups = head;
    if (groups.length !== 8) return undefined;
  }
  for (let i = 0; i < 8; i++) out.writeUInt16BE(groups[i], i * 2);
  return out;
}

/** RFC 5952 canonical text of 16 octets at `buf[off..off+16)`. */
export function formatIpv6(buf: Uint8Array, off = 0): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((buf[off + i * 2] << 8) | buf[off + i * 2 + 1]);
  // Longest run of two or more zero groups becomes '::' (RFC 5952 §4.2).
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  // IPv4-mapped addresses keep their dotted tail (RFC 5952 §5).
  if (bestStart === 0 && bestLen === 5 && g[5] === 0xffff) {
    return `::ffff:${buf[off + 12]}.${buf[off + 13]}.${buf[off + 14]}.${buf[off + 15]}`;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}

/** Builds an IPv6 key from 16 address octets (host bits already zero) and a length. */
export function ipv6Key(addr: Uint8Array, len: number): string {
  let s = '';
  for (let i = 0; i < 16; i++) s += String.fromCharCode(addr[i]);
  return s + String.fromCharCode(len);
}
export function ipv6KeyLen(key: string): number {
  return key.charCodeAt(16);
}
/** The 16 address octets of an IPv6 key. */
export function ipv6KeyAddr(key: string): Buffer {
  return Buffer.from(key.slice(0, 16), 'latin1');
}

export function formatPrefixKey(key: PrefixKey): string {
  if (typeof key === 'number') return `${formatIpv4(ipv4KeyAddr(key))}/${ipv4KeyLen(key)}`;
  return `${formatIpv6(ipv6KeyAddr(key))}/${ipv6KeyLen(key)}`;
}

/** Whether a key is an IPv6 key. */
export function isIpv6Key(key: PrefixKey): key is string {
  return typeof key === 'string';
}

/**
 * Parses `a.b.c.d/n` or `x::/n` (a bare address means a host route) into a key, masking host bits.
 * Returns undefined for anything else.
 */
export function parsePrefix(text: string): PrefixKey | undefined {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const lenText = slash < 0 ? undefined : text.slice(slash + 1);
  if (lenText !== undefined && !/^\d{1,3}$/.test(lenText)) return undefined;
  if (addrText.includes(':')) {
    const a = parseIpv6(addrText);
    const len = lenText === undefined ? 128 : Number(lenText);
    if (!a || len > 128) return undefined;
    maskIpv6InPlace(a, len);
    return ipv6Key(a, len);
  }
  const a = parseIpv4(addrText);
  const len = lenText === undefined ? 32 : Number(lenText);
  if (a === undefined || len > 32) return undefined;
  return ipv4Key((a & ipv4Mask(len)) >>> 0, len);
}

/** Zeroes the bits of `a` (16 octets) after the first `len`. */
export function maskIpv6InPlace(a: Uint8Array, len: number): void {
  for (let i = 0; i < 16; i++) {
    const bits = len - i * 8;
    if (bits >= 8) continue;
    a[i] = bits <= 0 ? 0 : a[i] & ((0xff << (8 - bits)) & 0xff);
  }
}

/** Whether prefix `inner` lies within prefix `outer` (same family), e.g. a /32 inside its /26 block. */
export function prefixContains(outer: PrefixKey, inner: PrefixKey): boolean {
  if (typeof outer === 'number') {
    if (typeof inner !== 'number') return false;
    const ol = ipv4KeyLen(outer), il = ipv4KeyLen(inner);
    if (il < ol) return false;
    const m = ipv4Mask(ol);
    return ((ipv4KeyAddr(inner) & m) >>> 0) === ipv4KeyAddr(outer);
  }
  if (typeof inner !== 'string') return false;
  const ol = ipv6KeyLen(outer), il = ipv6KeyLen(inner);
  if (il < ol) return false;
  for (let i = 0; i < 16; i++) {
    const bits = ol - i * 8;
    if (bits <= 0) break;
    const m = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((outer.charCodeAt(i) & m) !== (inner.charCodeAt(i) & m)) return false;
  }
  return true;
}
