/**
 * Header checks (RFC 4271 §6.1, RFC 8654 §4): exact code, subcode and data for every failure, and the lengths
 * that pass at the edges.
 */
import t from 'tap';
import { hex, toHex } from '../../helpers/hex';
import { checkHeader, isKnownType, maxMessageLength } from '../../../src/bgp/codec/header';
import { NotificationError } from '../../../src/bgp/errors';

const M = 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF';

function header(length: number, type: number): Buffer {
  const b = Buffer.alloc(19, 0xff);
  b.writeUInt16BE(length, 16);
  b[18] = type;
  return b;
}

function failure(buf: Buffer, max = 4096): string {
  try {
    checkHeader(buf, 0, max);
  } catch (err) {
    if (err instanceof NotificationError) return `${err.errorCode}/${err.errorSubcode} ${toHex(err.data)}`;
    throw err;
  }
  return 'ok';
}

t.test('marker not all ones: 1/1 Connection Not Synchronized, no data', async (t) => {
  for (let i = 0; i < 16; i++) {
    const b = header(19, 4);
    b[i] = 0xfe;
    t.equal(failure(b), '1/1 ', `octet ${i}`);
  }
});

t.test('length outside [19, max]: 1/2 with the length field as data', async (t) => {
  t.equal(failure(header(0, 4)), '1/2 0000');
  t.equal(failure(header(18, 2)), '1/2 0012');
  t.equal(failure(header(4097, 2)), '1/2 1001');
  t.equal(failure(header(65535, 2)), '1/2 FFFF');
  t.equal(failure(header(4097, 2), 65535), 'ok', 'UPDATE may exceed 4096 with extended messages');
  t.equal(failure(header(65535, 3), 65535), 'ok', 'NOTIFICATION too');
  t.equal(failure(header(65535, 5), 65535), 'ok', 'ROUTE-REFRESH too');
});

t.test('per-type minimums: 1/2 with the length field as data', async (t) => {
  t.equal(failure(header(28, 1)), '1/2 001C', 'OPEN < 29');
  t.equal(failure(header(29, 1)), 'ok');
  t.equal(failure(header(22, 2)), '1/2 0016', 'UPDATE < 23');
  t.equal(failure(header(23, 2)), 'ok');
  t.equal(failure(header(20, 3)), '1/2 0014', 'NOTIFICATION < 21');
  t.equal(failure(header(21, 3)), 'ok');
  t.equal(failure(header(20, 4)), '1/2 0014', 'KEEPALIVE != 19');
  t.equal(failure(header(19, 4)), 'ok');
  t.equal(failure(header(22, 5)), '1/2 0016', 'ROUTE-REFRESH < 23');
  t.equal(failure(header(23, 5)), 'ok');
});

t.test('RFC 8654: OPEN and KEEPALIVE stay capped at 4096', async (t) => {
  t.equal(failure(header(4097, 1), 65535), '1/2 1001');
  t.equal(failure(header(4096, 1), 65535), 'ok');
  t.equal(failure(header(4097, 4), 65535), '1/2 1001');
});

t.test('unknown type: 1/3 with the type as data', async (t) => {
  t.equal(failure(header(19, 0)), '1/3 00');
  t.equal(failure(header(23, 6)), '1/3 06');
  t.equal(failure(header(19, 255)), '1/3 FF');
  t.equal(failure(header(18, 255)), '1/2 0012', 'a length below 19 is reported before the type');
});

t.test('returns the length and reads at an offset', async (t) => {
  const buf = Buffer.concat([hex('AABB'), hex(`${M}002F02`)]);
  t.equal(checkHeader(buf, 2, 4096), 47);
  t.equal(isKnownType(5), true);
  t.equal(isKnownType(6), false);
  t.equal(maxMessageLength(false), 4096);
  t.equal(maxMessageLength(true), 65535);
});
