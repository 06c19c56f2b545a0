/**
 * DOC: NEXT_HOP (RFC 4271 §4.3 type 3, §5.1.3): well-known, a 4-octet IPv4 address, mandatory when the UPDATE
 * carries IPv4 NLRI in its NLRI field.
 *
 * A length other than 4 is treat-as-withdraw (RFC 7606 §7.3). A martian next hop (0.0.0.0/8, 127/8, class D and E)
 * is semantically incorrect: RFC 4271 §6.3 says ignore the route without a NOTIFICATION, which is treat-as-withdraw.
 * Checks against the peer's own address need the session and belong to the RIB.
 */
import { AttrCode } from '../../constants';
import type { BufWriter } from '../../../util/writer';
import { AttrFault, WELL_KNOWN, expectLength, ipv4At, withdrawAlways, writeIpv4, type AttrDescriptor } from './types';

/** Whether a dotted-quad next hop is martian: 0/8, 127/8 or 224/3 (multicast and reserved). */
export function isMartianIpv4NextHop(text: string): boolean {
  const first = Number(text.slice(0, text.indexOf('.')));
  return first === 0 || first === 127 || first >= 224;
}

export const NEXT_HOP: AttrDescriptor<string> = {
  code: AttrCode.NextHop,
  name: 'NEXT_HOP',
  flags: WELL_KNOWN,
  decode(buf: Buffer, start: number, end: number): string {
    expectLength(start, end, 4, 'NEXT_HOP');
    return ipv4At(buf, start);
  },
  encode(w: BufWriter, value: string): void {
    writeIpv4(w, value);
  },
  check(value: string): AttrFault | undefined {
    // RFC 4271 §6.3: a semantically incorrect NEXT_HOP makes the route ignored (treat-as-withdraw).
    return isMartianIpv4NextHop(value) ? new AttrFault('nexthop', `martian NEXT_HOP ${value}`) : undefined;
  },
  onError: withdrawAlways,
};
