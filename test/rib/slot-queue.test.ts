/** The exporter's queue of changed prefixes: FIFO, deduplicated, lazy delete, growth and compaction, exact copy. */
import t from 'tap';
import { SlotQueue } from '../../src/rib/slot-queue';

t.test('SlotQueue: first-come order, a queued slot is not queued twice, delete skips it', async (t) => {
  const q = new SlotQueue();
  for (const s of [5, 3, 5, 9000, 3, 1]) q.add(s);
  t.equal(q.size, 4);
  t.ok(q.has(9000));
  t.notOk(q.has(2));
  t.notOk(q.has(1 << 20), 'beyond the bitmap: not queued');
  t.ok(q.delete(3));
  t.notOk(q.delete(3));
  const out: number[] = [];
  t.equal(q.take(2, out), 2);
  t.same(out, [5, 9000]);
  q.add(3);
  t.equal(q.take(10, out), 2);
  t.same(out, [5, 9000, 1, 3], 'a deleted then re-added slot comes after what was queued before it');
  t.equal(q.size, 0);
  t.equal(q.take(10, out), 0);
});

t.test('SlotQueue: growth, compaction of stale entries, copyFrom', async (t) => {
  const q = new SlotQueue();
  for (let round = 0; round < 3; round++) {
    for (let s = 0; s < 3000; s++) q.add(s);
    for (let s = 0; s < 3000; s += 2) q.delete(s);
  }
  t.equal(q.size, 1500);
  const copy = new SlotQueue();
  copy.add(77777);
  copy.copyFrom(q);
  const a: number[] = [];
  const b: number[] = [];
  q.take(Infinity, a);
  copy.take(Infinity, b);
  t.same(b, a, 'the copy yields the same slots in the same order');
  t.equal(a.length, 1500);
  t.same(a.slice(0, 3), [1, 3, 5]);
  t.equal(a.filter((s) => s % 2 === 0).length, 0, 'deleted slots never come out');
  q.add(4);
  q.clear();
  t.equal(q.size, 0);
  t.notOk(q.has(4));
});
