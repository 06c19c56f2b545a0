/**
 * ROUTE-REFRESH (RFC 2918, RFC 7313): fixtures round-trip; a known subtype with a body other than 4 octets is 7/1
 * with the whole message as data; unknown subtypes decode (to be ignored) whatever their length.
 */
import t from 'tap';
import { hex, message, toHex } from '../../helpers/hex';
import { ROUTE_REFRESH_FIXTURES } from '../../fixtures/messages/non-update';
import { roundTrip } from '../../fixtures/messages/round-trip';
import { decodeMessage } from '../../../src/bgp/codec/message';
import { isKnownRefreshSubtype } from '../../../src/bgp/codec/route-refresh';
import { DEFAULT_CODEC_CONTEXT } from '../../../src/bgp/codec/types';
import { NotificationError } from '../../../src/bgp/errors';
import { MsgType } from '../../../src/bgp/constants';

for (const f of ROUTE_REFRESH_FIXTURES) roundTrip(t, f.name, f.msg, f.hex);

t.test('RFC 7313 §5: a body other than 4 octets is 7/1, data = the whole message', async (t) => {
  for (const body of ['0001000100', '0001010100', '000102010000']) {
    const m = message(5, hex(body));
    const chunk = Buffer.concat([hex('EEEE'), m]);
    try {
      decodeMessage(chunk, 2, chunk.length, DEFAULT_CODEC_CONTEXT);
      t.fail('no error');
    } catch (err) {
      t.ok(err instanceof NotificationError);
      const e = err as NotificationError;
      t.equal(`${e.errorCode}/${e.errorSubcode}`, '7/1', body);
      t.equal(toHex(e.data), toHex(m), `${body}: data`);
    }
  }
});

t.test('an unknown subtype decodes, to be ignored by the receiver', async (t) => {
  const m = message(5, hex('00020301AABB'));
  t.strictSame(decodeMessage(m, 0, m.length, DEFAULT_CODEC_CONTEXT), { type: MsgType.RouteRefresh, afi: 2, safi: 1, subtype: 3 });
  t.equal(isKnownRefreshSubtype(2), true);
  t.equal(isKnownRefreshSubtype(3), false);
});
