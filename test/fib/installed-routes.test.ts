import t from 'tap';
import { InstalledRoutes } from '../../src/fib/installed-routes';
import type { RouteShape } from '../../src/fib/route-shape';
import { LocRib } from '../../src/rib/loc-rib';
import { AttrInterner } from '../../src/rib/attrs/intern';
import { DEFAULT_BEST_PATH_OPTIONS } from '../../src/rib/best-path';
import { IPV4_UNICAST, IPV6_UNICAST } from '../../src/bgp/family';
import { parsePrefix } from '../../src/util/prefix';

const shape = (key: string) => ({ key }) as unknown as RouteShape;
const A = shape('a');
const B = shape('b');

t.test('keyed by the Loc-RIB slot; unknown prefixes get a slot; a family without a Loc-RIB uses a map', async (t) => {
  const interner = new AttrInterner();
  const v4 = new LocRib(IPV4_UNICAST, interner, DEFAULT_BEST_PATH_OPTIONS);
  const table = new InstalledRoutes(v4, undefined);
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
  const table = new InstalledRoutes(v4, v6);
  const p6 = parsePrefix('2001:db8::/64')!;
  table.set(p6, B);
  t.same([v6.findSlot(p6), v4.slotCount, table.getAt(v6, 0), table.size], [0, 0, B, 1]);
});
