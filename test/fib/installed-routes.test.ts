import t from 'tap';
import { InstalledRoutes } from '../../src/fib/installed-routes';
import { ShapeTable } from '../../src/fib/route-shape';
import { ShapeIdArray } from '../../src/fib/shape-id-array';
import { Af, RouteType } from '../../src/fib/netlink/codec';
import { LocRib } from '../../src/rib/loc-rib';
import { AttrInterner } from '../../src/rib/attrs/intern';
import { DEFAULT_BEST_PATH_OPTIONS } from '../../src/rib/best-path';
import { IPV4_UNICAST, IPV6_UNICAST } from '../../src/bgp/family';
import { parsePrefix } from '../../src/util/prefix';

const shapes = new ShapeTable(100, 12);
const A = shapes.acquire(shapes.intern(Af.Inet, RouteType.Unicast, 0, [{ gw: '10.1.0.2', oif: 2, onlink: false }]));
const B = shapes.acquire(shapes.intern(Af.Inet, RouteType.Blackhole, 0, []));

t.test('keyed by the Loc-RIB slot; unknown prefixes get a slot; a family without a Loc-RIB uses a map', async (t) => {
  const interner = new AttrInterner();
  const v4 = new LocRib(IPV4_UNICAST, interner, DEFAULT_BEST_PATH_OPTIONS);
  const table = new InstalledRoutes(v4, undefined, shapes);
  const p1 = parsePrefix('10.1.0.0/24')!;
  const p2 = parsePrefix('10.2.0.0/24')!;
  const p6 = parsePrefix('2001:db8::/64')!;
  t.equal(v4.findSlot(p1), -1, 'never seen by the RIB');
  table.set(p1, A);
  t.equal(v4.findSlot(p1), 0, 'given slot 0 in the RIB');
  table.set(p2, B);
  table.set(p6, A);
  t.same([table.size, table.get(p1), table.get(p2), table.get(p6), table.has(parsePrefix('10.3.0.0/24')!)], [3, A, B, A, false]);
  t.equal(table.getAt(v4, 1), B, 'by slot');
  table.setAt(v4, 1, A);
  t.equal(table.get(p2), A, 'setAt replaces without counting twice');
  t.equal(table.size, 3);
  t.same([...table.keys()], [p1, p2, p6], 'IPv4 in slot order, then the map');
  t.same([table.delete(p1), table.delete(p1), table.delete(p6), table.deleteAt(v4, 1), table.deleteAt(v4, 1)], [true, false, true, true, false]);
  t.equal(table.size, 0);
  t.same([...table.keys()], []);
  t.equal(v4.size, 0, 'the RIB still has no prefix with routes');
});

t.test('IPv6 with its own Loc-RIB', async (t) => {
  const interner = new AttrInterner();
  const v4 = new LocRib(IPV4_UNICAST, interner, DEFAULT_BEST_PATH_OPTIONS);
  const v6 = new LocRib(IPV6_UNICAST, interner, DEFAULT_BEST_PATH_OPTIONS);
  const table = new InstalledRoutes(v4, v6, shapes);
  const p6 = parsePrefix('2001:db8::/64')!;
  table.set(p6, B);
  t.same([v6.findSlot(p6), v4.slotCount, table.getAt(v6, 0), table.size], [0, 0, B, 1]);
});

t.test('shape ids: 16-bit until an id needs more, then every chunk widens; a dropped shape id is reused', async (t) => {
  const a = new ShapeIdArray();
  a.set(5, 7);
  a.set(20_000, 65_535);
  t.same([a.get(5), a.get(20_000), a.get(6), a.get(1_000_000), a.length], [7, 65_535, 0, 0, 20_001]);
  a.set(9, 70_000);
  t.same([a.get(5), a.get(9), a.get(20_000)], [7, 70_000, 65_535], 'widened without losing entries');
  a.set(5, 0);
  t.equal(a.get(5), 0, 'cleared');

  const table = new ShapeTable(100, 12);
  const s1 = table.acquire(table.intern(Af.Inet, RouteType.Unicast, 0, [{ gw: '10.9.0.1', oif: 2, onlink: false }]));
  const s2 = table.intern(Af.Inet, RouteType.Unicast, 0, [{ gw: '10.9.0.2', oif: 2, onlink: false }]);
  t.ok(s1.id > 0 && s2.id > 0 && s1.id !== s2.id, 'distinct ids');
  t.equal(table.byId(s2.id), s2);
  const old = s2.id;
  table.sweep(); // s2 has no reference
  t.same([s2.id, table.byId(old), table.byId(s1.id)], [0, undefined, s1], 'dropped: id freed');
  const s3 = table.intern(Af.Inet, RouteType.Unicast, 0, [{ gw: '10.9.0.3', oif: 2, onlink: false }]);
  t.equal(s3.id, old, 'id reused');
  table.acquire(s2);
  t.ok(s2.id > 0 && s2.id !== s3.id && table.byId(s2.id) === s2, 're-acquired after the drop: a new id');
});
