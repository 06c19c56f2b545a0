import t from 'tap';
import { ipv4Slot, PrefixMap, PrefixSet, slotKey } from '../../src/util/prefix-map';
import { ipv4Key, ipv6Key, parsePrefix, type PrefixKey } from '../../src/util/prefix';

const k = (s: string): PrefixKey => parsePrefix(s)!;

t.test('ipv4Slot: /1../30 map to distinct small integers and back; /0, /31, /32 and IPv6 do not', async (t) => {
  t.equal(ipv4Slot(k('10.0.0.0/8')), (1 << 8) | 10);
  t.equal(ipv4Slot(k('11.0.1.0/24')), (1 << 24) | 0x0b0001);
  t.equal(ipv4Slot(k('255.255.255.252/30')), 0x7fffffff);
  t.equal(ipv4Slot(k('128.0.0.0/1')), 3);
  t.equal(ipv4Slot(k('0.0.0.0/0')), -1);
  t.equal(ipv4Slot(k('10.0.0.2/31')), -1);
  t.equal(ipv4Slot(k('10.0.0.1/32')), -1);
  t.equal(ipv4Slot(k('2001:db8::/32')), -1);
  for (const p of ['0.0.0.0/1', '128.0.0.0/1', '10.0.0.0/8', '10.0.0.0/9', '192.168.10.0/26', '255.255.255.252/30', '11.0.1.0/24']) {
    t.equal(slotKey(ipv4Slot(k(p))), k(p), p);
  }
  // Same address, different lengths: different slots.
  t.not(ipv4Slot(ipv4Key(0x0a000000, 8)), ipv4Slot(ipv4Key(0x0a000000, 16)));
});

t.test('PrefixMap: Map semantics over both parts', async (t) => {
  const m = new PrefixMap<string>();
  const keys = [k('10.0.0.0/24'), k('0.0.0.0/0'), k('10.0.0.1/32'), ipv6Key(Buffer.alloc(16), 0), k('10.0.0.0/8')];
  keys.forEach((key, i) => m.set(key, `v${i}`));
  t.equal(m.size, 5);
  t.equal(m.get(k('10.0.0.0/24')), 'v0');
  t.equal(m.get(k('10.0.0.1/32')), 'v2');
  t.equal(m.get(k('10.0.0.0/16')), undefined);
  t.equal(m.has(keys[3]), true);
  t.same([...m.keys()], [keys[0], keys[4], keys[1], keys[2], keys[3]], 'IPv4 /1-/30 first, then the rest, each in insertion order');
  t.same([...m.values()], ['v0', 'v4', 'v1', 'v2', 'v3']);
  t.same([...m], [[keys[0], 'v0'], [keys[4], 'v4'], [keys[1], 'v1'], [keys[2], 'v2'], [keys[3], 'v3']]);
  const seen: string[] = [];
  m.forEach((v, key) => seen.push(`${String(key)}=${v}`));
  t.equal(seen.length, 5);
  m.set(keys[0], 'w');
  t.equal(m.get(keys[0]), 'w');
  t.equal(m.size, 5);
  t.equal(m.delete(keys[0]), true);
  t.equal(m.delete(keys[0]), false);
  t.equal(m.delete(keys[2]), true);
  t.equal(m.size, 3);
  m.clear();
  t.equal(m.size, 0);
  t.same([...m.keys()], []);
});

t.test('PrefixSet: add/has/delete and take', async (t) => {
  const s = new PrefixSet();
  const a = k('11.0.0.0/24'), b = k('11.0.1.0/24'), c = k('10.0.0.1/32'), d = k('11.0.2.0/24');
  s.add(a).add(b).add(c).add(a).add(d);
  t.equal(s.size, 4);
  t.equal(s.has(c), true);
  t.same([...s], [a, b, d, c]);
  const out: PrefixKey[] = [];
  t.equal(s.take(2, out), 2, 'partial take');
  t.same(out, [a, b]);
  t.equal(s.size, 2);
  t.same([...s], [d, c]);
  t.equal(s.take(10, out), 2, 'taking everything');
  t.same(out, [a, b, d, c]);
  t.equal(s.size, 0);
  t.equal(s.take(10, out), 0);
  s.add(b);
  t.equal(s.delete(b), true);
  t.equal(s.delete(b), false);
});
