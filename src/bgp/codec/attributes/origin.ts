/**
 * DOC: ORIGIN (RFC 4271 §4.3 type 1, §5.1.1): well-known mandatory, one octet 0 IGP, 1 EGP, 2 INCOMPLETE.
 * Any fault is treat-as-withdraw (RFC 7606 §7.1).
 */
import { AttrCode } from '../../constants';
import type { BufWriter } from '../../../util/writer';
import { AttrFault, WELL_KNOWN, expectLength, withdrawAlways, type AttrDescriptor } from './types';

export const ORIGIN: AttrDescriptor<number> = {
  code: AttrCode.Origin,
  name: 'ORIGIN',
  flags: WELL_KNOWN,
  decode(buf: Buffer, start: number, end: number): number {
    expectLength(start, end, 1, 'ORIGIN');
    const v = buf[start];
    // RFC 7606 §7.1: an undefined ORIGIN value is treat-as-withdraw.
    if (v > 2) throw new AttrFault('value', `ORIGIN value ${v}`);
    return v;
  },
  encode(w: BufWriter, value: number): void {
    w.u8(value);
  },
  onError: withdrawAlways,
};
