/**
 * The dense prefix index and the slot journal: slots are dense, stable and round-trip to keys across a rehash and
 * for keys outside the IPv4 /1–/30 fast path; the journal hands the same items out as slots or as keys, per cursor.
 */
import t from 'tap';
import { PrefixSlots } from '../../src/util/prefix-map';
import { Journal } from '../../src/util/journal';
import { ipv4Key, parsePrefix, type PrefixKey } from '../../src/util/prefix';

const k = (s: string): PrefixKey => parsePrefix(s)!;

t.test('PrefixSlots: dense slots in order of first sight, stable, round-trip through a rehash', async (t) => {
  const s = new PrefixSlots();
  const odd = [k('0.0.0.0/0'), k('10.0.0.1/32'), k('10.0.0.2/31'), k('2001:db8::/32')];
  t.equal(s.get(k('10.0.0.0/8')), -1);
  t.equal(s.intern(k('10.0.0.0/8')), 0);
  t.equal(s.intern(odd[0]), 1);
  t.equal(s.intern(k('10.0.0.0/8')), 0, 'same key, same slot');
  t.equal(s.intern(k('10.0.0.0/16')), 2, 'same address, other length: another slot');
  const n = 5000; // well past the initial 1024 buckets: several rehashes
  let dense = 0;
  for (let i = 0; i < n; i++) if (s.intern(ipv4Key(0x0b000000 + i * 256, 24)) === 3 + i) dense++;
  t.equal(dense, n, 'each new key takes the next slot');
  t.same(odd.slice(1).map((x) => s.intern(x)), [3 + n, 4 + n, 5 + n]);
  t.equal(s.size, 3 + n + 3);
  let wrong = 0;
  for (let i = 0; i < n; i++) {
    const key = ipv4Key(0x0b000000 + i * 256, 24);
    if (s.get(key) !== 3 + i || s.keyOf(3 + i) !== key) wrong++;
  }
  t.equal(wrong, 0, 'every /24 keeps its slot and maps back to its key');
  t.same(odd.map((x) => s.keyOf(s.get(x))), odd, 'keys outside the fast path round-trip too');
  t.equal(s.get(ipv4Key(0x0c000000, 24)), -1, 'an unseen key has no slot');
});

t.test('Journal: slots and keys views of one log, one cursor each, compaction across chunks', async (t) => {
  const s = new PrefixSlots();
  const j = new Journal({ slotOf: (key) => s.intern(key), keyOf: (slot) => s.keyOf(slot) });
  const a = j.openCursor('a');
  const b = j.openCursor('b');
  const total = 20000; // more than two 8192-item chunks
  for (let i = 0; i < total; i++) j.append(ipv4Key(0x0a000000 + (i % 100) * 256, 24));
  t.equal(j.lag(a), total);
  const slots = new Int32Array(7000);
  let seen = 0;
  let bad = 0;
  for (let got; (got = j.readSlots(a, 10000, slots)) > 0; ) {
    t.ok(got <= 7000, 'never more than the output holds');
    for (let i = 0; i < got; i++) if (slots[i] !== (seen + i) % 100) bad++;
    seen += got;
  }
  t.equal(seen, total);
  t.equal(bad, 0, 'slots come out in append order');
  t.equal(j.retained, total, 'cursor b still holds every chunk');
  const keys: PrefixKey[] = [];
  t.equal(j.read(b, 3, keys), 3);
  t.same(keys, [0, 1, 2].map((i) => ipv4Key(0x0a000000 + i * 256, 24)), 'read appends prefix keys');
  j.appendSlot(7);
  t.equal(j.read(b, total, keys), total - 3 + 1);
  t.equal(keys[keys.length - 1], ipv4Key(0x0a000000 + 7 * 256, 24));
  t.equal(j.lag(a), 1);
  j.skipToHead(a);
  t.ok(j.retained < 8192, `read chunks dropped (${j.retained} retained)`);
  j.closeCursor(a);
  j.closeCursor(b);
  for (let i = 0; i < 10; i++) j.appendSlot(i);
  const c = j.openCursor('c', true);
  t.equal(j.lag(c), j.retained, 'a cursor opened at the start sees what is retained');
});
