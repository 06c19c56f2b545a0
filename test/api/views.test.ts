/**
 * The API's read-only views without sockets: ECMP membership recomputed from the candidate order, IPv6 exact and
 * longest-match lookups, filtered and unresolved paths per direction, AS path text, and query errors.
 */
import t from 'tap';
import { AttrInterner, emptyAttrFields, type AttrFields } from '../../src/rib/attrs/intern';
import { LocRib } from '../../src/rib/loc-rib';
import { IPV4_UNICAST, IPV6_UNICAST, type Family } from '../../src/bgp/family';
import { DEFAULT_BEST_PATH_OPTIONS } from '../../src/rib/best-path';
import { RouteFlag, SourceKind, type RouteSource } from '../../src/rib/types';
import { parsePrefix } from '../../src/util/prefix';
import { ApiRequestError, formatAsPath, peersView, routesView, statusView, type ApiDaemonView } from '../../src/api/views';
import type { RouteInfo, RouteQuery } from '../../src/api/types';

function source(id: number, name: string, address: string, routerId: number): RouteSource {
  return { id, name, kind: SourceKind.Ebgp, address, routerId, peerAs: 65010, rrClient: false, preference: 100 };
}

function setup(multipath = true) {
  const interner = new AttrInterner();
  const opts = { ...DEFAULT_BEST_PATH_OPTIONS, multipath };
  const ribs = new Map<Family, LocRib>([
    [IPV4_UNICAST, new LocRib(IPV4_UNICAST, interner, opts)],
    [IPV6_UNICAST, new LocRib(IPV6_UNICAST, interner, opts)],
  ]);
  const view: ApiDaemonView = {
    peers: new Map(), ribs, interner, startedAt: 1_700_000_000_000, reconfiguredAt: 1_700_000_100_000,
    config: { nodeName: 'n1', routerId: '192.0.2.1', localAs: 64512 },
  };
  const add = (prefix: string, src: RouteSource, f: Partial<AttrFields>, opt: { filtered?: boolean; flags?: number } = {}) => {
    const key = parsePrefix(prefix)!;
    const rib = ribs.get(typeof key === 'number' ? IPV4_UNICAST : IPV6_UNICAST)!;
    const set = interner.internSet({ ...emptyAttrFields(), asPath: [{ type: 2, asns: [65010] }], ...f });
    rib.upsert(key, src, 0, set, opt.filtered ? null : interner.ref(set), src.preference, opt.flags ?? 0);
  };
  return { view, add };
}

const q = (over: Partial<RouteQuery>): RouteQuery => ({ family: '', prefix: '', longestMatch: false, peer: '', direction: 'loc', ...over });
const pick = (rs: RouteInfo[]) => rs.map((r) => `${r.prefix} ${r.source} best=${r.best} ecmp=${r.ecmp} filtered=${r.filtered} unresolved=${r.unresolved}`);

t.test('ECMP members are flagged; a duplicate next hop and a worse path are not', async (t) => {
  const { view, add } = setup();
  const s1 = source(1, 'p1', '192.0.2.11', 11);
  const s2 = source(2, 'p2', '192.0.2.12', 12);
  const s3 = source(3, 'p3', '192.0.2.13', 13);
  const s4 = source(4, 'p4', '192.0.2.14', 14);
  add('10.1.0.0/24', s1, { nextHop: '192.0.2.11' });
  add('10.1.0.0/24', s2, { nextHop: '192.0.2.12' });
  add('10.1.0.0/24', s3, { nextHop: '192.0.2.11' }); // same next hop as p1: not a second ECMP member
  add('10.1.0.0/24', s4, { nextHop: '192.0.2.14', asPath: [{ type: 2, asns: [65010, 65020] }] }); // longer path
  t.same(pick([...routesView(view, q({}))]), [
    '10.1.0.0/24 p1 best=true ecmp=true filtered=false unresolved=false',
    '10.1.0.0/24 p2 best=false ecmp=true filtered=false unresolved=false',
    '10.1.0.0/24 p3 best=false ecmp=false filtered=false unresolved=false',
    '10.1.0.0/24 p4 best=false ecmp=false filtered=false unresolved=false',
  ]);
  const off = setup(false);
  off.add('10.1.0.0/24', s1, { nextHop: '192.0.2.11' });
  off.add('10.1.0.0/24', s2, { nextHop: '192.0.2.12' });
  t.same([...routesView(off.view, q({}))].map((r) => r.ecmp), [false, false], 'merge paths off: no ECMP flags');
});

t.test('directions: filtered and unresolved paths', async (t) => {
  const { view, add } = setup();
  const s1 = source(1, 'p1', '192.0.2.11', 11);
  const s2 = source(2, 'p2', '192.0.2.12', 12);
  add('10.2.0.0/24', s1, { nextHop: '192.0.2.11' }, { filtered: true });
  add('10.2.0.0/24', s2, { nextHop: '192.0.2.12' }, { flags: RouteFlag.Unresolved });
  t.same(pick([...routesView(view, q({}))]), ['10.2.0.0/24 p2 best=false ecmp=false filtered=false unresolved=true'], 'loc: accepted paths only, none best');
  // Two ineligible paths are ordered by peer address (best-path.ts steps 10-11): p1 first.
  t.same(pick([...routesView(view, q({ direction: 'adj-in' }))]), [
    '10.2.0.0/24 p1 best=false ecmp=false filtered=true unresolved=false',
    '10.2.0.0/24 p2 best=false ecmp=false filtered=false unresolved=true',
  ], 'adj-in: both in candidate order, filtered flagged');
});

t.test('IPv6: exact and longest-match lookups, families from the prefix', async (t) => {
  const { view, add } = setup();
  const s1 = source(1, 'p1', '2001:db8::11', 11);
  add('2001:db8::/32', s1, { nextHop: '2001:db8::11', nextHopLinkLocal: 'fe80::11' });
  add('2001:db8:1::/48', s1, { nextHop: '2001:db8::11', med: 0, localPref: 200, origin: 2 });
  const all = [...routesView(view, q({ family: 'ipv6' }))];
  t.same(all.map((r) => r.prefix), ['2001:db8::/32', '2001:db8:1::/48'], 'byte order');
  t.same(all[0].nextHops, ['2001:db8::11', 'fe80::11'], 'global then link-local next hop');
  t.same([all[1].med, all[1].localPref, all[1].origin], [0, 200, 'incomplete'], 'MED 0 is present, not absent');
  t.same([all[0].med, all[0].localPref, all[0].family], [null, null, 'ipv6-unicast']);
  t.same([...routesView(view, q({ prefix: '2001:db8:1::5', longestMatch: true }))].map((r) => r.prefix), ['2001:db8:1::/48']);
  t.same([...routesView(view, q({ prefix: '2001:db8:2::5', longestMatch: true }))].map((r) => r.prefix), ['2001:db8::/32']);
  t.same([...routesView(view, q({ prefix: '2001:db8::/32' }))].map((r) => r.prefix), ['2001:db8::/32']);
  t.same([...routesView(view, q({ prefix: '2001:db9::1', longestMatch: true }))], []);
  t.same([...routesView(view, q({}))], [], 'default family ipv4 is empty');
});

t.test('query errors', async (t) => {
  const { view } = setup();
  const err = (over: Partial<RouteQuery>) => {
    try {
      [...routesView(view, q(over))];
    } catch (e) {
      return e instanceof ApiRequestError ? `${e.code} ${e.message}` : String(e);
    }
    return 'no error';
  };
  t.equal(err({ prefix: '10.0.0.0/33' }), "ERR_API_ARGUMENT not a prefix or address: '10.0.0.0/33'");
  t.equal(err({ family: 'ipv6', prefix: '10.0.0.0/8' }), 'ERR_API_ARGUMENT prefix 10.0.0.0/8 is not in family ipv6-unicast');
  t.equal(err({ family: 'vpn' }), "ERR_API_ARGUMENT unknown family 'vpn' (ipv4 or ipv6)");
  t.equal(err({ peer: 'x' }), "ERR_API_NOT_FOUND no such peer 'x'");
  t.equal(err({ direction: 'adj-out' }), 'ERR_API_ARGUMENT adj-out needs a peer');
  t.throws(() => peersView(view, 0, 'x'), { code: 'ERR_API_NOT_FOUND', message: "no such peer 'x'" });
  t.same(peersView(view, 0), []);
});

t.test('status counts', async (t) => {
  const { view, add } = setup();
  add('10.3.0.0/24', source(1, 'p1', '192.0.2.11', 11), { nextHop: '192.0.2.11' });
  add('10.3.0.0/24', source(2, 'p2', '192.0.2.12', 12), { nextHop: '192.0.2.12' });
  const s = statusView(view, 1_700_000_061_500);
  t.same(s, {
    version: '0.1.0', nodeName: 'n1', routerId: '192.0.2.1', localAs: 64512, startedAt: 1_700_000_000, reconfiguredAt: 1_700_000_100,
    uptime: 61, peers: 0, peersEstablished: 0,
    families: [{ family: 'ipv4-unicast', prefixes: 1, paths: 2 }, { family: 'ipv6-unicast', prefixes: 0, paths: 0 }],
    attributeSets: 2, loopLag: null, updateGroups: 0, kernel: { fib: null, learner: null, tunnels: null },
  });
  const lagged = statusView({ ...view, loopLag: { snapshot: () => ({
    sinceStart: { p50: 1.2345, p99: 20.5, max: 250, samples: 900 }, lastInterval: { p50: 1, p99: 2, max: 3, samples: 100 }, intervalMs: 10000,
  }) } }, 1_700_000_061_500);
  t.same(lagged.loopLag, {
    sinceStart: { p50: 1.235, p99: 20.5, max: 250, samples: 900 }, lastInterval: { p50: 1, p99: 2, max: 3, samples: 100 }, intervalSeconds: 10,
  }, 'loop lag figures in ms, rounded to µs');
  const counters = { installed: 10, pending: 0, failed: 1, unresolved: 2, adopted: 0, converged: true, replaces: 14, deletes: 3, repairs: 1, scans: 5, nexthopObjects: 1 };
  const kernel = statusView({
    ...view,
    fib: { counters: { ...counters, extra: 99 } as typeof counters },
    learner: { kernelRoutes: () => new Map([[1, 1]]), directRoutes: () => new Map() },
    tunnels: { status: () => ({ ipip: 'ok', vxlan: 'unmanaged', reconciles: 3, lastActions: ['add tunl0'], lastErrors: [] }) },
  }, 1_700_000_061_500).kernel;
  t.same(kernel, {
    fib: counters, learner: { kernelRoutes: 1, directRoutes: 0 }, tunnels: { ipip: 'ok', vxlan: 'unmanaged', reconciles: 3, lastErrors: [] },
  }, 'the documented fields only (FIB counters copied field by field, tunnel actions left out)');
});

t.test('AS path text', async (t) => {
  t.equal(formatAsPath([]), '');
  t.equal(formatAsPath([{ type: 2, asns: [65001, 65002] }, { type: 1, asns: [65003, 65004] }]), '65001 65002 {65003,65004}');
  t.equal(formatAsPath([{ type: 3, asns: [64512, 64513] }, { type: 4, asns: [64514] }, { type: 2, asns: [65001] }]), '(64512 64513) [64514] 65001');
  t.equal(formatAsPath([{ type: 2, asns: [] }, { type: 2, asns: [4200000000] }]), '4200000000', 'empty segments dropped');
});
