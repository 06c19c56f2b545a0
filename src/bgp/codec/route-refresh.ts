/**
 * DOC: ROUTE-REFRESH (RFC 2918 §3) with the RFC 7313 §3 message subtypes (0 request, 1 BoRR, 2 EoRR).
 *
 * Owns the 4-octet body: AFI (2), subtype (1, the "Reserved" octet of RFC 2918), SAFI (1). RFC 7313 §5: a
 * ROUTE-REFRESH whose body is not 4 octets is ROUTE-REFRESH Message Error / Invalid Message Length (7/1) with the
 * whole message as data. Petrel negotiates no ORF (RFC 5291), so that holds for subtype 0 too. A subtype other
 * than 0-2 is decoded as is and must be ignored by the receiver (RFC 7313 §5); its length is not checked.
 */
import { ErrCode, HEADER_LENGTH, MsgType, RouteRefreshSubcode } from '../constants';
import { NotificationError } from '../errors';
import type { RouteRefreshMessage } from './types';
import type { BufWriter } from '../../util/writer';

export const ROUTE_REFRESH_BODY_LENGTH = 4;

/** True for the subtypes RFC 7313 defines; a receiver ignores the others. */
export function isKnownRefreshSubtype(subtype: number): boolean {
  return subtype <= 2;
}

/**
 * Decodes a ROUTE-REFRESH body `buf[start..end)`; `msgStart` is where its header begins (for the 7/1 data). The
 * header check guarantees at least 4 octets.
 */
export function decodeRouteRefresh(buf: Buffer, msgStart: number, start: number, end: number): RouteRefreshMessage {
  const subtype = buf[start + 2];
  if (end - start !== ROUTE_REFRESH_BODY_LENGTH && isKnownRefreshSubtype(subtype)) {
    // RFC 7313 §5: the data is the complete ROUTE-REFRESH message.
    throw new NotificationError(ErrCode.RouteRefresh, RouteRefreshSubcode.InvalidMessageLength, buf.subarray(msgStart, end),
      `ROUTE-REFRESH length ${end - start + HEADER_LENGTH}`);
  }
  return { type: MsgType.RouteRefresh, afi: (buf[start] << 8) | buf[start + 1], subtype, safi: buf[start + 3] };
}

export function encodeRouteRefreshBody(w: BufWriter, msg: RouteRefreshMessage): void {
  w.u16(msg.afi).u8(msg.subtype).u8(msg.safi);
}
