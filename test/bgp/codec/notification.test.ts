/**
 * NOTIFICATION: fixtures round-trip; RFC 9003 shutdown communications decode only when well formed and only for
 * Cease 2 and 4; building one truncates at a UTF-8 boundary; data is cut to fit the maximum length; names.
 */
import t from 'tap';
import { hex, toHex } from '../../helpers/hex';
import { NOTIFICATION_FIXTURES } from '../../fixtures/messages/non-update';
import { roundTrip } from '../../fixtures/messages/round-trip';
import { decodeMessage, encodeMessage } from '../../../src/bgp/codec/message';
import {
  decodeNotification, decodeShutdownCommunication, encodeShutdownCommunication, shutdownNotification,
} from '../../../src/bgp/codec/notification';
import { notificationName } from '../../../src/bgp/codec/notification-names';
import { DEFAULT_CODEC_CONTEXT, type NotificationMessage } from '../../../src/bgp/codec/types';
import { MsgType } from '../../../src/bgp/constants';

for (const f of NOTIFICATION_FIXTURES) roundTrip(t, f.name, f.msg, f.hex);

t.test('shutdown communication only for Cease 2 and 4', async (t) => {
  const data = '0568656C6C6F';
  t.equal(decodeNotification(hex('0604' + data), 0, 8).communication, 'hello');
  t.equal(decodeNotification(hex('0602' + data), 0, 8).communication, 'hello');
  t.equal(decodeNotification(hex('0603' + data), 0, 8).communication, undefined, 'Peer De-configured');
  t.equal(decodeNotification(hex('0302' + data), 0, 8).communication, undefined, 'UPDATE error');
});

t.test('malformed communications are kept raw', async (t) => {
  t.equal(decodeShutdownCommunication(hex('')), undefined, 'empty');
  t.equal(decodeShutdownCommunication(hex('00')), undefined, 'zero length');
  t.equal(decodeShutdownCommunication(hex('0341')), undefined, 'length past the data');
  t.equal(decodeShutdownCommunication(hex('014142')), undefined, 'trailing octets');
  t.equal(decodeShutdownCommunication(hex('02C328')), undefined, 'invalid UTF-8');
  t.equal(decodeShutdownCommunication(hex('02C3A9')), 'é');
});

t.test('building a shutdown NOTIFICATION', async (t) => {
  t.strictSame(shutdownNotification('maintenance'), {
    type: MsgType.Notification, code: 6, subcode: 2, data: hex('0B6D61696E74656E616E6365'), communication: 'maintenance',
  });
  t.strictSame(shutdownNotification('', 4), { type: MsgType.Notification, code: 6, subcode: 4, data: Buffer.alloc(0) });
  // 128 two-octet characters are 256 octets: cut to 127 characters (254 octets), never inside a character.
  const long = encodeShutdownCommunication('é'.repeat(128));
  t.equal(long[0], 254);
  t.equal(long.length, 255);
  t.equal(decodeShutdownCommunication(long), 'é'.repeat(127));
  const ascii = encodeShutdownCommunication('x'.repeat(300));
  t.equal(ascii[0], 255);
  t.equal(ascii.length, 256);
});

t.test('data is cut to fit 4096 octets (or 65535 with extended messages)', async (t) => {
  const msg: NotificationMessage = { type: MsgType.Notification, code: 3, subcode: 1, data: Buffer.alloc(5000, 0xaa) };
  const small = encodeMessage(msg, DEFAULT_CODEC_CONTEXT);
  t.equal(small.length, 4096);
  t.equal(small.readUInt16BE(16), 4096);
  const ext = { ...DEFAULT_CODEC_CONTEXT, extendedMessage: true };
  const big = encodeMessage(msg, ext);
  t.equal(big.length, 21 + 5000);
  t.strictSame(decodeMessage(big, 0, big.length, ext), msg);
});

t.test('names', async (t) => {
  t.equal(notificationName(6, 2), 'Cease / Administrative Shutdown');
  t.equal(notificationName(6, 9), 'Cease / Hard Reset');
  t.equal(notificationName(6, 10), 'Cease / BFD Down');
  t.equal(notificationName(1, 2), 'Message Header Error / Bad Message Length');
  t.equal(notificationName(2, 7), 'OPEN Message Error / Unsupported Capability');
  t.equal(notificationName(2, 11), 'OPEN Message Error / Role Mismatch');
  t.equal(notificationName(2, 0), 'OPEN Message Error / Unspecific');
  t.equal(notificationName(3, 11), 'UPDATE Message Error / Malformed AS_PATH');
  t.equal(notificationName(4, 0), 'Hold Timer Expired');
  t.equal(notificationName(5, 2), 'Finite State Machine Error / Receive Unexpected Message in OpenConfirm State');
  t.equal(notificationName(7, 1), 'ROUTE-REFRESH Message Error / Invalid Message Length');
  t.equal(notificationName(8, 0), 'Send Hold Timer Expired');
  t.equal(notificationName(6, 42), 'Cease / Subcode 42');
  t.equal(notificationName(4, 1), 'Hold Timer Expired / Subcode 1');
  t.equal(notificationName(9, 1), 'Code 9 / Subcode 1');
  t.equal(toHex(Buffer.from(notificationName(1, 1))), toHex(Buffer.from('Message Header Error / Connection Not Synchronized')));
});
