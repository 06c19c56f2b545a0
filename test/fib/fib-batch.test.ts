import t from 'tap';
import { FibBatch, OpFlag } from '../../src/fib/fib-batch';
import { ShapeTable } from '../../src/fib/route-shape';
import { Af, RouteType, decodeRoute, splitMessages } from '../../src/fib/netlink/codec';
import { formatPrefixKey, parsePrefix } from '../../src/util/prefix';

// FibBatch: the per-operation and per-message arrays keep their capacity across batches and never leak entries of
// an earlier batch into a later one (the FIB settles failures by these indexes).
t.test('operations and messages map back to prefixes and shapes across growth and reuse', async (t) => {
  const shapes = new ShapeTable(100, 12);
  const a = shapes.intern(Af.Inet, RouteType.Unicast, 0, [{ gw: '10.1.0.2', oif: 3, onlink: false }]);
  const b = shapes.intern(Af.Inet, RouteType.Unicast, 20, [{ gw: '10.1.0.3', oif: 3, onlink: false }]);
  const v6 = shapes.intern(Af.Inet6, RouteType.Unicast, 0, [{ gw: '2001:db8:1::2', oif: 3, onlink: false }]);
  const batch = new FibBatch();
  for (let round = 0; round < 2; round++) {
    const n = round === 0 ? 10_000 : 3; // the first round grows every array past its initial 8192
    for (let i = 0; i < n; i++) batch.replace(parsePrefix(`10.${i >> 8}.${i & 255}.0/24`)!, undefined, a);
    batch.replace(parsePrefix('2001:db8:5::/64')!, undefined, v6);
    batch.replace(parsePrefix('10.200.0.0/24')!, a, b); // metric change: DELETE then REPLACE
    batch.remove(parsePrefix('10.201.0.0/24')!, b);
    t.equal(batch.ops, n + 3, `round ${round}: operations`);
    t.equal(batch.messages, n + 4, `round ${round}: messages`);
    t.equal(formatPrefixKey(batch.keyAt(n)), '2001:db8:5::/64');
    t.equal(formatPrefixKey(batch.keyAt(n - 1)), round === 0 ? '10.39.15.0/24' : '10.0.2.0/24');
    t.equal(batch.msgOp[n + 1], n + 1, 'the DELETE of the old metric belongs to the metric-change operation');
    t.equal(batch.msgDel[n + 1], 1);
    t.equal(batch.msgOp[n + 2], n + 1);
    t.equal(batch.msgDel[n + 2], 0);
    t.equal(batch.flags[n + 1], OpFlag.MetricChange);
    t.equal(batch.flags[n + 2], OpFlag.None);
    t.ok(batch.prev[n + 1] === a && batch.next[n + 1] === b && batch.next[n + 2] === null, 'shapes before and after');
    const msgs = splitMessages(batch.w.take());
    t.equal(msgs.length, n + 4, 'one encoded message each');
    t.match(decodeRoute(msgs[n + 3]), { dst: '10.201.0.0', priority: 20 }, 'the DELETE carries the old metric');
    batch.reset();
    t.equal(batch.ops, 0);
    t.equal(batch.messages, 0);
    t.ok(batch.prev.slice(0, n + 3).every((s) => s === undefined) && batch.next.slice(0, n + 3).every((s) => s === null), 'no shape kept by a reset batch');
  }
});
