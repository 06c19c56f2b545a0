/**
 * NLRI codec: IPv4/IPv6 keys, host-bit masking, ADD-PATH path identifiers, exact round trips, 3/10 on bad input,
 * and no reads past `end`.
 */
import t from 'tap';
import { hex, toHex } from '../../helpers/hex';
import { decodeIpv4Nlri, decodeIpv6Nlri, emptyNlri, encodeNlri } from '../../../src/bgp/codec/nlri';
import type { NlriList } from '../../../src/bgp/codec/types';
import { NotificationError } from '../../../src/bgp/errors';
import { IPV4_UNICAST, IPV6_UNICAST } from '../../../src/bgp/family';
import { formatPrefixKey, parsePrefix } from '../../../src/util/prefix';
import { BufWriter } from '../../../src/util/writer';

function encode(family: number, list: NlriList, addPath: boolean): string {
  const w = new BufWriter(4);
  encodeNlri(w, family, list, addPath);
  return toHex(w.finish());
}

t.test('IPv4 decode into number keys, every length class', async (t) => {
  const bytes = hex('00 08 0a 10 0a 01 18 0a 01 02 20 0a 01 02 03 19 c0 00 02 80');
  const out = emptyNlri();
  decodeIpv4Nlri(bytes, 0, bytes.length, false, out);
  t.same(out.keys.map(formatPrefixKey), ['0.0.0.0/0', '10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '10.1.2.3/32', '192.0.2.128/25']);
  t.equal(out.keys[3], parsePrefix('10.1.2.0/24'));
  t.equal(out.pathIds, undefined);
  t.equal(encode(IPV4_UNICAST, out, false), toHex(bytes));
});

t.test('IPv4 host bits beyond the length are masked in keys', async (t) => {
  const bytes = hex('17 0a 01 03 1c ff ff ff ff 01 ff');
  const out = emptyNlri();
  decodeIpv4Nlri(bytes, 0, bytes.length, false, out);
  t.same(out.keys.map(formatPrefixKey), ['10.1.2.0/23', '255.255.255.240/28', '128.0.0.0/1']);
  t.equal(encode(IPV4_UNICAST, out, false), '170A01021CFFFFFFF00180');
});

t.test('IPv4 ADD-PATH path identifiers', async (t) => {
  const bytes = hex('00000001 18 0a0102  ffffffff 20 0a010203');
  const out = emptyNlri();
  decodeIpv4Nlri(bytes, 0, bytes.length, true, out);
  t.same(out.keys.map(formatPrefixKey), ['10.1.2.0/24', '10.1.2.3/32']);
  t.same(out.pathIds, [1, 0xffffffff]);
  t.equal(encode(IPV4_UNICAST, out, true), toHex(bytes));
});

t.test('appends to an existing list', async (t) => {
  const out: NlriList = { keys: [parsePrefix('10.0.0.0/8')!] };
  decodeIpv4Nlri(hex('10 0a 02'), 0, 3, false, out);
  t.same(out.keys.map(formatPrefixKey), ['10.0.0.0/8', '10.2.0.0/16']);
});

t.test('IPv6 decode into 17-char keys with masking', async (t) => {
  const bytes = hex('40 20010db800000001  7f 20010db8000000000000000000000003  00  80 00000000000000000000000000000001');
  const out = emptyNlri();
  decodeIpv6Nlri(bytes, 0, bytes.length, false, out);
  t.same(out.keys.map(formatPrefixKey), ['2001:db8:0:1::/64', '2001:db8::2/127', '::/0', '::1/128']);
  t.equal(out.keys[0], parsePrefix('2001:db8:0:1::/64'));
  t.equal(typeof out.keys[0], 'string');
  t.equal((out.keys[0] as string).length, 17);
  t.equal(encode(IPV6_UNICAST, out, false), '4020010DB8000000017F20010DB8000000000000000000000002' + '00' + '8000000000000000000000000000000001');
});

t.test('IPv6 ADD-PATH round trip', async (t) => {
  const bytes = hex('00000007 30 20010db80001  00000008 30 20010db80001');
  const out = emptyNlri(true);
  decodeIpv6Nlri(bytes, 0, bytes.length, true, out);
  t.same(out.keys.map(formatPrefixKey), ['2001:db8:1::/48', '2001:db8:1::/48']);
  t.same(out.pathIds, [7, 8]);
  t.equal(encode(IPV6_UNICAST, out, true), toHex(bytes));
});

t.test('bad lengths and overruns throw 3/10, never reading past end', async (t) => {
  const cases: [string, string, boolean, 4 | 6][] = [
    ['length above 32', '21 0a000000 00', false, 4],
    ['prefix overruns', '18 0a01', false, 4],
    ['truncated path id', '000000', true, 4],
    ['path id without length', '00000001', true, 4],
    ['length above 128', '81 00', false, 6],
    ['IPv6 prefix overruns', '40 20010db8', false, 6],
  ];
  for (const [name, h, addPath, v] of cases) {
    const body = hex(h);
    // The field sits inside a larger buffer whose tail would make the prefix look complete.
    const buf = Buffer.concat([body, Buffer.alloc(32, 0x0a)]);
    const fn = v === 4 ? decodeIpv4Nlri : decodeIpv6Nlri;
    let err: unknown;
    try {
      fn(buf, 0, body.length, addPath, emptyNlri(addPath));
    } catch (e) {
      err = e;
    }
    t.ok(err instanceof NotificationError, `${name}: NotificationError`);
    t.same([(err as NotificationError).errorCode, (err as NotificationError).errorSubcode], [3, 10], name);
  }
});

t.test('decoding stops exactly at end', async (t) => {
  const buf = hex('18 0a0102 18 0b0102');
  const out = emptyNlri();
  decodeIpv4Nlri(buf, 0, 4, false, out);
  t.same(out.keys.map(formatPrefixKey), ['10.1.2.0/24']);
});

t.test('encoding into a small writer grows it', async (t) => {
  const keys: number[] = [];
  for (let i = 0; i < 300; i++) keys.push(parsePrefix(`10.${i >> 8}.${i & 255}.0/24`) as number);
  const w = new BufWriter(8);
  encodeNlri(w, IPV4_UNICAST, { keys }, false);
  const bytes = w.finish();
  t.equal(bytes.length, 1200);
  const back = emptyNlri();
  decodeIpv4Nlri(bytes, 0, bytes.length, false, back);
  t.same(back.keys, keys);
});
