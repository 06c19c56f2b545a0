/**
 * OPEN decode/encode: every fixture round-trips; RFC 9072 extended parameters are chosen when needed; malformed
 * parameter lengths are 2/0; ExaBGP's expected JSON for its software-version OPEN matches our decode.
 */
import t from 'tap';
import * as fs from 'node:fs';
import { fixturePath } from '../../helpers/fixtures';
import { hex, message, toHex } from '../../helpers/hex';
import { OPEN_FIXTURES } from '../../fixtures/messages/non-update';
import { roundTrip } from '../../fixtures/messages/round-trip';
import { decodeMessage, encodeMessage } from '../../../src/bgp/codec/message';
import { decodeOpen, formatIpv4, parseIpv4 } from '../../../src/bgp/codec/open';
import { DEFAULT_CODEC_CONTEXT, type Capability, type OpenMessage } from '../../../src/bgp/codec/types';
import { NotificationError } from '../../../src/bgp/errors';
import { MsgType } from '../../../src/bgp/constants';

const ctx = DEFAULT_CODEC_CONTEXT;

for (const f of OPEN_FIXTURES) roundTrip(t, f.name, f.msg, f.hex);

function openBody(params: string): Buffer {
  return hex('04FDE800B40A000001' + params);
}

function decodeError(body: Buffer): NotificationError {
  try {
    decodeOpen(body, 0, body.length);
  } catch (err) {
    if (err instanceof NotificationError) return err;
    throw err;
  }
  throw new Error('no error');
}

t.test('malformed optional parameters are OPEN Message Error / Unspecific (2/0)', async (t) => {
  const cases: [string, string][] = [
    ['parameters length longer than the body', '05020200'],
    ['parameters length shorter than the body', '0202000000'],
    ['parameter length overruns', '03020502'],
    ['capability length overruns its parameter', '0402020204'],
    ['capability header cut short', '050201020200'],
    ['multiprotocol capability of 3 octets', '0702050103000101'],
    ['4-octet AS capability of 2 octets', '060204410200FF'],
    ['graceful restart capability of 3 octets', '0702054003000000'],
    ['ADD-PATH capability of 3 octets', '0702054503000101'],
    ['extended next hop capability of 4 octets', '080206050400010001'],
    ['route refresh capability with a value', '050203020100'],
    ['extended params total overruns', 'FFFF0010020003020000'],
  ];
  for (const [what, params] of cases) {
    const err = decodeError(openBody(params));
    t.equal(`${err.errorCode}/${err.errorSubcode}`, '2/0', what);
    t.equal(err.data.length, 0, `${what}: no data`);
  }
});

t.test('the draft capabilities 73 and 75 are kept as unknown when malformed', async (t) => {
  // 75 whose version length (5) disagrees with its value; 73 whose domain length runs past its value.
  const body = openBody('0C020A4B030541424903014104');
  t.strictSame(decodeOpen(body, 0, body.length).capabilities, [
    { code: 75, unknown: true, value: hex('054142') },
    { code: 73, unknown: true, value: hex('014104') },
  ]);
});

t.test('a non-UTF-8 software version is kept as an unknown capability', async (t) => {
  const body = openBody('0602044B0201FF');
  t.strictSame(decodeOpen(body, 0, body.length).capabilities, [{ code: 75, unknown: true, value: hex('01FF') }]);
});

t.test('encoding switches to RFC 9072 extended parameters past 255 octets', async (t) => {
  const caps: Capability[] = [];
  for (let i = 0; i < 50; i++) caps.push({ code: 1, afi: 1, safi: i + 1 }); // 50 × 6 = 300 octets
  const msg: OpenMessage = { type: MsgType.Open, version: 4, myAs: 65000, holdTime: 90, bgpId: '192.0.2.1', capabilities: caps };
  const bytes = encodeMessage(msg, ctx);
  t.equal(bytes.length, 19 + 9 + 1 + 1 + 2 + 1 + 2 + 300);
  t.equal(toHex(bytes.subarray(28, 35)), 'FFFF012F02012C', 'Non-Ext OP Len/Type 255, total 303, param 2 length 300');
  t.strictSame(decodeMessage(bytes, 0, bytes.length, ctx), { ...msg, extendedParams: true });
});

t.test('one capability per parameter grouping is preserved', async (t) => {
  const msg: OpenMessage = {
    type: MsgType.Open, version: 4, myAs: 1, holdTime: 0, bgpId: '1.2.3.4',
    capabilities: [{ code: 2 }, { code: 6 }, { code: 70 }], capabilityGrouping: [2, 1],
  };
  t.equal(toHex(encodeMessage(msg, ctx)), toHex(message(1, hex('040001000001020304' + '0A' + '020402000600' + '02024600'))));
});

t.test('dotted quads', async (t) => {
  t.equal(formatIpv4(0xc0000201), '192.0.2.1');
  t.equal(parseIpv4('192.0.2.1'), 0xc0000201);
  t.equal(parseIpv4('255.255.255.255'), 0xffffffff);
  t.equal(parseIpv4('1.2.3'), undefined);
  t.equal(parseIpv4('1.2.3.256'), undefined);
  t.equal(parseIpv4('1.2.3.x'), undefined);
});

t.test('ExaBGP qa/decoding/bgp-open-sofware-version matches the expected JSON', async (t) => {
  const lines = fs.readFileSync(fixturePath('exabgp', 'qa', 'decoding', 'bgp-open-sofware-version'), 'utf8').split('\n');
  t.equal(lines[0].trim(), 'open');
  const bytes = hex(lines[1]);
  const expected = JSON.parse(lines[2]).neighbor.open;
  const open = decodeMessage(bytes, 0, bytes.length, ctx) as OpenMessage;
  t.equal(open.version, expected.version);
  t.equal(open.myAs, expected.asn);
  t.equal(open.holdTime, expected.hold_time);
  t.equal(open.bgpId, expected.router_id);
  const byCode = new Map(open.capabilities.map((c) => [c.code, c]));
  t.same(Object.keys(expected.capabilities).map(Number), [1, 65, 75]);
  const mp = byCode.get(1) as { afi: number; safi: number };
  t.same([`${mp.afi === 1 ? 'ipv4' : mp.afi}/${mp.safi === 1 ? 'unicast' : mp.safi}`], expected.capabilities['1'].families);
  t.equal((byCode.get(65) as { asn: number }).asn, expected.capabilities['65'].asn4);
  t.equal((byCode.get(75) as { version: string }).version, expected.capabilities['75'].software);
});
