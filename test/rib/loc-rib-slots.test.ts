/**
 * The Loc-RIB's dense slots as its consumers see them: the key views (`table`, `best`, `candidates`), slots kept
 * across withdraw and re-announce, `flushSource` in slices, and an exporter on top: the initial feed evaluates
 * each existing prefix once, journal changes follow, `refeedAll` re-sends everything, `adoptState` copies exactly,
 * `close` releases every reference.
 */
import t from 'tap';
import { IPV4_UNICAST, type Family } from '../../src/bgp/family';
import { decodeUpdate } from '../../src/bgp/codec/update';
import { AttrInterner, emptyAttrFields } from '../../src/rib/attrs/intern';
import type { AttrSet } from '../../src/rib/attrs/attr-set';
import { LocRib } from '../../src/rib/loc-rib';
import { DEFAULT_BEST_PATH_OPTIONS } from '../../src/rib/best-path';
import { Exporter, type ExportDecision } from '../../src/rib/exporter';
import { localSource, originate, retract } from '../../src/rib/local-routes';
import { SourceKind, type Route } from '../../src/rib/types';
import { UpdateBuilder } from '../../src/rib/update-builder';
import { ipv4Key, parsePrefix, type PrefixKey } from '../../src/util/prefix';

const CTX = { as4: true, addPath: new Set<Family>(), extendedMessage: false };
const key = (i: number): PrefixKey => ipv4Key(0x0a000000 + i * 256, 24);

function setup() {
  const interner = new AttrInterner();
  const rib = new LocRib(IPV4_UNICAST, interner, DEFAULT_BEST_PATH_OPTIONS);
  const static1 = localSource('static1', SourceKind.Static);
  const kernel1 = localSource('kernel1', SourceKind.Kernel);
  return { interner, rib, static1, kernel1 };
}

/** An export decision that advertises the best route's attributes and counts its calls. */
function countingDecision(interner: AttrInterner): ExportDecision & { calls: number } {
  const d = ((best: Route): AttrSet | null => {
    d.calls++;
    return interner.ref(best.attrs!);
  }) as ExportDecision & { calls: number };
  d.calls = 0;
  return d;
}

/** Encodes everything the exporter has to say and decodes it back: [announced keys, withdrawn keys]. */
function sent(e: Exporter): [PrefixKey[], PrefixKey[]] {
  const ann: PrefixKey[] = [];
  const wd: PrefixKey[] = [];
  for (;;) {
    e.pull(1000);
    const msgs = e.drain(1000);
    if (msgs.length === 0 && e.idle) break;
    for (const m of msgs) {
      const u = decodeUpdate(m, 19, m.length, CTX);
      wd.push(...u.withdrawn.keys);
      ann.push(...u.nlri.keys);
    }
  }
  return [ann.sort(), wd.sort()];
}

t.test('key views over slots; a withdrawn prefix keeps its slot', async (t) => {
  const { interner, rib, static1, kernel1 } = setup();
  const odd = parsePrefix('10.9.9.9/32')!;
  for (let i = 0; i < 3; i++) originate(rib, interner, static1, key(i));
  originate(rib, interner, static1, odd);
  originate(rib, interner, kernel1, key(1));
  t.equal(rib.table.size, 4);
  t.equal(rib.stats().paths, 5);
  t.same([...rib.table.keys()], [key(0), key(1), key(2), odd], 'slot order = order of first sight');
  t.equal(rib.table.get(key(1))!.source, static1, 'static (preference 200) beats kernel (10)');
  t.equal(rib.candidates(key(1))!.next!.source, kernel1);
  t.equal(rib.best(odd)!.prefix, odd);
  t.equal(rib.best(key(7)), undefined);
  t.notOk(rib.table.has(key(7)));
  const slot = rib.findSlot(key(0));
  retract(rib, static1, key(0));
  t.equal(rib.table.size, 3);
  t.notOk(rib.table.has(key(0)));
  t.same([...rib.table.values()].map((r) => r.prefix), [key(1), key(2), odd]);
  originate(rib, interner, static1, key(0));
  t.equal(rib.findSlot(key(0)), slot, 're-announced prefix gets its old slot back');
  t.equal(rib.slotCount, 4);
  const keys: PrefixKey[] = [];
  const c = rib.journal.openCursor('x', true);
  rib.journal.append(key(2)); // as kernel learning does
  rib.journal.read(c, 100, keys);
  t.same(keys.slice(-3), [key(0), key(0), key(2)], 'withdraw, re-announce and the keyed append, as keys');
  const state = {};
  let calls = 0;
  const flushed = rib.journal.openCursor('flush');
  while (!rib.flushSource(static1, 2, state)) calls++;
  t.equal(calls, 2, 'four slots in slices of two, then a call that finds the end');
  const order: PrefixKey[] = [];
  rib.journal.read(flushed, 100, order);
  t.same(order, [odd, key(2), key(1), key(0)], 'withdrawn from the last slot to the first (kernel deletes in descending order)');
  t.same([...rib.table.entries()].map(([k, r]) => [k, r.source.name]), [[key(1), 'kernel1']]);
  t.same(static1.pathCounts, undefined);
  t.equal(rib.stats().paths, 1);
});

t.test('exporter: one evaluation per prefix in the initial feed, journal after, refeedAll, adoptState, close', async (t) => {
  const { interner, rib, static1 } = setup();
  for (let i = 0; i < 50; i++) originate(rib, interner, static1, key(i));
  const decide = countingDecision(interner);
  const e = new Exporter('e', rib, interner, new UpdateBuilder(IPV4_UNICAST, CTX), decide);
  t.ok(e.feeding);
  for (let i = 50; i < 60; i++) originate(rib, interner, static1, key(i)); // after the exporter started: journal
  const [ann] = sent(e);
  t.same(ann, Array.from({ length: 60 }, (_, i) => key(i)).sort());
  t.equal(decide.calls, 60, 'each prefix evaluated once');
  t.equal(e.adjRibOut.size, 60);
  t.equal(e.adjRibOut.get(key(5)), rib.best(key(5))!.attrs);
  t.same([...e.adjRibOut.keys()].slice(0, 2), [key(0), key(1)]);

  for (let i = 0; i < 5; i++) retract(rib, static1, key(i));
  originate(rib, interner, static1, key(7), { ...emptyAttrFields(), med: 9 });
  const [ann2, wd2] = sent(e);
  t.same(wd2, [0, 1, 2, 3, 4].map(key).sort(), 'withdrawals');
  t.same(ann2, [key(7)], 'the changed route');
  t.equal(e.stats().advertised, 55);

  const twin = new Exporter('twin', rib, interner, new UpdateBuilder(IPV4_UNICAST, CTX), countingDecision(interner));
  retract(rib, static1, key(9));
  e.pull(1); // the withdrawal of key(9) is now queued in e
  twin.adoptState(e);
  t.equal(twin.feeding, false, 'feed position copied (e had finished)');
  t.same(sent(twin), [[], [key(9)]], 'the copy sends exactly what e still had queued');
  t.same(sent(e), [[], [key(9)]]);
  twin.close();

  e.refeedAll();
  const [ann3, wd3] = sent(e);
  t.equal(ann3.length, 54, 'route refresh: everything re-sent');
  t.same(wd3, []);
  e.close();
  retract(rib, static1, key(100)); // never announced: a no-op
  while (!rib.flushSource(static1, 1000, {}));
  t.equal(interner.stats().sets, 0, 'every interned set released');
});
