/** `SlotArray`: chunked slot-indexed storage (reads of unwritten entries, growth across chunks, clear, copy). */
import t from 'tap';
import { SlotArray } from '../../src/rib/slot-array';

t.test('get, set and length across chunk boundaries', async (t) => {
  const a = new SlotArray<string>();
  t.equal(a.length, 0);
  t.equal(a.get(0), null);
  t.equal(a.get(100000), null, 'beyond any chunk');
  a.set(3, 'x');
  t.equal(a.length, 4);
  a.set(8191, 'end of chunk 0');
  a.set(8192, 'start of chunk 1');
  a.set(20000, 'chunk 2');
  t.equal(a.length, 20001);
  t.equal(a.get(3), 'x');
  t.equal(a.get(8191), 'end of chunk 0');
  t.equal(a.get(8192), 'start of chunk 1');
  t.equal(a.get(8193), null);
  t.equal(a.get(20000), 'chunk 2');
  a.set(3, null);
  t.equal(a.get(3), null);
  t.equal(a.length, 20001, 'length is one past the highest index ever written');
  a.set(5, 'y');
  t.equal(a.length, 20001);
});

t.test('copyFrom maps entries and is independent; clear empties', async (t) => {
  const a = new SlotArray<number>();
  a.set(1, 10);
  a.set(9000, 20);
  const b = new SlotArray<number>();
  b.set(50000, 1);
  b.copyFrom(a, (v) => v + 1);
  t.equal(b.length, 9001);
  t.equal(b.get(1), 11);
  t.equal(b.get(9000), 21);
  t.equal(b.get(50000), null, 'old contents gone');
  b.set(1, 99);
  t.equal(a.get(1), 10, 'the source is untouched');
  a.clear();
  t.equal(a.length, 0);
  t.equal(a.get(9000), null);
});
