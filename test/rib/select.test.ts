import t from 'tap';
import type { BestPathOptions } from '../../src/rib/best-path';
import { selectBest } from '../../src/rib/select';
import { RouteFlag, SourceKind, type Route } from '../../src/rib/types';
import { BugError } from '../../src/util/errors';
import { linkRoutes, listRoutes, makeAttrs, makeRoute, makeSource } from '../helpers/routes';

const opts: BestPathOptions = { alwaysCompareMed: false, multipath: true };

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs.slice()];
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i++) {
    const rest = xs.slice(0, i).concat(xs.slice(i + 1));
    for (const p of permutations(rest)) out.push([xs[i]!, ...p]);
  }
  return out;
}

function names(head: Route | null): string[] {
  return listRoutes(head).map((r) => r.source.name);
}

function src(id: number, kind = SourceKind.Ebgp) {
  return makeSource({ id, name: `r${id}`, kind });
}

t.test('an empty list selects nothing', async (t) => {
  const sel = selectBest(null, opts);
  t.equal(sel.head, null);
  t.equal(sel.best, null);
  t.equal(sel.multipathCount, 0);
  t.same(sel.multipath, []);
});

t.test('a single eligible route is best; multipath is [best], built on first read', async (t) => {
  const r = makeRoute({ source: src(1) });
  const sel = selectBest(r, opts);
  t.equal(sel.head, r);
  t.equal(sel.best, r);
  t.equal(sel.multipathCount, 1);
  t.equal(sel.multipath.length, 1);
  t.equal(sel.multipath[0], r);
  t.equal(sel.multipath, sel.multipath, 'the lazy array is built once');
  t.equal(r.next, null);
});

t.test('a single filtered or unresolved route is never best', async (t) => {
  for (const r of [makeRoute({ source: src(1), attrs: null }), makeRoute({ source: src(1), flags: RouteFlag.Unresolved })]) {
    const sel = selectBest(r, opts);
    t.equal(sel.head, r);
    t.equal(sel.best, null);
    t.equal(sel.multipathCount, 0);
    t.same(sel.multipath, []);
  }
});

t.test('filtered and unresolved routes sort last and are never best', async (t) => {
  const filtered = makeRoute({ source: src(1), attrs: null, preference: 255 });
  const unresolved = makeRoute({ source: src(2), flags: RouteFlag.Unresolved, attrs: makeAttrs({ localPref: 1000 }) });
  const ok = makeRoute({ source: src(3), attrs: makeAttrs({ localPref: 1, asPath: [1, 2, 3, 4] }) });
  for (const p of permutations([filtered, unresolved, ok])) {
    const sel = selectBest(linkRoutes(p), opts);
    t.equal(sel.best, ok);
    t.same(names(sel.head), ['r3', 'r1', 'r2']);
  }
  const sel = selectBest(linkRoutes([unresolved, filtered]), opts);
  t.equal(sel.best, null, 'no eligible candidate: no best');
  t.equal(sel.multipathCount, 0);
  t.same(sel.multipath, []);
  t.same(names(sel.head), ['r1', 'r2'], 'ineligible routes still get a total order');
});

t.test('all permutations of a 5-candidate set with the MED cycle give one order', async (t) => {
  // r1 > r2 (igp), r2 > r3 (igp), r3 > r1 (MED, same neighbour AS 100): a pairwise cycle.
  const r1 = makeRoute({ source: src(1), attrs: makeAttrs({ asPath: [100], med: 100, nextHop: '10.0.9.1' }), igpCost: 5 });
  const r2 = makeRoute({ source: src(2), attrs: makeAttrs({ asPath: [200], med: 50, nextHop: '10.0.9.2' }), igpCost: 10 });
  const r3 = makeRoute({ source: src(3), attrs: makeAttrs({ asPath: [100], med: 10, nextHop: '10.0.9.3' }), igpCost: 15 });
  const r4 = makeRoute({ source: src(4), attrs: makeAttrs({ asPath: [200], med: 0, nextHop: '10.0.9.4' }), igpCost: 20 });
  const r5 = makeRoute({ source: src(5), attrs: null });
  // Groups: AS 100 [r3, r1], AS 200 [r4, r2] (MED 0 < 50), ineligible [r5].
  // Merge of heads without MED: r3(15) vs r4(20) -> r3; r1(5) vs r4(20) -> r1; then r4, r2, r5.
  const expected = ['r3', 'r1', 'r4', 'r2', 'r5'];
  const all = permutations([r1, r2, r3, r4, r5]);
  t.equal(all.length, 120);
  let same = 0;
  for (const p of all) {
    const sel = selectBest(linkRoutes(p), opts);
    if (JSON.stringify(names(sel.head)) === JSON.stringify(expected) && sel.best === r3 && sel.multipathCount === 1) same++;
  }
  t.equal(same, 120, 'every permutation yields r3, r1, r4, r2, r5');
});

t.test('always-compare-med sorts by the plain total order', async (t) => {
  const r1 = makeRoute({ source: src(1), attrs: makeAttrs({ asPath: [100], med: 100 }), igpCost: 5 });
  const r2 = makeRoute({ source: src(2), attrs: makeAttrs({ asPath: [200], med: 50 }), igpCost: 10 });
  const r3 = makeRoute({ source: src(3), attrs: makeAttrs({ asPath: [100], med: 10 }), igpCost: 15 });
  const o: BestPathOptions = { alwaysCompareMed: true, multipath: true };
  for (const p of permutations([r1, r2, r3])) {
    t.same(names(selectBest(linkRoutes(p), o).head), ['r3', 'r2', 'r1']);
  }
});

t.test('ECMP set: equal BGP paths from different peers, best first, then the rest', async (t) => {
  const path = [100, 7];
  const a = makeRoute({ source: src(1, SourceKind.Ibgp), attrs: makeAttrs({ asPath: path, nextHop: '10.0.0.1' }), igpCost: 2 });
  const b = makeRoute({ source: src(2, SourceKind.Ibgp), attrs: makeAttrs({ asPath: path, nextHop: '10.0.0.2' }), igpCost: 2 });
  const c = makeRoute({ source: src(3, SourceKind.Ibgp), attrs: makeAttrs({ asPath: [300, 8], nextHop: '10.0.0.3', med: 9 }), igpCost: 2 });
  const worseIgp = makeRoute({ source: src(4, SourceKind.Ibgp), attrs: makeAttrs({ asPath: path, nextHop: '10.0.0.4' }), igpCost: 3 });
  const worseMed = makeRoute({ source: src(5, SourceKind.Ibgp), attrs: makeAttrs({ asPath: path, nextHop: '10.0.0.5', med: 1 }), igpCost: 0 });
  const sameHop = makeRoute({ source: src(6, SourceKind.Ibgp), attrs: makeAttrs({ asPath: path, nextHop: '10.0.0.1' }), igpCost: 2 });
  const unresolved = makeRoute({ source: src(7, SourceKind.Ibgp), attrs: makeAttrs({ asPath: path, nextHop: '10.0.0.7' }), igpCost: 2, flags: RouteFlag.Unresolved });
  const set = [a, b, c, worseIgp, worseMed, sameHop, unresolved];
  for (const p of [set, set.slice().reverse()]) {
    const sel = selectBest(linkRoutes(p), opts);
    t.equal(sel.best, a);
    t.equal(sel.multipathCount, 3);
    t.same(sel.multipath.map((r) => r.source.name), ['r1', 'r2', 'r3'], 'c joins: MED ignored across neighbour ASes');
    // Group AS 100 sorts r1, r2, r6, r4 (igp 3), r5 (MED 1); AS 300 is [r3]; r7 is ineligible. The MED-less merge
    // gives r1, r2, r3 (router id 3 < 6), r6, r4, r5, r7; r6 shares r1's next hop so stays out of the ECMP set.
    t.same(names(sel.head), ['r1', 'r2', 'r3', 'r6', 'r4', 'r5', 'r7']);
  }
  const limited = selectBest(linkRoutes(set), { alwaysCompareMed: false, multipath: true, multipathLimit: 2 });
  t.same(limited.multipath.map((r) => r.source.name), ['r1', 'r2']);
  t.same(names(limited.head), ['r1', 'r2', 'r3', 'r6', 'r4', 'r5', 'r7']);
  const off = selectBest(linkRoutes(set), { alwaysCompareMed: false, multipath: false });
  t.equal(off.multipathCount, 1);
  t.same(off.multipath, [a]);
  const always = selectBest(linkRoutes(set), { alwaysCompareMed: true, multipath: true });
  t.same(always.multipath.map((r) => r.source.name), ['r1', 'r2'], 'with always-compare-med, MED 9 excludes c');
});

t.test('ECMP members are gathered right after best even when merge order separates them', async (t) => {
  // Best group AS 100: x (MED 0, iBGP) then y (MED 10, eBGP); z (AS 200, iBGP) is ECMP with x but y, being eBGP,
  // beats z in the MED-less merge.
  const x = makeRoute({ source: src(1, SourceKind.Ibgp), attrs: makeAttrs({ asPath: [100], med: 0, nextHop: '10.0.0.1' }) });
  const y = makeRoute({ source: src(2, SourceKind.Ebgp), attrs: makeAttrs({ asPath: [100], med: 10, nextHop: '10.0.0.2' }) });
  const z = makeRoute({ source: src(3, SourceKind.Ibgp), attrs: makeAttrs({ asPath: [200], med: 0, nextHop: '10.0.0.3' }) });
  for (const p of permutations([x, y, z])) {
    const sel = selectBest(linkRoutes(p), opts);
    t.same(names(sel.head), ['r1', 'r3', 'r2']);
    t.same(sel.multipath, [x, z]);
  }
});

t.test('local routes never form an ECMP set', async (t) => {
  const s1 = makeRoute({ source: makeSource({ id: 1, name: 'static1', kind: SourceKind.Static }) });
  const s2 = makeRoute({ source: makeSource({ id: 2, name: 'static2', kind: SourceKind.Static }), attrs: makeAttrs({ nextHop: '192.0.2.9' }) });
  const sel = selectBest(linkRoutes([s2, s1]), opts);
  t.equal(sel.best, s1);
  t.equal(sel.multipathCount, 1);
  t.same(names(sel.head), ['static1', 'static2']);
});

t.test('preference 200 beats BGP and kernel routes regardless of BGP attributes', async (t) => {
  const kernel = makeRoute({ source: makeSource({ id: 1, name: 'kernel1', kind: SourceKind.Kernel, preference: 10 }) });
  const bgp = makeRoute({ source: src(2), attrs: makeAttrs({ localPref: 500 }) });
  const elevated = makeRoute({ source: src(3), attrs: makeAttrs({ asPath: [1, 2, 3] }), preference: 200 });
  for (const p of permutations([kernel, bgp, elevated])) {
    t.same(names(selectBest(linkRoutes(p), opts).head), ['r3', 'r2', 'kernel1']);
  }
});

t.test('a list longer than the insertion-sort bound is ordered the same for any insertion order', async (t) => {
  const routes: Route[] = [];
  for (let i = 1; i <= 40; i++) {
    routes.push(
      makeRoute({
        source: src(i, i % 2 ? SourceKind.Ebgp : SourceKind.Ibgp),
        attrs: i % 11 === 0 ? null : makeAttrs({ asPath: [100 + (i % 3), 9], med: (i * 7) % 5, nextHop: `10.0.1.${i}` }),
        igpCost: (i * 13) % 4,
      }),
    );
  }
  let seed = 1;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const reference = names(selectBest(linkRoutes(routes.slice()), opts).head);
  t.equal(reference.length, 40);
  let same = 0;
  for (let k = 0; k < 50; k++) {
    const p = routes.slice();
    for (let i = p.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [p[i], p[j]] = [p[j]!, p[i]!];
    }
    if (names(selectBest(linkRoutes(p), opts).head).join() === reference.join()) same++;
  }
  t.equal(same, 50);
  t.same(reference.slice(-3), ['r11', 'r22', 'r33'], 'filtered routes last, by peer address');
});

t.test('a true duplicate in the list throws BugError', async (t) => {
  const s = src(1);
  const a = makeRoute({ source: s, pathId: 7 });
  const b = makeRoute({ source: s, pathId: 7 });
  t.throws(() => selectBest(linkRoutes([a, b]), opts), BugError);
});
