import t from 'tap';
import { UpdateBuilder } from '../../src/rib/update-builder';
import { AttrInterner, emptyAttrFields } from '../../src/rib/attrs/intern';
import { attributesFromSet } from '../../src/rib/attrs/to-attributes';
import { encodeUpdate } from '../../src/bgp/codec/update';
import { IPV4_UNICAST, type Family } from '../../src/bgp/family';
import { ipv4Key } from '../../src/util/prefix';

// IPv4 announcements are built as "attributes once, NLRI appended": each message must be byte for byte what
// encodeUpdate makes of the same content, and together they must carry every prefix once, in order.
for (const addPath of [false, true]) {
  t.test(`IPv4 announce of 2,000 prefixes${addPath ? ' with ADD-PATH' : ''}: the same bytes as encodeUpdate`, async (t) => {
    const ctx = { as4: true, addPath: new Set<Family>(addPath ? [IPV4_UNICAST] : []), extendedMessage: false };
    const interner = new AttrInterner();
    const f = emptyAttrFields();
    f.nextHop = '10.0.0.1';
    f.asPath = [{ type: 2, asns: [65001, 65002, 4200000000] }];
    f.med = 300;
    f.communities = [0xfde80001];
    const set = interner.internSet(f);
    const keys = Array.from({ length: 2000 }, (_, i) => ipv4Key(((10 << 24) | (i << 8)) >>> 0, 24));
    const ids = addPath ? keys.map((_, i) => i + 1) : undefined;
    const msgs = new UpdateBuilder(IPV4_UNICAST, ctx).announce(set, keys, ids);
    t.ok(msgs.length > 1, `split into ${msgs.length} messages`);
    let at = 0;
    for (const m of msgs) {
      t.ok(m.length <= 4096, 'within 4096 octets');
      t.equal(m.readUInt16BE(16), m.length, 'header length');
      const n = (m.length - (23 + m.readUInt16BE(21))) / (addPath ? 8 : 4);
      const nlri = addPath ? { keys: keys.slice(at, at + n), pathIds: ids!.slice(at, at + n) } : { keys: keys.slice(at, at + n) };
      const want = encodeUpdate({ type: 2, withdrawn: { keys: [] }, attributes: attributesFromSet(set, true), nlri }, ctx);
      if (!m.equals(want)) t.fail(`message at prefix ${at} differs from encodeUpdate`);
      at += n;
    }
    t.equal(at, keys.length, 'every prefix once, in order');
  });
}
