/**
 * The capability table: one (object, hex) row per capability code drives decode, encode and mirror; names;
 * unknown codes kept verbatim; values over 255 octets refused on encode.
 */
import t from 'tap';
import { hex, toHex } from '../../helpers/hex';
import { CAPABILITY_TABLE, capabilityName, decodeCapabilities, encodeCapability, isUnknownCapability } from '../../../src/bgp/codec/capabilities';
import type { Capability } from '../../../src/bgp/codec/types';
import { BugError } from '../../../src/util/errors';
import { BufReader } from '../../../src/util/reader';
import { BufWriter } from '../../../src/util/writer';

const ROWS: [string, Capability, string][] = [
  ['multiprotocol ipv6 unicast', { code: 1, afi: 2, safi: 1 }, '010400020001'],
  ['route refresh', { code: 2 }, '0200'],
  ['extended next hop', { code: 5, entries: [{ afi: 1, safi: 1, nextHopAfi: 2 }, { afi: 1, safi: 128, nextHopAfi: 2 }] }, '050C000100010002000100800002'],
  ['extended message', { code: 6 }, '0600'],
  ['graceful restart, N bit, no families', { code: 64, flags: 4, restartTime: 4095, families: [] }, '40024FFF'],
  ['graceful restart, two families', {
    code: 64, flags: 8, restartTime: 300, families: [{ afi: 1, safi: 1, flags: 0x80 }, { afi: 2, safi: 1, flags: 0 }],
  }, '400A812C0001018000020100'],
  ['4-octet AS', { code: 65, asn: 4200000000 }, '4104FA56EA00'],
  ['ADD-PATH', { code: 69, families: [{ afi: 2, safi: 1, sendReceive: 2 }] }, '450400020102'],
  ['enhanced route refresh', { code: 70 }, '4600'],
  ['long-lived graceful restart', { code: 71, families: [{ afi: 2, safi: 1, flags: 0, staleTime: 0xabcdef }] }, '4707000201 00ABCDEF'],
  ['FQDN', { code: 73, hostname: 'node-1', domain: '' }, '490806' + Buffer.from('node-1').toString('hex') + '00'],
  ['software version', { code: 75, version: 'Petrel/0.1.0' }, '4B0D0C' + Buffer.from('Petrel/0.1.0').toString('hex')],
  ['unknown code 128 (old Cisco route refresh)', { code: 128, unknown: true, value: Buffer.alloc(0) }, '8000'],
  ['unknown code 200 with a value', { code: 200, unknown: true, value: hex('010203') }, 'C803010203'],
];

function decodeOne(bytes: Buffer): Capability[] {
  const out: Capability[] = [];
  const n = decodeCapabilities(new BufReader(bytes), bytes.length, out);
  if (n !== out.length) throw new Error('count mismatch');
  return out;
}

function encodeOne(cap: Capability): string {
  const w = new BufWriter(4);
  encodeCapability(w, cap);
  return toHex(w.finish());
}

for (const [name, cap, h] of ROWS) {
  t.test(name, async (t) => {
    const bytes = hex(h);
    t.strictSame(decodeOne(bytes), [cap], 'decode');
    t.equal(encodeOne(cap), toHex(bytes), 'encode');
    t.strictSame(decodeOne(hex(encodeOne(cap))), [cap], 'mirror');
  });
}

t.test('several capabilities in one parameter', async (t) => {
  const all = hex(ROWS.map((r) => r[2]).join(''));
  t.strictSame(decodeOne(all), ROWS.map((r) => r[1]));
});

t.test('names and kinds', async (t) => {
  t.equal(capabilityName(69), 'add-path');
  t.equal(capabilityName(64), 'graceful-restart');
  t.equal(capabilityName(77), 'capability-77');
  t.strictSame([...CAPABILITY_TABLE.keys()], [1, 2, 5, 6, 64, 65, 69, 70, 71, 73, 75]);
  t.equal(isUnknownCapability({ code: 9, unknown: true, value: Buffer.alloc(0) }), true);
  t.equal(isUnknownCapability({ code: 2 }), false);
});

t.test('a value over 255 octets is refused on encode', async (t) => {
  const families = Array.from({ length: 64 }, (_, i) => ({ afi: 1, safi: i, sendReceive: 3 })); // 256 octets
  t.throws(() => encodeOne({ code: 69, families }), BugError);
  t.equal(encodeOne({ code: 69, families: families.slice(0, 63) }).length, 2 * (2 + 252));
});
