/**
 * DOC: the route reflection attributes ORIGINATOR_ID (9) and CLUSTER_LIST (10), RFC 4456 §8.
 *
 * RFC 7606 §7.9/§7.10: from an external peer they are discarded (done in `validate.ts`); from an internal peer a
 * wrong length (ORIGINATOR_ID not 4, CLUSTER_LIST not a non-zero multiple of 4) is treat-as-withdraw.
 * Loop checks against our router id and cluster id are the RIB's job.
 */
import { AttrCode } from '../../constants';
import type { BufWriter } from '../../../util/writer';
import { OPTIONAL, expectLength, expectMultiple, ipv4At, withdrawIbgpDiscardEbgp, writeIpv4, type AttrDescriptor } from './types';

export const ORIGINATOR_ID: AttrDescriptor<string> = {
  code: AttrCode.OriginatorId,
  name: 'ORIGINATOR_ID',
  flags: OPTIONAL,
  decode(buf: Buffer, start: number, end: number): string {
    expectLength(start, end, 4, 'ORIGINATOR_ID');
    return ipv4At(buf, start);
  },
  encode(w: BufWriter, value: string): void {
    writeIpv4(w, value);
  },
  onError: withdrawIbgpDiscardEbgp,
};

export const CLUSTER_LIST: AttrDescriptor<string[]> = {
  code: AttrCode.ClusterList,
  name: 'CLUSTER_LIST',
  flags: OPTIONAL,
  decode(buf: Buffer, start: number, end: number): string[] {
    expectMultiple(start, end, 4, 'CLUSTER_LIST');
    const out: string[] = [];
    for (let p = start; p < end; p += 4) out.push(ipv4At(buf, p));
    return out;
  },
  encode(w: BufWriter, value: string[]): void {
    for (const id of value) writeIpv4(w, id);
  },
  onError: withdrawIbgpDiscardEbgp,
};
