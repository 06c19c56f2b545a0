/**
 * The benchmark feed (bench/harness/feed.ts): what the feeder pre-encodes decodes, through Petrel's own codec, to
 * exactly the prefixes and attribute sets intended, and the sink's byte-walking counter agrees with the decoder.
 */
import t from 'tap';
import { buildFeed, countUpdate, ipv4ToNumber, nlriPerUpdateOf, numberToIpv4, PrefixCounter } from '../../bench/harness/feed';
import { meshUpdate } from '../../bench/harness/mesh-main';
import { Framer } from '../../src/bgp/codec/framer';
import { decodeMessage } from '../../src/bgp/codec/message';
import { DEFAULT_CODEC_CONTEXT, type UpdateMessage } from '../../src/bgp/codec/types';
import { ipv4Key } from '../../src/util/prefix';

function decodeAll(buf: Buffer): UpdateMessage[] {
  const out: UpdateMessage[] = [];
  new Framer().push(buf, (b, s, e) => out.push(decodeMessage(b, s, e, DEFAULT_CODEC_CONTEXT) as UpdateMessage));
  return out;
}

t.test('one attribute set: 500 NLRI per UPDATE, consecutive /24s, End-of-RIB last', (t) => {
  const base = ipv4ToNumber('32.0.0.0');
  const feed = buildFeed({ count: 1201, base, localAs: 65001, nextHop: ipv4ToNumber('10.10.1.2') });
  const msgs = decodeAll(feed);
  t.same(msgs.map((m) => m.nlri.keys.length), [500, 500, 201, 0], 'three UPDATEs then End-of-RIB');
  t.same(msgs[3].attributes, [], 'End-of-RIB carries no attributes');
  t.same(msgs[0].attributes, [
    { code: 1, flags: 0x40, value: 0 },
    { code: 2, flags: 0x40, value: [{ type: 2, asns: [65001, 100000, 200000] }] },
    { code: 3, flags: 0x40, value: '10.10.1.2' },
    { code: 4, flags: 0x80, value: 0 },
  ]);
  const keys = msgs.flatMap((m) => m.nlri.keys);
  t.equal(keys.length, 1201);
  t.equal(keys[0], ipv4Key(base, 24));
  t.equal(keys[1200], ipv4Key(ipv4ToNumber('32.4.176.0'), 24), 'prefix 1200 is 32.4.176.0/24');
  t.equal(new Set(keys).size, 1201, 'all distinct');
  t.end();
});

t.test('many attribute sets: one set per UPDATE, MED = set index', (t) => {
  const spec = { count: 1000, base: ipv4ToNumber('32.0.0.0'), attrSets: 100, localAs: 65001, nextHop: 1 };
  t.equal(nlriPerUpdateOf(spec), 10);
  const msgs = decodeAll(buildFeed(spec)).filter((m) => m.nlri.keys.length > 0);
  t.equal(msgs.length, 100);
  t.same(msgs.map((m) => m.attributes.find((a) => a.code === 4)?.value), Array.from({ length: 100 }, (_, i) => i));
  t.same(msgs[7].attributes.find((a) => a.code === 2)?.value, [{ type: 2, asns: [65001, 100007, 200007] }]);
  t.end();
});

t.test('the sink counter agrees with the decoder and ignores duplicates', (t) => {
  const feed = buildFeed({ count: 3000, base: ipv4ToNumber('40.0.0.0'), attrSets: 7, localAs: 65001, nextHop: 1 });
  const c = new PrefixCounter();
  let announced = 0;
  let eors = 0;
  const f = new Framer();
  for (const chunk of [feed, feed]) {
    f.push(chunk, (b, s, e) => {
      const r = countUpdate(b, s, e, c);
      announced += r.announced;
      if (r.eor) eors++;
    });
  }
  t.equal(announced, 6000, 'every occurrence counted');
  t.equal(c.distinct, 3000, 'each prefix once');
  t.equal(c.total, 6000);
  t.equal(eors, 2);
  t.end();
});

t.test('MP_REACH_NLRI IPv4 unicast and withdrawals are counted', (t) => {
  // UPDATE: withdrawn 10.0.0.0/8; MP_REACH AFI 1 SAFI 1 NH 10.0.0.1 NLRI 192.168.1.0/24, 192.168.2.128/25.
  const mp = [0x80, 14, 17, 0, 1, 1, 4, 10, 0, 0, 1, 0, 24, 192, 168, 1, 25, 192, 168, 2, 128];
  const body = [0, 2, 8, 10, 0, mp.length, ...mp];
  const msg = Buffer.from([...Array(16).fill(0xff), 0, 19 + body.length, 2, ...body]);
  const c = new PrefixCounter();
  const r = countUpdate(msg, 0, msg.length, c);
  t.same({ announced: r.announced, withdrawn: r.withdrawn, eor: r.eor }, { announced: 2, withdrawn: 1, eor: false });
  t.equal(c.distinct, 2);
  t.end();
});

t.test("a mesh peer's UPDATE: /26 and ten /32s, iBGP attributes, then End-of-RIB", (t) => {
  const hosts = Array.from({ length: 10 }, (_, j) => `100.80.0.${j}`);
  const buf = meshUpdate('10.10.1.2', '100.64.0.0/26', hosts);
  t.equal(buf.length, 19 + 4 + 21 + 5 + 10 * 5 + 23, 'exact size: the /26 takes 5 octets, each /32 5');
  const msgs = decodeAll(buf);
  t.equal(msgs.length, 2);
  t.same(msgs[0].nlri.keys, [ipv4Key(ipv4ToNumber('100.64.0.0'), 26), ...hosts.map((h) => ipv4Key(ipv4ToNumber(h), 32))]);
  t.same(msgs[0].attributes.map((a) => [a.code, a.value]), [[1, 0], [2, []], [3, '10.10.1.2'], [5, 100]]);
  t.equal(msgs[1].nlri.keys.length, 0);
  t.equal(numberToIpv4(ipv4ToNumber('100.64.0.192')), '100.64.0.192');
  t.end();
});
