/**
 * The interner (src/rib/attrs/intern.ts): equal fields give the one set object whatever objects carry them (AS
 * path arrays, community order, aggregator and unknown-attribute copies); every field tells sets apart; refcounts
 * free sets and leaves at zero and underflow is a BugError; thousands of sets survive table growth and shrink;
 * stored values are copies, so a caller mutating its input afterwards changes nothing; the wire attribute order
 * (to-attributes.ts) with and without unknown attributes.
 */
import t from 'tap';
import type { PathAttribute } from '../../../src/bgp/codec/types';
import { AttrInterner, emptyAttrFields, type AttrFields } from '../../../src/rib/attrs/intern';
import { attributesFromSet } from '../../../src/rib/attrs/to-attributes';
import { BugError } from '../../../src/util/errors';

function fields(over: Partial<AttrFields> = {}): AttrFields {
  return { ...emptyAttrFields(), nextHop: '192.0.2.1', asPath: [{ type: 2, asns: [65001, 65002] }], ...over };
}

const unknown = (code: number, bytes: number[]): PathAttribute<Buffer> => ({ code, flags: 0xc0, value: Buffer.from(bytes) });

t.test('equal fields carried by different objects intern to one set', async (t) => {
  const i = new AttrInterner();
  const a = i.internSet(fields({
    communities: [3, 1, 2, 1], aggregator: { asn: 65001, address: '10.0.0.1' }, other: [unknown(99, [1, 2])],
  }));
  const b = i.internSet(fields({
    asPath: [{ type: 2, asns: [65001, 65002] }], communities: [1, 2, 3], aggregator: { asn: 65001, address: '10.0.0.1' },
    other: [unknown(99, [1, 2])],
  }));
  t.equal(b, a);
  t.equal(a.refs, 2);
  t.same(a.communities?.value, [1, 2, 3], 'communities sorted, duplicates removed');
  t.same(a.asPath.value, [{ type: 2, asns: [65001, 65002] }]);
  t.same(i.stats(), { sets: 1, setRefs: 2, asPaths: 1, communityLists: 1, largeCommunityLists: 0, extCommunityLists: 0, clusterLists: 0 });
  const c = i.internSet(i.fieldsOf(a));
  t.equal(c, a, 'fieldsOf round-trips to the same set');
  t.equal(a.refs, 3);
});

t.test('every field tells sets apart', async (t) => {
  const i = new AttrInterner();
  const variants: Partial<AttrFields>[] = [
    {}, { origin: 2 }, { asPath: [{ type: 2, asns: [65001] }] }, { asPath: [{ type: 1, asns: [65001, 65002] }] },
    { nextHop: '192.0.2.2' }, { nextHopLinkLocal: 'fe80::1' }, { med: 0 }, { med: 4294967295 }, { localPref: 100 },
    { atomicAggregate: true }, { aggregator: { asn: 1, address: '10.0.0.1' } }, { aggregator: { asn: 1, address: '10.0.0.2' } },
    { aggregator: { asn: 2, address: '10.0.0.1' } }, { communities: [] }, { communities: [5] }, { largeCommunities: [[1, 2, 3]] },
    { largeCommunities: [[1, 2, 4]] }, { extCommunities: ['rt:1:1'] }, { originatorId: '10.9.9.9' }, { clusterList: ['1.1.1.1'] },
    { clusterList: ['1.1.1.1', '2.2.2.2'] }, { otc: 65001 }, { other: [unknown(99, [1])] }, { other: [unknown(99, [2])] },
    { other: [unknown(98, [1])] }, { other: [{ code: 99, flags: 0xe0, value: Buffer.from([1]) }] },
    { other: [unknown(99, [1]), unknown(100, [1])] },
  ];
  const sets = variants.map((v) => i.internSet(fields(v)));
  t.equal(new Set(sets).size, variants.length, 'all distinct');
  const again = variants.map((v) => i.internSet(fields(v)));
  t.same(again.map((s, k) => s === sets[k]), variants.map(() => true), 'each found again');
  t.equal(i.internSet(fields({ other: [] })), sets[0], 'an empty unknown-attribute list is no list');
});

t.test('release frees sets and leaves at zero; underflow is a BugError', async (t) => {
  const i = new AttrInterner();
  const a = i.internSet(fields({ communities: [1], clusterList: ['1.1.1.1'] }));
  i.ref(a);
  i.release(a);
  t.equal(i.stats().sets, 1);
  i.release(a);
  t.same(i.stats(), { sets: 0, setRefs: 0, asPaths: 0, communityLists: 0, largeCommunityLists: 0, extCommunityLists: 0, clusterLists: 0 });
  t.throws(() => i.release(a), BugError);
  t.throws(() => i.ref(a), BugError);
  const b = i.internSet(fields({ communities: [1], clusterList: ['1.1.1.1'] }));
  t.not(b, a, 'a freed set is never resurrected');
  t.equal(b.refs, 1);
  t.same(b.asPath.value, [{ type: 2, asns: [65001, 65002] }]);
  const p = i.asPath([{ type: 2, asns: [7] }]);
  t.equal(p.refs, 0, 'asPath takes no reference');
  const c = i.internSet(fields({ asPath: [{ type: 2, asns: [7] }] }));
  t.equal(c.asPath, p);
  t.equal(p.refs, 1);
});

t.test('thousands of sets: found after growth, all freed after shrink', async (t) => {
  const i = new AttrInterner();
  const n = 5000;
  const sets = [];
  for (let k = 0; k < n; k++) sets.push(i.internSet(fields({ med: k % 100, asPath: [{ type: 2, asns: [65001, 200000 + Math.floor(k / 100)] }] })));
  t.equal(new Set(sets).size, n);
  t.equal(i.stats().sets, n);
  t.equal(i.stats().asPaths, n / 100);
  let found = 0;
  for (let k = 0; k < n; k++) if (i.internSet(fields({ med: k % 100, asPath: [{ type: 2, asns: [65001, 200000 + Math.floor(k / 100)] }] })) === sets[k]) found++;
  t.equal(found, n);
  for (const s of sets) { i.release(s); i.release(s); }
  t.same(i.stats(), { sets: 0, setRefs: 0, asPaths: 0, communityLists: 0, largeCommunityLists: 0, extCommunityLists: 0, clusterLists: 0 });
  const s = i.internSet(fields());
  t.equal(i.internSet(fields()), s, 'still consistent after shrinking');
});

t.test('stored values are copies: mutating the input afterwards changes nothing', async (t) => {
  const i = new AttrInterner();
  const f = fields({ communities: [1, 2], clusterList: ['1.1.1.1'], other: [unknown(99, [1])], aggregator: { asn: 1, address: '10.0.0.1' } });
  const a = i.internSet(f);
  f.asPath[0].asns.push(3);
  (f.communities as number[]).push(3);
  (f.clusterList as string[]).push('2.2.2.2');
  (f.other as PathAttribute<Buffer>[]).push(unknown(100, [1]));
  (f.aggregator as { asn: number }).asn = 2;
  t.same(a.asPath.value, [{ type: 2, asns: [65001, 65002] }]);
  t.same(a.communities?.value, [1, 2]);
  t.same(a.clusterList?.value, ['1.1.1.1']);
  t.equal(a.other?.length, 1);
  t.same(a.aggregator, { asn: 1, address: '10.0.0.1' });
});

t.test('wire order: code order, unknown attributes sorted in', async (t) => {
  const i = new AttrInterner();
  const plain = i.internSet(fields({ med: 5, localPref: 100, communities: [1], otc: 1 }));
  t.same(attributesFromSet(plain, true).map((a) => a.code), [1, 2, 3, 4, 5, 8, 35]);
  const withUnknown = i.internSet(fields({ med: 5, communities: [1], other: [unknown(40, [1]), unknown(20, [2])] }));
  t.same(attributesFromSet(withUnknown, false).map((a) => a.code), [1, 2, 4, 8, 20, 40]);
});

t.test('a path decoded from one interner\'s leaf is interned as its own leaf by another interner', async (t) => {
  const i1 = new AttrInterner();
  const i2 = new AttrInterner();
  const a = i1.internSet(fields());
  const b = i2.internSet({ ...i1.fieldsOf(a) });
  t.not(b.asPath, a.asPath);
  t.same(b.asPath.value, a.asPath.value);
  t.equal(i2.internSet(i2.fieldsOf(b)).asPath, b.asPath, 'the memo path is recognised by its owner');
  i1.release(a);
  t.equal(i1.stats().asPaths, 0);
  t.equal(i2.stats().asPaths, 1);
});
