/**
 * DOC: the fixed-size scalar attributes: MULTI_EXIT_DISC (4), LOCAL_PREF (5), ATOMIC_AGGREGATE (6) and
 * ONLY_TO_CUSTOMER (35).
 *
 * Outcomes: MED faults are treat-as-withdraw (RFC 7606 §7.4). LOCAL_PREF from an external peer is discarded, a
 * malformed one from an internal peer is treat-as-withdraw (§7.5; the eBGP discard itself is in `validate.ts`).
 * ATOMIC_AGGREGATE of non-zero length is discarded (§7.6). OTC must be 4 octets (RFC 9234 §5) and a non-zero AS
 * (RFC 7607 §2): treat-as-withdraw, as in FRR.
 */
import { AttrCode } from '../../constants';
import { UpdateErrorAction } from '../../errors';
import type { BufWriter } from '../../../util/writer';
import {
  AttrFault, OPTIONAL, OPTIONAL_TRANSITIVE, WELL_KNOWN, expectLength, u32At, withdrawAlways, withdrawIbgpDiscardEbgp,
  type AttrDescriptor, type AttrProblemKind,
} from './types';

function decodeU32(name: string) {
  return (buf: Buffer, start: number, end: number): number => {
    expectLength(start, end, 4, name);
    return u32At(buf, start);
  };
}
function encodeU32(w: BufWriter, value: number): void {
  w.u32(value);
}

export const MED: AttrDescriptor<number> = {
  code: AttrCode.Med,
  name: 'MULTI_EXIT_DISC',
  flags: OPTIONAL,
  decode: decodeU32('MULTI_EXIT_DISC'),
  encode: encodeU32,
  onError: withdrawAlways,
};

export const LOCAL_PREF: AttrDescriptor<number> = {
  code: AttrCode.LocalPref,
  name: 'LOCAL_PREF',
  flags: WELL_KNOWN,
  decode: decodeU32('LOCAL_PREF'),
  encode: encodeU32,
  onError: withdrawIbgpDiscardEbgp,
};

export const ATOMIC_AGGREGATE: AttrDescriptor<true> = {
  code: AttrCode.AtomicAggregate,
  name: 'ATOMIC_AGGREGATE',
  flags: WELL_KNOWN,
  decode(_buf: Buffer, start: number, end: number): true {
    expectLength(start, end, 0, 'ATOMIC_AGGREGATE');
    return true;
  },
  encode(): void {},
  // RFC 7606 §7.6: a length fault discards the attribute; §3(c) keeps treat-as-withdraw for flags.
  onError(kind: AttrProblemKind): UpdateErrorAction {
    return kind === 'flags' ? UpdateErrorAction.TreatAsWithdraw : UpdateErrorAction.AttrDiscard;
  },
};

export const ONLY_TO_CUSTOMER: AttrDescriptor<number> = {
  code: AttrCode.OnlyToCustomer,
  name: 'ONLY_TO_CUSTOMER',
  flags: OPTIONAL_TRANSITIVE,
  decode(buf: Buffer, start: number, end: number): number {
    expectLength(start, end, 4, 'ONLY_TO_CUSTOMER');
    const v = u32At(buf, start);
    if (v === 0) throw new AttrFault('value', 'ONLY_TO_CUSTOMER AS 0');
    return v;
  },
  encode: encodeU32,
  onError: withdrawAlways,
};
