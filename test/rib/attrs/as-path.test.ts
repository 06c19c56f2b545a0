/**
 * The compact AS_PATH leaf (src/rib/attrs/as-path.ts): the text encoding round-trips every segment type, 4-octet
 * ASNs and segments longer than 255; distinct paths encode distinctly; the numbers best path reads (RFC 4271
 * §9.1.2.2(a) length, neighbour AS, origin AS) follow the segment rules; `value` keeps one array per leaf while
 * it is read consecutively.
 */
import t from 'tap';
import type { AsPathSegment } from '../../../src/bgp/codec/types';
import { InternedAsPath, decodeAsPath, encodeAsPath } from '../../../src/rib/attrs/as-path';

const SET = 1, SEQ = 2, CONFED_SEQ = 3, CONFED_SET = 4;

t.test('encode/decode round-trips segments, 4-octet ASNs and long segments', async (t) => {
  const long = Array.from({ length: 300 }, (_, i) => 64512 + i);
  const paths: AsPathSegment[][] = [
    [],
    [{ type: SEQ, asns: [65001, 4294967295, 0, 23456] }],
    [{ type: CONFED_SEQ, asns: [64512] }, { type: CONFED_SET, asns: [64513, 64514] }, { type: SEQ, asns: [1] }, { type: SET, asns: [2, 3] }],
    [{ type: SEQ, asns: long }],
    [{ type: SEQ, asns: [] }],
  ];
  for (const p of paths) {
    const text = encodeAsPath(p);
    t.same(decodeAsPath(text), p);
  }
  t.equal(encodeAsPath(paths[1]).length, 3 + 16, 'three octets per segment header, four per ASN');
  t.equal(encodeAsPath(paths[3]).length, 3 + 1200);
  t.equal(decodeAsPath(encodeAsPath(paths[3]))[0].asns[299], 64512 + 299);
});

t.test('distinct paths get distinct texts', async (t) => {
  const texts = [
    [{ type: SEQ, asns: [1, 2] }],
    [{ type: SEQ, asns: [1] }, { type: SEQ, asns: [2] }],
    [{ type: SET, asns: [1, 2] }],
    [{ type: SEQ, asns: [2, 1] }],
    [{ type: SEQ, asns: [1, 2, 0] }],
    [],
  ].map(encodeAsPath);
  t.equal(new Set(texts).size, texts.length);
});

t.test('length, neighbour AS and origin AS', async (t) => {
  const leaf = (p: AsPathSegment[]) => new InternedAsPath(1, encodeAsPath(p), 0, {}, p);
  const a = leaf([{ type: SEQ, asns: [65001, 65002, 65003] }]);
  t.same([a.length, a.neighborAs, a.originAs], [3, 65001, 65003]);
  const b = leaf([{ type: SET, asns: [10, 20] }, { type: SEQ, asns: [30, 40] }]);
  t.same([b.length, b.neighborAs, b.originAs], [3, 0, 40], 'an AS_SET counts 1; a leading set means no neighbour AS');
  const c = leaf([{ type: CONFED_SEQ, asns: [64512, 64513] }, { type: SEQ, asns: [5, 6] }]);
  t.same([c.length, c.neighborAs, c.originAs], [2, 5, 6], 'confederation segments count 0 and are skipped for the neighbour');
  const d = leaf([]);
  t.same([d.length, d.neighborAs, d.originAs], [0, 0, 0]);
  const e = leaf([{ type: SEQ, asns: [] }, { type: SEQ, asns: [7] }]);
  t.same([e.length, e.neighborAs, e.originAs], [1, 7, 7]);
});

t.test('value: decoded on demand, the same array while one leaf is read', async (t) => {
  const p1 = [{ type: SEQ, asns: [1, 2, 3] }];
  const p2 = [{ type: SET, asns: [9] }];
  const l1 = new InternedAsPath(1, encodeAsPath(p1), 0, {}, p1);
  const l2 = new InternedAsPath(2, encodeAsPath(p2), 0, {}, p2);
  const v = l1.value;
  t.same(v, p1);
  t.not(v, p1, 'a fresh array, not the caller\'s');
  t.equal(l1.value, v, 'consecutive reads share one array');
  t.same(l2.value, p2);
  const again = l1.value;
  t.not(again, v, 'decoded again after another leaf was read');
  t.same(again, p1);
});
