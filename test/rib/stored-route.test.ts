/**
 * The Loc-RIB's compact route record (stored-route.ts) behind the `Route` interface: prefix read back through the
 * slot (IPv4 and IPv6 tables side by side), the defaults folded away and restored by `update`, flags packed with
 * the slot, ADD-PATH ids, a policy-set preference, filtered routes; and the interner's set key text.
 */
import t from 'tap';
import { IPV4_UNICAST, IPV6_UNICAST } from '../../src/bgp/family';
import { AttrInterner, emptyAttrFields } from '../../src/rib/attrs/intern';
import { DEFAULT_BEST_PATH_OPTIONS } from '../../src/rib/best-path';
import { LocRib } from '../../src/rib/loc-rib';
import { storedRouteClass } from '../../src/rib/stored-route';
import { RouteFlag, SourceKind, type Route, type RouteSource } from '../../src/rib/types';
import { BugError } from '../../src/util/errors';
import { parsePrefix, type PrefixKey } from '../../src/util/prefix';

function src(id: number, preference = 100): RouteSource {
  return { id, name: `p${id}`, kind: SourceKind.Ebgp, address: `10.0.0.${id}`, routerId: id, peerAs: 65000 + id, rrClient: false, preference };
}

function setup() {
  const interner = new AttrInterner();
  const v4 = new LocRib(IPV4_UNICAST, interner, DEFAULT_BEST_PATH_OPTIONS);
  const v6 = new LocRib(IPV6_UNICAST, interner, DEFAULT_BEST_PATH_OPTIONS);
  const a = interner.internSet({ ...emptyAttrFields(), nextHop: '10.0.0.1', med: 5 });
  const b = interner.internSet({ ...emptyAttrFields(), nextHop: '10.0.0.1', med: 7 });
  return { interner, v4, v6, a, b };
}

const pfx = (s: string): PrefixKey => parsePrefix(s)!;

t.test('prefix, slot and defaults of a plain eBGP path; the same through an IPv6 table', async (t) => {
  const { interner, v4, v6, a } = setup();
  const s1 = src(1);
  const k4 = pfx('11.1.2.0/24');
  const k6 = pfx('2001:db8:1::/48');
  v4.upsert(pfx('11.0.0.0/24'), s1, 0, interner.ref(a), interner.ref(a), 100);
  v4.upsert(k4, s1, 0, interner.ref(a), interner.ref(a), 100);
  v6.upsert(k6, s1, 0, interner.ref(a), interner.ref(a), 100);
  const r = v4.best(k4) as Route & { slot: number };
  t.equal(r.prefix, k4);
  t.equal(r.slot, 1);
  t.equal(v4.keyOf(r.slot), k4);
  t.equal(r.source, s1);
  t.equal(r.pathId, 0);
  t.equal(r.attrs, a);
  t.equal(r.rawAttrs, a);
  t.equal(r.preference, 100);
  t.equal(r.flags, 0);
  t.equal(r.igpCost, 0);
  t.equal(r.next, null);
  t.same(Object.keys(r).sort(), ['attrs', 'extra', 'meta', 'next', 'source'], 'five data fields');
  t.equal((r as unknown as { extra: unknown }).extra, null, 'no side record when every default holds');
  const r6 = v6.best(k6)!;
  t.equal(r6.prefix, k6);
  t.equal(r.prefix, k4, 'each table reads its own keys');
});

t.test('ADD-PATH id, policy preference, modified and filtered attributes; update folds back to defaults', async (t) => {
  const { interner, v4, a, b } = setup();
  const s1 = src(1);
  const k = pfx('11.1.2.0/24');
  v4.upsert(k, s1, 7, interner.ref(a), interner.ref(b), 250, RouteFlag.Unresolved);
  const r = v4.candidates(k)! as Route & { extra: unknown };
  t.equal(r.pathId, 7);
  t.equal(r.rawAttrs, a);
  t.equal(r.attrs, b);
  t.equal(r.preference, 250);
  t.equal(r.flags, RouteFlag.Unresolved);
  t.equal(r.prefix, k);
  t.equal(v4.best(k), undefined, 'unresolved is not eligible');

  v4.upsert(k, s1, 7, interner.ref(a), null, 100, 0);
  t.equal(v4.candidates(k), r, 'same record updated in place');
  t.equal(r.attrs, null);
  t.equal(r.rawAttrs, a);
  t.equal(r.pathId, 7, 'the path id stays');
  t.equal(r.preference, 100);
  t.equal(r.flags, 0);

  const s2 = src(2, 200);
  const k2 = pfx('11.1.3.0/24');
  v4.upsert(k2, s2, 0, interner.ref(a), interner.ref(b), 200);
  const q = v4.candidates(k2)! as Route & { extra: unknown };
  t.not(q.extra, null, 'modified attributes need the side record');
  t.equal(q.rawAttrs, a);
  t.equal(q.attrs, b);
  v4.upsert(k2, s2, 0, interner.ref(a), interner.ref(a), 200);
  t.equal(q.extra, null, 'back to defaults: side record dropped');
  t.equal(q.rawAttrs, a);
  t.equal(q.attrs, a);
  t.equal(q.preference, 200, 'the source preference');
  t.equal(q.pathId, 0);
  v4.upsert(k2, s2, 0, interner.ref(a), interner.ref(a), 300);
  t.equal(q.preference, 300);
  t.equal(q.attrs, a);
});

t.test('flags pack with large slots and reject values beyond two bits', async (t) => {
  const Cls = storedRouteClass({ keyOf: (slot) => slot * 10 });
  const { a } = setup();
  const s1 = src(1);
  const slot = 2 ** 28 + 3;
  const r = new Cls(slot, s1, 0, a, a, 100, RouteFlag.Stale);
  t.equal(r.slot, slot);
  t.equal(r.prefix, slot * 10);
  t.equal(r.flags, RouteFlag.Stale);
  r.flags |= RouteFlag.Unresolved;
  t.equal(r.flags, RouteFlag.Stale | RouteFlag.Unresolved);
  t.equal(r.slot, slot, 'flags never spill into the slot');
  r.flags &= ~RouteFlag.Stale;
  t.equal(r.flags, RouteFlag.Unresolved);
  t.throws(() => { r.flags = 4; }, BugError);
  t.throws(() => new Cls(0, s1, 0, a, a, 100, 8), BugError);
  t.equal(r.flags, RouteFlag.Unresolved);
});

t.test('interned sets describe themselves with the old key text', async (t) => {
  const { interner, a } = setup();
  t.equal(a.key, `0|${a.asPath.id}|10.0.0.1||5|-1|0||0|0|0||0|-1|`);
  const again = interner.internSet({ ...emptyAttrFields(), nextHop: '10.0.0.1', med: 5 });
  t.equal(again, a, 'the same fields find the same set');
  t.equal(a.refs, 2);
});
