/**
 * DOC: the community attributes: COMMUNITIES (8, RFC 1997), EXTENDED_COMMUNITIES (16, RFC 4360),
 * IPv6 Address Specific Extended Community (25, RFC 5701, kept as bytes) and LARGE_COMMUNITY (32, RFC 8092).
 *
 * Each must be a non-zero multiple of its unit (4, 8, 20, 12 octets) or the route is treat-as-withdraw
 * (RFC 7606 §7.8, §7.14, §7.15; RFC 8092 §6). Values keep wire order; canonicalisation is the RIB's interning job.
 */
import { AttrCode } from '../../constants';
import type { BufWriter } from '../../../util/writer';
import { OPTIONAL_TRANSITIVE, expectMultiple, u32At, withdrawAlways, type AttrDescriptor } from './types';
import { BugError } from '../../../util/errors';

export const COMMUNITIES: AttrDescriptor<number[]> = {
  code: AttrCode.Communities,
  name: 'COMMUNITIES',
  flags: OPTIONAL_TRANSITIVE,
  decode(buf: Buffer, start: number, end: number): number[] {
    expectMultiple(start, end, 4, 'COMMUNITIES');
    const out: number[] = new Array((end - start) >> 2);
    for (let p = start, i = 0; p < end; p += 4, i++) out[i] = u32At(buf, p);
    return out;
  },
  encode(w: BufWriter, value: number[]): void {
    for (const c of value) w.u32(c);
  },
  onError: withdrawAlways,
};

const HEX16 = /^[0-9a-f]{16}$/;

export const EXTENDED_COMMUNITIES: AttrDescriptor<string[]> = {
  code: AttrCode.ExtendedCommunities,
  name: 'EXTENDED_COMMUNITIES',
  flags: OPTIONAL_TRANSITIVE,
  decode(buf: Buffer, start: number, end: number): string[] {
    expectMultiple(start, end, 8, 'EXTENDED_COMMUNITIES');
    const out: string[] = [];
    for (let p = start; p < end; p += 8) out.push(buf.toString('hex', p, p + 8));
    return out;
  },
  encode(w: BufWriter, value: string[]): void {
    for (const c of value) {
      const lc = c.toLowerCase();
      if (!HEX16.test(lc)) throw new BugError(`extended community is not 16 hex digits: ${c}`);
      w.bytes(Buffer.from(lc, 'hex'));
    }
  },
  onError: withdrawAlways,
};

export const IPV6_EXTENDED_COMMUNITIES: AttrDescriptor<Buffer> = {
  code: AttrCode.Ipv6ExtendedCommunities,
  name: 'IPV6_EXTENDED_COMMUNITIES',
  flags: OPTIONAL_TRANSITIVE,
  decode(buf: Buffer, start: number, end: number): Buffer {
    expectMultiple(start, end, 20, 'IPV6_EXTENDED_COMMUNITIES');
    return Buffer.from(buf.subarray(start, end));
  },
  encode(w: BufWriter, value: Buffer): void {
    w.bytes(value);
  },
  onError: withdrawAlways,
};

export const LARGE_COMMUNITY: AttrDescriptor<[number, number, number][]> = {
  code: AttrCode.LargeCommunity,
  name: 'LARGE_COMMUNITY',
  flags: OPTIONAL_TRANSITIVE,
  decode(buf: Buffer, start: number, end: number): [number, number, number][] {
    expectMultiple(start, end, 12, 'LARGE_COMMUNITY');
    const out: [number, number, number][] = [];
    for (let p = start; p < end; p += 12) out.push([u32At(buf, p), u32At(buf, p + 4), u32At(buf, p + 8)]);
    return out;
  },
  encode(w: BufWriter, value: [number, number, number][]): void {
    for (const [a, b, c] of value) w.u32(a).u32(b).u32(c);
  },
  onError: withdrawAlways,
};
