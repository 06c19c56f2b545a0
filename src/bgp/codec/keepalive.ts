/**
 * DOC: KEEPALIVE (RFC 4271 §4.4): a bare header. Owns the frozen decoded singleton and the pre-built bytes, so
 * neither decoding nor sending a KEEPALIVE allocates. Its length (exactly 19) is checked in `header.ts`.
 */
import { HEADER_LENGTH, MsgType } from '../constants';
import type { KeepaliveMessage } from './types';

/** The decoded KEEPALIVE, shared and frozen. */
export const KEEPALIVE_MESSAGE: KeepaliveMessage = Object.freeze({ type: MsgType.Keepalive } as const);

function buildKeepalive(): Buffer {
  const b = Buffer.alloc(HEADER_LENGTH, 0xff);
  b.writeUInt16BE(HEADER_LENGTH, 16);
  b[18] = MsgType.Keepalive;
  return b;
}

/** The 19 octets of a KEEPALIVE, pre-built. Shared: never write to it. */
export const KEEPALIVE: Buffer = buildKeepalive();
