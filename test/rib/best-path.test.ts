import t from 'tap';
import {
  BestPathReason,
  bestPathReasonName,
  codeMultipath,
  codeReason,
  compareAddress,
  compareCode,
  compareRoutes,
  DEFAULT_BEST_PATH_OPTIONS,
  MedMode,
  parseIpv4Range,
  parseIpv6,
  type BestPathOptions,
} from '../../src/rib/best-path';
import { RouteFlag, SourceKind, type Route } from '../../src/rib/types';
import { BugError } from '../../src/util/errors';
import { makeAsPath, makeAttrs, makeRoute, makeSource } from '../helpers/routes';

const opts: BestPathOptions = { alwaysCompareMed: false, multipath: true };

const s1 = makeSource({ id: 1 });
const s2 = makeSource({ id: 2 });
const ib1 = makeSource({ id: 11, kind: SourceKind.Ibgp });
const ib2 = makeSource({ id: 12, kind: SourceKind.Ibgp });
const static1 = makeSource({ id: 21, kind: SourceKind.Static, preference: 100 });
const kernel1 = makeSource({ id: 22, kind: SourceKind.Kernel, preference: 100 });

interface Case {
  name: string;
  a: Route;
  b: Route;
  reason: BestPathReason;
  multipath: boolean;
  opts?: BestPathOptions;
}

const path100 = makeAsPath([100, 300]);
const cases: Case[] = [
  {
    name: 'step 0: a policy-accepted route beats a filtered one (attrs null)',
    a: makeRoute({ source: s2, attrs: makeAttrs({ localPref: 10 }) }),
    b: makeRoute({ source: s1, attrs: null, preference: 250 }),
    reason: BestPathReason.Eligibility,
    multipath: false,
  },
  {
    name: 'step 0: a resolved route beats an unresolved one',
    a: makeRoute({ source: s2, attrs: makeAttrs({ localPref: 10 }) }),
    b: makeRoute({ source: s1, flags: RouteFlag.Unresolved, preference: 250 }),
    reason: BestPathReason.Eligibility,
    multipath: false,
  },
  {
    name: 'step 1: higher preference wins over a better LOCAL_PREF',
    a: makeRoute({ source: s2, preference: 200, attrs: makeAttrs({ localPref: 10 }) }),
    b: makeRoute({ source: s1, preference: 100, attrs: makeAttrs({ localPref: 500 }) }),
    reason: BestPathReason.Preference,
    multipath: false,
  },
  {
    name: 'step 2: higher LOCAL_PREF wins over a shorter AS path',
    a: makeRoute({ source: s2, attrs: makeAttrs({ localPref: 200, asPath: [1, 2, 3] }) }),
    b: makeRoute({ source: s1, attrs: makeAttrs({ localPref: 150, asPath: [1] }) }),
    reason: BestPathReason.LocalPref,
    multipath: false,
  },
  {
    name: 'step 2: absent LOCAL_PREF counts as 100',
    a: makeRoute({ source: s2, attrs: makeAttrs({ asPath: [1, 2, 3] }) }),
    b: makeRoute({ source: s1, attrs: makeAttrs({ localPref: 99, asPath: [1] }) }),
    reason: BestPathReason.LocalPref,
    multipath: false,
  },
  {
    name: 'step 3: shorter AS path wins over a lower ORIGIN',
    a: makeRoute({ source: s2, attrs: makeAttrs({ asPath: [1, 2], origin: 2 }) }),
    b: makeRoute({ source: s1, attrs: makeAttrs({ asPath: [1, 2, 3], origin: 0 }) }),
    reason: BestPathReason.AsPathLength,
    multipath: false,
  },
  {
    name: 'step 3: an AS_SET counts one',
    a: makeRoute({ source: s2, attrs: makeAttrs({ asPath: makeAsPath([{ type: 2, asns: [1] }, { type: 1, asns: [5, 6, 7] }]) }) }),
    b: makeRoute({ source: s1, attrs: makeAttrs({ asPath: [1, 2, 3] }) }),
    reason: BestPathReason.AsPathLength,
    multipath: false,
  },
  {
    name: 'step 4: lower ORIGIN wins over a lower MED',
    a: makeRoute({ source: s2, attrs: makeAttrs({ asPath: path100, origin: 1, med: 50 }) }),
    b: makeRoute({ source: s1, attrs: makeAttrs({ asPath: path100, origin: 2, med: 0 }) }),
    reason: BestPathReason.Origin,
    multipath: false,
  },
  {
    name: 'step 5: lower MED from the same neighbour AS wins over eBGP',
    a: makeRoute({ source: ib1, attrs: makeAttrs({ asPath: [100, 7], med: 10 }) }),
    b: makeRoute({ source: s1, attrs: makeAttrs({ asPath: [100, 8], med: 20 }) }),
    reason: BestPathReason.Med,
    multipath: false,
  },
  {
    name: 'step 5: absent MED counts as 0',
    a: makeRoute({ source: ib1, attrs: makeAttrs({ asPath: [100, 7] }) }),
    b: makeRoute({ source: s1, attrs: makeAttrs({ asPath: [100, 8], med: 1 }) }),
    reason: BestPathReason.Med,
    multipath: false,
  },
  {
    name: 'step 5: MED across neighbour ASes only with alwaysCompareMed',
    a: makeRoute({ source: ib1, attrs: makeAttrs({ asPath: [100], med: 10 }) }),
    b: makeRoute({ source: s1, attrs: makeAttrs({ asPath: [200], med: 20 }) }),
    reason: BestPathReason.Med,
    multipath: false,
    opts: { alwaysCompareMed: true, multipath: true },
  },
  {
    name: 'step 6: eBGP wins over iBGP when MEDs differ across neighbour ASes',
    a: makeRoute({ source: s2, attrs: makeAttrs({ asPath: [200], med: 500 }), igpCost: 50 }),
    b: makeRoute({ source: ib1, attrs: makeAttrs({ asPath: [100], med: 1 }), igpCost: 1 }),
    reason: BestPathReason.PeerType,
    multipath: false,
  },
  {
    name: 'step 6: a local (static) route wins over eBGP of equal preference',
    a: makeRoute({ source: static1, igpCost: 5 }),
    b: makeRoute({ source: s1, igpCost: 0 }),
    reason: BestPathReason.PeerType,
    multipath: false,
  },
  {
    name: 'step 7: lower IGP cost wins over a lower router id',
    a: makeRoute({ source: ib2, igpCost: 10 }),
    b: makeRoute({ source: ib1, igpCost: 20 }),
    reason: BestPathReason.IgpCost,
    multipath: false,
  },
  {
    name: 'step 8: lower BGP identifier (multipath class)',
    a: makeRoute({ source: makeSource({ id: 3, routerId: 0x0a000001, address: '10.9.9.9' }) }),
    b: makeRoute({ source: makeSource({ id: 4, routerId: 0x0a000002, address: '10.0.0.1' }) }),
    reason: BestPathReason.RouterId,
    multipath: true,
  },
  {
    name: 'step 8: identifiers compare unsigned',
    a: makeRoute({ source: makeSource({ id: 3, routerId: 0x7fffffff }) }),
    b: makeRoute({ source: makeSource({ id: 4, routerId: 0xffffffff }) }),
    reason: BestPathReason.RouterId,
    multipath: true,
  },
  {
    name: 'step 8: ORIGINATOR_ID replaces the BGP identifier (RFC 4456 §9)',
    a: makeRoute({ source: makeSource({ id: 13, kind: SourceKind.Ibgp, routerId: 0xc0000001 }), attrs: makeAttrs({ originatorId: '9.9.9.9' }) }),
    b: makeRoute({ source: makeSource({ id: 14, kind: SourceKind.Ibgp, routerId: 0x01010101 }), attrs: makeAttrs({ originatorId: '10.0.0.1' }) }),
    reason: BestPathReason.RouterId,
    multipath: true,
  },
  {
    name: 'step 9: shorter CLUSTER_LIST',
    a: makeRoute({ source: ib2, attrs: makeAttrs({ originatorId: '1.1.1.1', clusterList: ['2.2.2.2'] }) }),
    b: makeRoute({ source: ib1, attrs: makeAttrs({ originatorId: '1.1.1.1', clusterList: ['3.3.3.3', '2.2.2.2'] }) }),
    reason: BestPathReason.ClusterListLength,
    multipath: true,
  },
  {
    name: 'step 10: lower peer address, numerically (10.0.0.2 < 10.0.0.10)',
    a: makeRoute({ source: makeSource({ id: 5, routerId: 7, address: '10.0.0.2' }) }),
    b: makeRoute({ source: makeSource({ id: 4, routerId: 7, address: '10.0.0.10' }) }),
    reason: BestPathReason.PeerAddress,
    multipath: true,
  },
  {
    name: 'step 10: IPv4 peer before IPv6 peer',
    a: makeRoute({ source: makeSource({ id: 5, routerId: 7, address: '255.255.255.255' }) }),
    b: makeRoute({ source: makeSource({ id: 4, routerId: 7, address: '::1' }) }),
    reason: BestPathReason.PeerAddress,
    multipath: true,
  },
  {
    name: 'step 10: IPv6 peers compare bytewise (::2 < ::10)',
    a: makeRoute({ source: makeSource({ id: 5, routerId: 7, address: '2001:db8::2' }) }),
    b: makeRoute({ source: makeSource({ id: 4, routerId: 7, address: '2001:db8::10' }) }),
    reason: BestPathReason.PeerAddress,
    multipath: true,
  },
  {
    name: 'step 11: lower path id from the same peer',
    a: makeRoute({ source: s1, pathId: 1 }),
    b: makeRoute({ source: s1, pathId: 2 }),
    reason: BestPathReason.TieBreak,
    multipath: true,
  },
  {
    name: 'step 11: lower source id when everything else ties',
    a: makeRoute({ source: makeSource({ id: 5, routerId: 7, address: '10.0.0.1' }) }),
    b: makeRoute({ source: makeSource({ id: 6, routerId: 7, address: '10.0.0.1' }) }),
    reason: BestPathReason.TieBreak,
    multipath: true,
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const o = c.opts ?? opts;
    const ab = { ...compareRoutes(c.a, c.b, o) };
    const ba = { ...compareRoutes(c.b, c.a, o) };
    t.same(ab, { sign: -1, reason: c.reason, multipath: c.multipath }, 'a better than b');
    t.same(ba, { sign: 1, reason: c.reason, multipath: c.multipath }, 'b worse than a');
  });
}

t.test('MED from different neighbour ASes is skipped without alwaysCompareMed', async (t) => {
  const a = makeRoute({ source: s1, attrs: makeAttrs({ asPath: [100], med: 50 }), igpCost: 1 });
  const b = makeRoute({ source: s2, attrs: makeAttrs({ asPath: [200], med: 5 }), igpCost: 2 });
  t.same({ ...compareRoutes(a, b, opts) }, { sign: -1, reason: BestPathReason.IgpCost, multipath: false });
  t.same({ ...compareRoutes(a, b, { alwaysCompareMed: true, multipath: true }) }, { sign: 1, reason: BestPathReason.Med, multipath: false });
  t.equal(codeReason(compareCode(a, b, MedMode.Never, true)), BestPathReason.IgpCost);
});

t.test('routes equal through step 7 are flagged multipath while step 8 still orders them', async (t) => {
  const a = makeRoute({ source: ib1, attrs: makeAttrs({ asPath: [100, 1], med: 5, nextHop: '10.0.1.1' }), igpCost: 3 });
  const b = makeRoute({ source: ib2, attrs: makeAttrs({ asPath: [100, 2], med: 5, nextHop: '10.0.1.2' }), igpCost: 3 });
  t.same({ ...compareRoutes(a, b, opts) }, { sign: -1, reason: BestPathReason.RouterId, multipath: true });
  t.same({ ...compareRoutes(b, a, opts) }, { sign: 1, reason: BestPathReason.RouterId, multipath: true });
  const c = compareCode(a, b, MedMode.SameNeighborAs, true);
  t.equal(codeMultipath(c), true);
  t.equal(codeReason(c), BestPathReason.RouterId);
  t.ok(c < 0);
});

t.test('multipath flag is off when merge paths is off', async (t) => {
  const a = makeRoute({ source: ib1 });
  const b = makeRoute({ source: ib2 });
  t.same({ ...compareRoutes(a, b, { alwaysCompareMed: false, multipath: false }) }, { sign: -1, reason: BestPathReason.RouterId, multipath: false });
});

t.test('local sources never share a multipath class', async (t) => {
  const a = makeRoute({ source: static1 });
  const b = makeRoute({ source: kernel1 });
  t.same({ ...compareRoutes(a, b, opts) }, { sign: -1, reason: BestPathReason.TieBreak, multipath: false });
});

t.test('two ineligible routes are ordered by the tie-break steps only', async (t) => {
  const a = makeRoute({ source: makeSource({ id: 8, address: '10.0.0.1' }), attrs: null, preference: 1 });
  const b = makeRoute({ source: makeSource({ id: 7, address: '10.0.0.2' }), flags: RouteFlag.Unresolved, preference: 250 });
  t.same({ ...compareRoutes(a, b, opts) }, { sign: -1, reason: BestPathReason.PeerAddress, multipath: false });
  const c = makeRoute({ source: makeSource({ id: 9, address: '10.0.0.1' }), attrs: null });
  t.same({ ...compareRoutes(a, c, opts) }, { sign: -1, reason: BestPathReason.TieBreak, multipath: false });
});

t.test('a route compared with itself is Equal', async (t) => {
  const a = makeRoute({ source: s1 });
  t.same({ ...compareRoutes(a, a, opts) }, { sign: 0, reason: BestPathReason.Equal, multipath: true });
  t.equal(compareCode(a, a, MedMode.Always, false), 0);
});

t.test('two distinct routes for one path throw BugError', async (t) => {
  const a = makeRoute({ source: s1, pathId: 3 });
  const b = makeRoute({ source: s1, pathId: 3, igpCost: 0 });
  t.throws(() => compareRoutes(a, b, opts), BugError);
  t.throws(() => compareRoutes(a, b, opts), { code: 'ERR_BGP_BUG' });
});

t.test('the classic MED cycle is non-transitive pairwise', async (t) => {
  const r1 = makeRoute({ source: makeSource({ id: 1 }), attrs: makeAttrs({ asPath: [100], med: 100 }), igpCost: 5 });
  const r2 = makeRoute({ source: makeSource({ id: 2 }), attrs: makeAttrs({ asPath: [200], med: 50 }), igpCost: 10 });
  const r3 = makeRoute({ source: makeSource({ id: 3 }), attrs: makeAttrs({ asPath: [100], med: 10 }), igpCost: 15 });
  t.same({ ...compareRoutes(r1, r2, opts) }, { sign: -1, reason: BestPathReason.IgpCost, multipath: false });
  t.same({ ...compareRoutes(r2, r3, opts) }, { sign: -1, reason: BestPathReason.IgpCost, multipath: false });
  t.same({ ...compareRoutes(r3, r1, opts) }, { sign: -1, reason: BestPathReason.Med, multipath: false });
});

t.test('reason names are stable', async (t) => {
  const names: string[] = [];
  for (let r = BestPathReason.Eligibility; r <= BestPathReason.Equal; r++) names.push(bestPathReasonName(r));
  t.same(names, [
    'eligibility',
    'preference',
    'local-pref',
    'as-path-length',
    'origin',
    'med',
    'peer-type',
    'igp-cost',
    'router-id',
    'cluster-list-length',
    'peer-address',
    'tie-break',
    'equal',
  ]);
  t.equal(bestPathReasonName(99 as BestPathReason), 'unknown(99)');
  t.same(DEFAULT_BEST_PATH_OPTIONS, { alwaysCompareMed: false, multipath: true, multipathLimit: 16 });
});

t.test('address parsing and ordering', async (t) => {
  t.equal(parseIpv4Range('10.0.0.1', 0, 8), 0x0a000001);
  t.equal(parseIpv4Range('255.255.255.255', 0, 15), 0xffffffff);
  for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '1..2.3', '1.2.3.', 'a.b.c.d', '1234.1.1.1']) {
    t.equal(parseIpv4Range(bad, 0, bad.length), -1, bad);
  }
  const g = new Uint16Array(8);
  const v6 = (s: string): number[] | null => (parseIpv6(s, g) ? Array.from(g) : null);
  t.same(v6('::'), [0, 0, 0, 0, 0, 0, 0, 0]);
  t.same(v6('::1'), [0, 0, 0, 0, 0, 0, 0, 1]);
  t.same(v6('1::'), [1, 0, 0, 0, 0, 0, 0, 0]);
  t.same(v6('fe80::1:2%eth0'), [0xfe80, 0, 0, 0, 0, 0, 1, 2]);
  t.same(v6('2001:DB8:0:0:1:2:3:4'), [0x2001, 0xdb8, 0, 0, 1, 2, 3, 4]);
  t.same(v6('::ffff:10.1.2.3'), [0, 0, 0, 0, 0, 0xffff, 0x0a01, 0x0203]);
  for (const bad of ['', ':', '1:', ':1', '1:::2', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', 'g::', '1:2:3:4:5:6:7::8']) {
    t.equal(v6(bad), null, bad);
  }
  t.equal(compareAddress('', '0.0.0.0'), -1);
  t.equal(compareAddress('9.0.0.0', '10.0.0.0'), -1);
  t.equal(compareAddress('10.0.0.1', '10.0.0.1'), 0);
  t.equal(compareAddress('fe80::1', '2001:db8::1'), 1);
  t.equal(compareAddress('::ffff:1.2.3.4', '::1:0:0'), 1);
  t.equal(compareAddress('10.0.0.1', 'bogus'), -1, 'valid before unparsable');
  t.equal(compareAddress('x::y', 'x::z'), -1, 'unparsable ordered as text');
});
