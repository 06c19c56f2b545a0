import t from 'tap';
import { Af, NlWriter, ROUTE_REPLACE_FLAGS, RtmType, encodeRoute, type Route } from '../../src/fib/netlink/codec';
import { matchesSignature, routeSignature } from '../../src/fib/route-signature';

function msg(r: Partial<Route>, extra?: Buffer): Buffer {
  const w = new NlWriter();
  encodeRoute(w, RtmType.NewRoute, ROUTE_REPLACE_FLAGS, 7, { family: Af.Inet, dstLen: 24, dst: 0x0a000100, gateway: 0x0a010002, protocol: 12, table: 100, ...r } as Route);
  const m = w.finish();
  if (extra === undefined) return m;
  const out = Buffer.concat([m, extra]);
  out.writeUInt32LE(out.length, 0);
  return out;
}

/** An RTA_CACHEINFO attribute (type 12) with `used` in its payload. */
function cacheinfo(used: number): Buffer {
  const a = Buffer.alloc(4 + 32);
  a.writeUInt16LE(36, 0);
  a.writeUInt16LE(12, 2);
  a.writeUInt32LE(used, 4 + 16);
  return a;
}

t.test('routes of one shape match whatever their destination, length, sequence or cache info', async (t) => {
  const sig = routeSignature(msg({}, cacheinfo(1)));
  t.ok(matchesSignature(msg({ dst: 0x0a000200 }, cacheinfo(1)), sig), 'other destination');
  t.ok(matchesSignature(msg({ dst: 0x0a000280, dstLen: 25 }, cacheinfo(99)), sig), 'other length and cache info');
  t.ok(matchesSignature(msg({}, cacheinfo(1)), sig), 'itself');
});

t.test('any other difference does not match', async (t) => {
  const sig = routeSignature(msg({ priority: 10 }));
  t.ok(matchesSignature(msg({ priority: 10, dst: 0x0b000000 }), sig));
  t.notOk(matchesSignature(msg({ priority: 11 }), sig), 'metric');
  t.notOk(matchesSignature(msg({ priority: 10, gateway: 0x0a010003 }), sig), 'gateway');
  t.notOk(matchesSignature(msg({ priority: 10, protocol: 13 }), sig), 'protocol');
  t.notOk(matchesSignature(msg({ priority: 10, table: 101 }), sig), 'table');
  t.notOk(matchesSignature(msg({ priority: 10, oif: 3 }), sig), 'an extra attribute');
  t.notOk(matchesSignature(msg({}), sig), 'a missing attribute');
});

t.test('the signature is a copy: the message may be reused', async (t) => {
  const m = msg({});
  const sig = routeSignature(m);
  m.fill(0xff, 16);
  t.ok(matchesSignature(msg({ dst: 0x0c000000 }), sig));
});
