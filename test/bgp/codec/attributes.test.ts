/**
 * Path attribute table: one (object, bytes) fixture per attribute drives decode, encode and both round trips;
 * structural faults report the right kind; markPartialForPropagation follows RFC 4271 §5.
 */
import t from 'tap';
import { hex, toHex } from '../../helpers/hex';
import { ATTR_TABLE, AttrFault, markPartialForPropagation } from '../../../src/bgp/codec/attributes/index';
import { encodeAttribute } from '../../../src/bgp/codec/update';
import type { CodecContext, PathAttribute } from '../../../src/bgp/codec/types';
import { UpdateErrorAction } from '../../../src/bgp/errors';
import { IPV4_UNICAST, IPV6_UNICAST } from '../../../src/bgp/family';
import { parsePrefix } from '../../../src/util/prefix';
import { BufWriter } from '../../../src/util/writer';

const AS4: CodecContext = { as4: true, addPath: new Set(), extendedMessage: false };
const AS2: CodecContext = { as4: false, addPath: new Set(), extendedMessage: false };
const ADDPATH: CodecContext = { as4: true, addPath: new Set([IPV4_UNICAST, IPV6_UNICAST]), extendedMessage: false };

function enc(attr: PathAttribute, ctx: CodecContext): string {
  const w = new BufWriter(8);
  encodeAttribute(w, attr, ctx);
  return toHex(w.finish());
}

/** Decodes a whole attribute (header included) with the table; checks it reads only its own octets. */
function dec(wire: Buffer, ctx: CodecContext): PathAttribute {
  const flags = wire[0];
  const code = wire[1];
  const hdr = flags & 0x10 ? 4 : 3;
  const padded = Buffer.concat([wire, hex('ffffffffffffffff')]);
  const value = ATTR_TABLE[code] ? ATTR_TABLE[code]!.decode(padded, hdr, wire.length, ctx) : wire.subarray(hdr);
  return { code, flags, value };
}

const pfx = (p: string) => parsePrefix(p)!;
const FIXTURES: [string, CodecContext, PathAttribute, string][] = [
  ['ORIGIN', AS4, { code: 1, flags: 0x40, value: 2 }, '40010102'],
  ['AS_PATH 4-octet', AS4, { code: 2, flags: 0x40, value: [{ type: 2, asns: [65001, 4200000000] }, { type: 1, asns: [1, 2] }] },
    '4002 14 0202 0000fde9 fa56ea00 0102 00000001 00000002'],
  ['AS_PATH 2-octet', AS2, { code: 2, flags: 0x40, value: [{ type: 2, asns: [65001, 23456] }] }, '4002 06 0202 fde9 5ba0'],
  ['AS_PATH confed segments', AS4, { code: 2, flags: 0x40, value: [{ type: 3, asns: [64512] }, { type: 4, asns: [64513] }, { type: 2, asns: [65001] }] },
    '4002 12 0301 0000fc00 0401 0000fc01 0201 0000fde9'],
  ['AS_PATH empty', AS4, { code: 2, flags: 0x40, value: [] }, '400200'],
  ['NEXT_HOP', AS4, { code: 3, flags: 0x40, value: '192.0.2.1' }, '400304c0000201'],
  ['MED', AS4, { code: 4, flags: 0x80, value: 0xfffffffe }, '800404fffffffe'],
  ['LOCAL_PREF', AS4, { code: 5, flags: 0x40, value: 100 }, '40050400000064'],
  ['ATOMIC_AGGREGATE', AS4, { code: 6, flags: 0x40, value: true }, '400600'],
  ['AGGREGATOR 4-octet', AS4, { code: 7, flags: 0xc0, value: { asn: 4200000000, address: '10.0.0.1' } }, 'c00708fa56ea000a000001'],
  ['AGGREGATOR 2-octet', AS2, { code: 7, flags: 0xc0, value: { asn: 65001, address: '10.0.0.1' } }, 'c00706fde90a000001'],
  ['COMMUNITIES', AS4, { code: 8, flags: 0xc0, value: [0xfde90064, 0xffffff01] }, 'c00808fde90064ffffff01'],
  ['ORIGINATOR_ID', AS4, { code: 9, flags: 0x80, value: '10.0.0.9' }, '8009040a000009'],
  ['CLUSTER_LIST', AS4, { code: 10, flags: 0x80, value: ['10.0.0.9', '1.2.3.4'] }, '800a080a00000901020304'],
  ['MP_REACH IPv6 global + link-local', AS4, {
    code: 14, flags: 0x90, value: {
      afi: 2, safi: 1, nextHops: ['2001:db8::1', 'fe80::1'],
      nlri: { keys: [pfx('2001:db8:1::/48'), pfx('2001:db8:2::/64')] },
    },
  }, '900e 0035 0002 01 20 20010db8000000000000000000000001 fe800000000000000000000000000001 00 30 20010db80001 40 20010db800020000'],
  ['MP_REACH IPv6 global only, ADD-PATH', ADDPATH, {
    code: 14, flags: 0x80, value: { afi: 2, safi: 1, nextHops: ['2001:db8::1'], nlri: { keys: [pfx('2001:db8:1::/48')], pathIds: [5] } },
  }, '800e 20 0002 01 10 20010db8000000000000000000000001 00 00000005 30 20010db80001'],
  ['MP_REACH RFC 8950 IPv4 NLRI, IPv6 next hop', AS4, {
    code: 14, flags: 0x80, value: { afi: 1, safi: 1, nextHops: ['2001:db8::1'], nlri: { keys: [pfx('10.0.0.0/8')] } },
  }, '800e 17 0001 01 10 20010db8000000000000000000000001 00 08 0a'],
  ['MP_REACH IPv4 next hop, reserved octet kept', AS4, {
    code: 14, flags: 0x80, value: { afi: 1, safi: 1, nextHops: ['10.0.0.1'], reserved: 7, nlri: { keys: [pfx('10.1.0.0/16')] } },
  }, '800e 0c 0001 01 04 0a000001 07 10 0a01'],
  ['MP_REACH unsupported family kept raw', AS4, {
    code: 14, flags: 0x80, value: { afi: 1, safi: 133, nextHops: [], unsupported: { nextHop: Buffer.alloc(0), nlri: hex('0701180a0000') } },
  }, '800e 0b 0001 85 00 00 0701180a0000'],
  ['MP_UNREACH IPv6', AS4, { code: 15, flags: 0x80, value: { afi: 2, safi: 1, nlri: { keys: [pfx('2001:db8::/32')] } } },
    '800f 08 0002 01 20 20010db8'],
  ['MP_UNREACH IPv6 ADD-PATH', ADDPATH, { code: 15, flags: 0x80, value: { afi: 2, safi: 1, nlri: { keys: [pfx('2001:db8::/32')], pathIds: [9] } } },
    '800f 0c 0002 01 00000009 20 20010db8'],
  ['MP_UNREACH unsupported', AS4, { code: 15, flags: 0x80, value: { afi: 25, safi: 70, unsupported: { nlri: hex('0102') } } }, '800f 05 0019 46 0102'],
  ['EXTENDED_COMMUNITIES', AS4, { code: 16, flags: 0xc0, value: ['0002fde900000064', '030c000000000008'] }, 'c01010 0002fde900000064 030c000000000008'],
  ['AS4_PATH', AS2, { code: 17, flags: 0xc0, value: [{ type: 2, asns: [4200000000, 65001] }] }, 'c0110a0202fa56ea000000fde9'],
  ['AS4_AGGREGATOR', AS2, { code: 18, flags: 0xc0, value: { asn: 4200000000, address: '10.0.0.1' } }, 'c01208fa56ea000a000001'],
  ['PMSI_TUNNEL', AS4, { code: 22, flags: 0xc0, value: hex('00060000000a000002') }, 'c01609 00060000000a000002'],
  ['TUNNEL_ENCAPSULATION', AS4, { code: 23, flags: 0xc0, value: hex('0008 0007 0c05 0000000000') }, 'c0170b 0008 0007 0c05 0000000000'],
  ['IPV6_EXTENDED_COMMUNITIES', AS4, { code: 25, flags: 0xc0, value: hex('000220010db80000000000000000000000010001') }, 'c01914000220010db80000000000000000000000010001'],
  ['AIGP', AS4, { code: 26, flags: 0x80, value: hex('01000b000000000000000a') }, '801a0b01000b000000000000000a'],
  ['BGP_LS', AS4, { code: 29, flags: 0x80, value: hex('0400000100') }, '801d050400000100'],
  ['LARGE_COMMUNITY', AS4, { code: 32, flags: 0xc0, value: [[65001, 1, 2]] }, 'c0200c0000fde90000000100000002'],
  ['ONLY_TO_CUSTOMER', AS4, { code: 35, flags: 0xc0, value: 65001 }, 'c023040000fde9'],
  ['NEXT_HOP_CAPABILITY', AS4, { code: 39, flags: 0xc0, value: hex('00010104 0a000001 0001 0001 00') }, 'c0270d000101040a00000100010001' + '00'],
  ['PREFIX_SID', AS4, { code: 40, flags: 0xc0, value: hex('010007 00 0000 00000064') }, 'c0280a01000700000000000064'],
  ['unknown optional transitive', AS4, { code: 254, flags: 0xe0, value: hex('deadbeef') }, 'e0fe04deadbeef'],
];

t.test('every attribute: encode gives the bytes, decode gives the object', async (t) => {
  for (const [name, ctx, attr, wireHex] of FIXTURES) {
    const wire = hex(wireHex);
    t.equal(enc(attr, ctx), toHex(wire), `${name}: encode`);
    t.same(dec(wire, ctx), attr, `${name}: decode`);
    t.same(dec(hex(enc(attr, ctx)), ctx), attr, `${name}: decode(encode(x)) = x`);
    t.equal(enc(dec(wire, ctx), ctx), toHex(wire), `${name}: encode(decode(b)) = b`);
  }
});

t.test('a long value gets the Extended Length flag', async (t) => {
  const comms = Array.from({ length: 70 }, (_, i) => i);
  const out = enc({ code: 8, flags: 0xc0, value: comms }, AS4);
  t.equal(out.slice(0, 8), 'D0080118');
  t.equal(out.length, (4 + 280) * 2);
  t.same(dec(hex(out), AS4), { code: 8, flags: 0xd0, value: comms });
});

t.test('2-octet encoding writes AS_TRANS for 4-octet ASNs', async (t) => {
  t.equal(enc({ code: 2, flags: 0x40, value: [{ type: 2, asns: [4200000000, 65001] }] }, AS2), '400206' + '0202' + '5BA0FDE9');
  t.equal(enc({ code: 7, flags: 0xc0, value: { asn: 4200000000, address: '10.0.0.1' } }, AS2), 'C007065BA00A000001');
});

t.test('AS path segments longer than 255 are split', async (t) => {
  const asns = Array.from({ length: 300 }, (_, i) => i + 1);
  const out = hex(enc({ code: 2, flags: 0x50, value: [{ type: 2, asns }] }, AS2));
  t.same(dec(out, AS2).value, [{ type: 2, asns: asns.slice(0, 255) }, { type: 2, asns: asns.slice(255) }]);
});

t.test('structural faults report their kind', async (t) => {
  const faults: [string, string, CodecContext, string][] = [
    ['ORIGIN value', '40010103', AS4, 'value'],
    ['AS_PATH 2-octet truncated', '4002 03 0201 fd', AS2, 'structure'],
    ['AS_PATH header cut', '4002 01 02', AS4, 'structure'],
    ['AS_PATH AS 0', '4002 04 0201 0000', AS2, 'value'],
    ['AGGREGATOR 2-octet length 8', 'c00708 0000fde9 0a000001', AS2, 'length'],
    ['AS4_AGGREGATOR AS 0', 'c01208 00000000 0a000001', AS4, 'value'],
    ['CLUSTER_LIST 0', '800a00', AS4, 'length'],
    ['AIGP unknown TLV', '801a0b09000b000000000000000a', AS4, 'value'],
    ['PREFIX_SID SRGB length', 'c02806 030003 000000', AS4, 'length'],
    ['TUNNEL_ENCAPSULATION sub-TLV overrun', 'c01706 0008 0002 0c05', AS4, 'structure'],
    ['NHC next hop overrun', 'c02706 00010104 0a00', AS4, 'structure'],
  ];
  for (const [name, h, ctx, kind] of faults) {
    let err: unknown;
    try {
      dec(hex(h), ctx);
    } catch (e) {
      err = e;
    }
    t.ok(err instanceof AttrFault, `${name}: AttrFault`);
    t.equal((err as AttrFault).kind, kind, `${name}: kind`);
  }
});

t.test('outcome table per peer kind', async (t) => {
  t.equal(ATTR_TABLE[5]!.onError('length', true), UpdateErrorAction.TreatAsWithdraw);
  t.equal(ATTR_TABLE[5]!.onError('length', false), UpdateErrorAction.AttrDiscard);
  t.equal(ATTR_TABLE[9]!.onError('flags', false), UpdateErrorAction.TreatAsWithdraw);
  t.equal(ATTR_TABLE[7]!.onError('length', true), UpdateErrorAction.AttrDiscard);
  t.equal(ATTR_TABLE[7]!.onError('flags', true), UpdateErrorAction.TreatAsWithdraw);
  t.equal(ATTR_TABLE[40]!.onError('flags', true), UpdateErrorAction.AttrDiscard);
  t.equal(ATTR_TABLE[1]!.onError('value', false), UpdateErrorAction.TreatAsWithdraw);
});

t.test('markPartialForPropagation', async (t) => {
  const origin = { code: 1, flags: 0x40, value: 0 };
  const med = { code: 4, flags: 0x80, value: 5 };
  const unknownTrans = { code: 254, flags: 0xc0, value: hex('01') };
  const unknownTransPartial = { code: 250, flags: 0xe0, value: hex('02') };
  const unknownNonTrans = { code: 253, flags: 0x80, value: hex('03') };
  const input = [origin, med, unknownTrans, unknownTransPartial, unknownNonTrans];
  const out = markPartialForPropagation(input);
  t.same(out, [origin, med, { code: 254, flags: 0xe0, value: hex('01') }, unknownTransPartial]);
  t.equal(out[0], origin, 'recognised attributes are the same objects');
  t.equal(unknownTrans.flags, 0xc0, 'input not modified');
  t.equal(input.length, 5);
});
