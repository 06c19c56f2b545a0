/**
 * DOC: AGGREGATOR (type 7, RFC 4271 §5.1.7) and AS4_AGGREGATOR (type 18, RFC 6793 §3).
 *
 * AGGREGATOR is an AS (2 octets, or 4 once 4-octet AS is negotiated) and an IPv4 address; AS4_AGGREGATOR always has
 * a 4-octet AS. A wrong length (RFC 7606 §7.7, RFC 6793 §6) or AS 0 (RFC 7607 §2) discards the attribute; a flags
 * conflict is treat-as-withdraw (RFC 7606 §3(c)).
 */
import { AttrCode } from '../../constants';
import { UpdateErrorAction } from '../../errors';
import type { BufWriter } from '../../../util/writer';
import type { Aggregator, CodecContext } from '../types';
import { AS_TRANS } from './as-path';
import { AttrFault, OPTIONAL_TRANSITIVE, expectLength, ipv4At, u32At, writeIpv4, type AttrDescriptor, type AttrProblemKind } from './types';

function decodeAggregator(buf: Buffer, start: number, end: number, four: boolean, name: string): Aggregator {
  expectLength(start, end, four ? 8 : 6, name);
  const asn = four ? u32At(buf, start) : (buf[start] << 8) | buf[start + 1];
  if (asn === 0) throw new AttrFault('value', `${name}: AS 0`);
  return { asn, address: ipv4At(buf, start + (four ? 4 : 2)) };
}

function discardUnlessFlags(kind: AttrProblemKind): UpdateErrorAction {
  return kind === 'flags' ? UpdateErrorAction.TreatAsWithdraw : UpdateErrorAction.AttrDiscard;
}

export const AGGREGATOR: AttrDescriptor<Aggregator> = {
  code: AttrCode.Aggregator,
  name: 'AGGREGATOR',
  flags: OPTIONAL_TRANSITIVE,
  decode(buf: Buffer, start: number, end: number, ctx: CodecContext): Aggregator {
    return decodeAggregator(buf, start, end, ctx.as4, 'AGGREGATOR');
  },
  encode(w: BufWriter, value: Aggregator, ctx: CodecContext): void {
    if (ctx.as4) w.u32(value.asn);
    else w.u16(value.asn > 0xffff ? AS_TRANS : value.asn);
    writeIpv4(w, value.address);
  },
  onError: discardUnlessFlags,
};

export const AS4_AGGREGATOR: AttrDescriptor<Aggregator> = {
  code: AttrCode.As4Aggregator,
  name: 'AS4_AGGREGATOR',
  flags: OPTIONAL_TRANSITIVE,
  decode(buf: Buffer, start: number, end: number): Aggregator {
    return decodeAggregator(buf, start, end, true, 'AS4_AGGREGATOR');
  },
  encode(w: BufWriter, value: Aggregator): void {
    w.u32(value.asn);
    writeIpv4(w, value.address);
  },
  onError: discardUnlessFlags,
};
