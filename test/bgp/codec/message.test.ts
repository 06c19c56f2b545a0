/**
 * Whole-message dispatch: a stream of every non-UPDATE fixture plus UPDATEs framed and decoded in order; UPDATE
 * goes to update.ts; the header is re-checked; length disagreements are 1/2; encoding checks the maximum length;
 * `writeMessage` appends; `encodeMessage` returns buffers that later encodes do not disturb.
 */
import t from 'tap';
import { hex, message, toHex } from '../../helpers/hex';
import { NON_UPDATE_FIXTURES } from '../../fixtures/messages/non-update';
import { Framer } from '../../../src/bgp/codec/framer';
import { decodeMessage, encodeMessage, KEEPALIVE, writeMessage } from '../../../src/bgp/codec/message';
import { DEFAULT_CODEC_CONTEXT, type BgpMessage, type UpdateMessage } from '../../../src/bgp/codec/types';
import { NotificationError } from '../../../src/bgp/errors';
import { MsgType } from '../../../src/bgp/constants';
import { BugError } from '../../../src/util/errors';
import { BufWriter } from '../../../src/util/writer';

const ctx = DEFAULT_CODEC_CONTEXT;
const M = 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF';
const EOR = hex(`${M}00170200000000`);
const ORIGIN_UPDATE = hex(`${M}001D020000000440010100080A`); // ORIGIN IGP, NLRI 10.0.0.0/8

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof NotificationError) return `${err.errorCode}/${err.errorSubcode} ${toHex(err.data)}`;
    throw err;
  }
  return 'ok';
}

t.test('UPDATE is dispatched to the UPDATE codec', async (t) => {
  t.strictSame(decodeMessage(EOR, 0, EOR.length, ctx), {
    type: MsgType.Update, withdrawn: { keys: [] }, attributes: [], nlri: { keys: [] },
  });
  t.equal(toHex(encodeMessage(decodeMessage(EOR, 0, EOR.length, ctx), ctx)), toHex(EOR));
  const upd = decodeMessage(ORIGIN_UPDATE, 0, ORIGIN_UPDATE.length, ctx) as UpdateMessage;
  t.equal(upd.type, MsgType.Update);
  t.strictSame(upd.attributes.map((a) => [a.code, a.flags, a.value]), [[1, 0x40, 0]]);
  t.strictSame(upd.nlri.keys, [0x0a000000 * 64 + 8], 'compact key of 10.0.0.0/8');
  t.equal(toHex(encodeMessage(upd, ctx)), toHex(ORIGIN_UPDATE), 'mirror');
});

t.test('a framed stream of every message type decodes in order', async (t) => {
  const fixtures = NON_UPDATE_FIXTURES.map((f) => hex(f.hex));
  const stream = Buffer.concat([EOR, ...fixtures, ORIGIN_UPDATE]);
  const decoded: BgpMessage[] = [];
  const f = new Framer();
  for (let i = 0; i < stream.length; i += 7) {
    f.push(stream.subarray(i, i + 7), (buf, start, end) => decoded.push(decodeMessage(buf, start, end, ctx)));
  }
  t.equal(decoded.length, fixtures.length + 2);
  t.strictSame(decoded.slice(1, -1), NON_UPDATE_FIXTURES.map((x) => x.msg));
  t.equal(decoded[0].type, MsgType.Update);
  t.equal(decoded[decoded.length - 1].type, MsgType.Update);
});

t.test('the header is checked again and must agree with the range', async (t) => {
  const ka = Buffer.concat([KEEPALIVE, hex('00')]);
  t.equal(failure(() => decodeMessage(ka, 0, 20, ctx)), '1/2 0013', 'range longer than the length field');
  t.equal(failure(() => decodeMessage(EOR, 0, 22, ctx)), '1/2 0017', 'range shorter than the length field');
  t.equal(failure(() => decodeMessage(EOR, 0, 18, ctx)), '1/2 ', 'fewer than 19 octets');
  const bad = Buffer.from(KEEPALIVE);
  bad[0] = 0;
  t.equal(failure(() => decodeMessage(bad, 0, 19, ctx)), '1/1 ');
  const big = message(2, Buffer.alloc(4100));
  t.equal(failure(() => decodeMessage(big, 0, big.length, ctx)), '1/2 1017', 'over 4096 without extended messages');
  t.equal(failure(() => decodeMessage(message(6, hex('0000')), 0, 21, ctx)), '1/3 06');
});

t.test('encoding refuses messages over the maximum', async (t) => {
  const huge: UpdateMessage = {
    type: MsgType.Update, withdrawn: { keys: [] }, nlri: { keys: [] },
    attributes: [{ code: 99, flags: 0xd0, value: Buffer.alloc(5000) }],
  };
  t.throws(() => encodeMessage(huge, ctx), BugError);
  const ext = { ...ctx, extendedMessage: true };
  t.equal(encodeMessage(huge, ext).length, 19 + 4 + 4 + 5000);
  const open = {
    type: MsgType.Open as const, version: 4, myAs: 1, holdTime: 90, bgpId: '1.1.1.1', extendedParams: true,
    capabilities: Array.from({ length: 700 }, () => ({ code: 1 as const, afi: 1, safi: 1 })),
  };
  t.throws(() => encodeMessage(open, ext), BugError, 'OPEN stays within 4096 even with extended messages');
  t.equal(toHex(encodeMessage({ type: MsgType.Keepalive }, ctx)), toHex(KEEPALIVE), 'the writer is usable after a refusal');
  t.equal(encodeMessage(EOR_MSG, ctx).length, 23);
});

const EOR_MSG: UpdateMessage = { type: MsgType.Update, withdrawn: { keys: [] }, attributes: [], nlri: { keys: [] } };

t.test('writeMessage appends; encodeMessage results are independent copies', async (t) => {
  const w = new BufWriter(8);
  t.equal(writeMessage(w, { type: MsgType.Keepalive }, ctx), 19);
  t.equal(writeMessage(w, EOR_MSG, ctx), 23);
  t.equal(toHex(w.take()), toHex(Buffer.concat([KEEPALIVE, EOR])));
  const a = encodeMessage({ type: MsgType.RouteRefresh, afi: 1, safi: 1, subtype: 0 }, ctx);
  const b = encodeMessage({ type: MsgType.Notification, code: 6, subcode: 3, data: Buffer.alloc(0) }, ctx);
  t.equal(toHex(a), `${M}00170500010001`);
  t.equal(toHex(b), `${M}0015030603`);
});
