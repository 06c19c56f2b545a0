/**
 * KEEPALIVE: the fixture round-trips; decoding returns one frozen singleton; encoding returns the pre-built bytes;
 * a KEEPALIVE with a body is 1/2.
 */
import t from 'tap';
import { hex, toHex } from '../../helpers/hex';
import { KEEPALIVE_FIXTURES } from '../../fixtures/messages/non-update';
import { roundTrip } from '../../fixtures/messages/round-trip';
import { KEEPALIVE, decodeMessage, encodeMessage } from '../../../src/bgp/codec/message';
import { KEEPALIVE_MESSAGE } from '../../../src/bgp/codec/keepalive';
import { DEFAULT_CODEC_CONTEXT } from '../../../src/bgp/codec/types';
import { NotificationError } from '../../../src/bgp/errors';

for (const f of KEEPALIVE_FIXTURES) roundTrip(t, f.name, f.msg, f.hex);

t.test('decoding returns the frozen singleton; encoding the pre-built buffer', async (t) => {
  const bytes = hex(KEEPALIVE_FIXTURES[0].hex);
  const a = decodeMessage(bytes, 0, 19, DEFAULT_CODEC_CONTEXT);
  const b = decodeMessage(bytes, 0, 19, DEFAULT_CODEC_CONTEXT);
  t.equal(a, b);
  t.equal(a, KEEPALIVE_MESSAGE);
  t.ok(Object.isFrozen(a));
  t.equal(encodeMessage({ type: 4 }, DEFAULT_CODEC_CONTEXT), KEEPALIVE);
  t.equal(toHex(KEEPALIVE), 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304');
});

t.test('a KEEPALIVE with a body is 1/2 Bad Message Length', async (t) => {
  const bytes = hex('FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00140400');
  try {
    decodeMessage(bytes, 0, bytes.length, DEFAULT_CODEC_CONTEXT);
    t.fail('no error');
  } catch (err) {
    t.ok(err instanceof NotificationError);
    const e = err as NotificationError;
    t.strictSame([e.errorCode, e.errorSubcode, toHex(e.data)], [1, 2, '0014']);
  }
});
