import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hex, toHex } from '../../helpers/hex';
import {
  Af,
  FibError,
  NlFlag,
  NlWriter,
  Route,
  RouteType,
  RtmType,
  ROUTE_DELETE_FLAGS,
  ROUTE_REPLACE_FLAGS,
  LINK_CREATE_FLAGS,
  NEIGH_REPLACE_FLAGS,
  decodeAddr,
  decodeError,
  decodeLink,
  decodeMessage,
  decodeNeigh,
  decodeRoute,
  decodeNexthop,
  encodeAddr,
  encodeNexthop,
  encodeNexthopDelete,
  NEXTHOP_CREATE_FLAGS,
  encodeNeigh,
  encodeNewLink,
  encodeRoute,
  encodeRouteDump,
  splitMessages,
} from '../../../src/fib/netlink/codec';

const FIXTURES = join(__dirname, '../../../../test/fixtures/netlink');

/** A captured request with its seq and pid zeroed (they vary per run). */
function fixture(name: string): Buffer {
  const text = readFileSync(join(FIXTURES, name), 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join(' ');
  return zeroSeqPid(hex(text));
}

function zeroSeqPid(buf: Buffer): Buffer {
  const b = Buffer.from(buf);
  b.fill(0, 8, 16);
  return b;
}

function encodeOne(fn: (w: NlWriter) => void): Buffer {
  const w = new NlWriter(64);
  fn(w);
  return zeroSeqPid(w.finish());
}

t.test('route requests are byte-for-byte what iproute2 sends', async (t) => {
  const cases: [string, RtmType.NewRoute | RtmType.DelRoute, number, Route][] = [
    ['route-replace.hex', RtmType.NewRoute, ROUTE_REPLACE_FLAGS, { family: Af.Inet, dst: '10.2.0.0', dstLen: 24, gateway: '10.1.0.2', protocol: 12, table: 100 }],
    [
      'route-replace-table1000-metric.hex',
      RtmType.NewRoute,
      ROUTE_REPLACE_FLAGS,
      { family: Af.Inet, dst: 0x0a020000, dstLen: 24, gateway: Uint8Array.of(10, 1, 0, 2), protocol: 12, table: 1000, priority: 20 },
    ],
    [
      'route-multipath.hex',
      RtmType.NewRoute,
      ROUTE_REPLACE_FLAGS,
      { family: Af.Inet, dst: '10.3.0.0', dstLen: 24, protocol: 12, table: 100, multipath: [{ gateway: '10.1.0.2', weight: 1 }, { gateway: '10.1.0.3', weight: 2 }] },
    ],
    ['route-blackhole.hex', RtmType.NewRoute, ROUTE_REPLACE_FLAGS, { family: Af.Inet, dst: '10.4.0.0', dstLen: 26, protocol: 12, type: RouteType.Blackhole }],
    ['route-delete.hex', RtmType.DelRoute, ROUTE_DELETE_FLAGS, { family: Af.Inet, dst: '10.2.0.0', dstLen: 24, protocol: 12, table: 100 }],
  ];
  for (const [name, type, flags, route] of cases) {
    t.equal(toHex(encodeOne((w) => encodeRoute(w, type, flags, 0, route))), toHex(fixture(name)), name);
  }
});

t.test('ipip RTM_NEWLINK matches the strace capture of `ip link add tunl0 type ipip`', async (t) => {
  t.equal(toHex(encodeOne((w) => encodeNewLink(w, LINK_CREATE_FLAGS, 0, { name: 'tunl0', kind: 'ipip' }))), toHex(fixture('ipip-newlink-basic.hex')));
  t.equal(
    toHex(encodeOne((w) => encodeNewLink(w, LINK_CREATE_FLAGS, 0, { name: 'tunl0', ipip: { local: '10.0.0.1', ttl: 64 } }))),
    toHex(fixture('ipip-newlink-local-ttl.hex')),
  );
  const decoded = decodeLink(fixture('ipip-newlink-local-ttl.hex'));
  t.same(decoded, { type: 0, index: 0, flags: 0, name: 'tunl0', kind: 'ipip', ipip: { local: '10.0.0.1', pmtudisc: true, tos: 0, ttl: 64, link: 0, fwmark: 0 } });
});

t.test('a route decodes to what was encoded (multipath, RTA_VIA, large table, prefsrc, onlink)', async (t) => {
  const w = new NlWriter(16);
  encodeRoute(w, RtmType.NewRoute, ROUTE_REPLACE_FLAGS, 77, {
    family: Af.Inet,
    dst: '192.168.10.0',
    dstLen: 26,
    table: 70000,
    priority: 1024,
    prefsrc: '10.0.0.9',
    multipath: [
      { gateway: '10.1.0.2', oif: 3, weight: 5, onlink: true },
      { via: { family: Af.Inet6, addr: '2001:db8::7' }, oif: 4 },
    ],
  });
  encodeRoute(w, RtmType.NewRoute, ROUTE_REPLACE_FLAGS, 78, { family: Af.Inet6, dstLen: 0, gateway: 'fe80::1', oif: 2, protocol: 4 });
  const msgs = splitMessages(w.finish());
  t.equal(msgs.length, 2);
  t.same(decodeRoute(msgs[0]), {
    family: Af.Inet,
    dstLen: 26,
    srcLen: 0,
    tos: 0,
    table: 70000,
    protocol: 12,
    scope: 0,
    type: RouteType.Unicast,
    flags: 0,
    dst: '192.168.10.0',
    priority: 1024,
    prefsrc: '10.0.0.9',
    multipath: [
      { flags: 4, weight: 5, oif: 3, onlink: true, gateway: '10.1.0.2' },
      { flags: 0, weight: 1, oif: 4, via: { family: Af.Inet6, addr: '2001:db8::7' } },
    ],
  });
  const m = decodeMessage(msgs[1]);
  t.equal(m.kind, 'route');
  if (m.kind === 'route') {
    t.equal(m.header.seq, 78);
    t.equal(m.header.flags, NlFlag.Request | NlFlag.Ack | NlFlag.Create | NlFlag.Replace);
    t.same(m.route, { family: Af.Inet6, dstLen: 0, srcLen: 0, tos: 0, table: 254, protocol: 4, scope: 0, type: 1, flags: 0, gateway: 'fe80::1', oif: 2 });
  }
});

t.test('a direct route without gateway gets scope link; a dump request is a bare rtmsg', async (t) => {
  const r = decodeRoute(encodeOne((w) => encodeRoute(w, RtmType.NewRoute, ROUTE_REPLACE_FLAGS, 0, { family: Af.Inet, dst: '10.5.0.0', dstLen: 16, oif: 7 })));
  t.equal(r.scope, 253);
  t.equal(r.oif, 7);
  t.equal(toHex(encodeOne((w) => encodeRouteDump(w, 0, Af.Inet))), '1C0000001A0001030000000000000000020000000000000000000000');
});

t.test('NLMSG_ERROR: an ACK, an error with the echoed request, and extended ACK text', async (t) => {
  // ACK (errno 0, NLM_F_CAPPED: only the request header is echoed) for seq 9 of an RTM_NEWROUTE.
  const ack = hex('24000000 0200 0001 09000000 aa000000 00000000 2c000000 1800 0505 09000000 00000000');
  t.same(decodeError(ack), { errno: 0, request: { len: 44, type: 24, flags: 0x505, seq: 9, pid: 0 } });
  // ENETUNREACH (-101) with NLM_F_CAPPED|NLM_F_ACK_TLVS and NLMSGERR_ATTR_MSG "Nexthop has invalid gateway.".
  const text = Buffer.from('Nexthop has invalid gateway.\0');
  const tlv = Buffer.alloc(4 + 32);
  tlv.writeUInt16LE(4 + text.length, 0);
  tlv.writeUInt16LE(1, 2);
  text.copy(tlv, 4);
  const body = Buffer.concat([hex('9bffffff 2c000000 1800 0505 0a000000 00000000'), tlv]);
  const head = Buffer.alloc(16);
  head.writeUInt32LE(16 + body.length, 0);
  head.writeUInt16LE(2, 4);
  head.writeUInt16LE(0x300, 6);
  head.writeUInt32LE(10, 8);
  const err = decodeError(Buffer.concat([head, body]));
  t.equal(err.errno, 101);
  t.equal(err.request.seq, 10);
  t.equal(err.extMessage, 'Nexthop has invalid gateway.');
});

t.test('VXLAN link, FDB entry, neighbour and address round trip', async (t) => {
  const link = decodeLink(
    encodeOne((w) =>
      encodeNewLink(w, LINK_CREATE_FLAGS, 0, {
        name: 'vxlan.calico',
        mtu: 1450,
        address: '66:0f:5a:01:02:03',
        vxlan: { id: 4096, port: 4789, local: '10.1.0.1', link: 2, learning: false },
      }),
    ),
  );
  t.same(link, {
    type: 0,
    index: 0,
    flags: 0,
    name: 'vxlan.calico',
    mtu: 1450,
    address: '66:0f:5a:01:02:03',
    kind: 'vxlan',
    vxlan: { id: 4096, local: '10.1.0.1', link: 2, learning: false, port: 4789 },
  });
  const fdb = decodeNeigh(encodeOne((w) => encodeNeigh(w, RtmType.NewNeigh, NEIGH_REPLACE_FLAGS, 0, { family: Af.Bridge, index: 5, lladdr: '66:0f:5a:01:02:04', dst: '10.1.0.2' })));
  t.same(fdb, { family: Af.Bridge, index: 5, state: 0x80, flags: 0x02, type: 0, dst: '10.1.0.2', lladdr: '66:0f:5a:01:02:04' });
  const arp = decodeNeigh(encodeOne((w) => encodeNeigh(w, RtmType.NewNeigh, NEIGH_REPLACE_FLAGS, 0, { family: Af.Inet, index: 5, lladdr: '66:0f:5a:01:02:04', dst: '10.244.1.0' })));
  t.same(arp, { family: Af.Inet, index: 5, state: 0x80, flags: 0, type: 0, dst: '10.244.1.0', lladdr: '66:0f:5a:01:02:04' });
  const addr = decodeAddr(encodeOne((w) => encodeAddr(w, RtmType.NewAddr, 0, { family: Af.Inet6, index: 5, address: '2001:db8::1', prefixLen: 128, label: 'x' })));
  t.same(addr, { family: Af.Inet6, prefixLen: 128, flags: 0, scope: 0, index: 5, local: '2001:db8::1', address: '2001:db8::1', label: 'x' });
});

t.test('malformed kernel messages throw FibError, never a RangeError', async (t) => {
  const good = encodeOne((w) => encodeRoute(w, RtmType.NewRoute, ROUTE_REPLACE_FLAGS, 0, { family: Af.Inet, dst: '10.2.0.0', dstLen: 24, gateway: '10.1.0.2' }));
  const badAttr = Buffer.from(good);
  badAttr.writeUInt16LE(200, 28); // RTA_DST claims 200 octets
  t.throws(() => decodeRoute(badAttr), FibError);
  t.throws(() => decodeRoute(good.subarray(0, 20)), FibError);
  t.throws(() => splitMessages(good.subarray(0, good.length - 4)), FibError);
  t.throws(() => decodeLink(good), FibError);
  for (let i = 0; i < 2000; i++) {
    const junk = Buffer.from(good);
    for (let k = 0; k < 4; k++) junk[16 + Math.floor(Math.random() * (junk.length - 16))] = Math.floor(Math.random() * 256);
    try {
      decodeMessage(junk);
    } catch (err) {
      if (!(err instanceof FibError)) {
        t.fail(`threw ${String(err)} for ${toHex(junk)}`);
        return;
      }
    }
  }
  t.pass('2000 corrupted route messages decoded or threw FibError');
});

t.test('nexthop objects: requests are byte-for-byte what `ip nexthop` sends; routes name them with RTA_NH_ID', async (t) => {
  const id = 1879048193;
  t.equal(toHex(encodeOne((w) => encodeNexthop(w, NEXTHOP_CREATE_FLAGS, 0, { id, family: Af.Inet, gateway: '10.1.0.2', oif: 1, protocol: 12 }))), toHex(fixture('nexthop-add.hex')), 'nexthop-add.hex');
  t.equal(
    toHex(encodeOne((w) => encodeNexthop(w, NEXTHOP_CREATE_FLAGS, 0, { id: id + 1, family: Af.Inet6, gateway: '2001:db8:1::2', oif: 1, protocol: 12 }))),
    toHex(fixture('nexthop-add-v6.hex')),
    'nexthop-add-v6.hex',
  );
  t.equal(toHex(encodeOne((w) => encodeNexthopDelete(w, 0, id))), toHex(fixture('nexthop-del.hex')), 'nexthop-del.hex');
  const route: Route = { family: Af.Inet, dst: '10.2.0.0', dstLen: 24, nhid: id, protocol: 12, table: 100 };
  t.equal(toHex(encodeOne((w) => encodeRoute(w, RtmType.NewRoute, ROUTE_REPLACE_FLAGS, 0, route))), toHex(fixture('route-replace-nhid.hex')), 'route-replace-nhid.hex (scope universe, as iproute2)');
  t.match(decodeRoute(fixture('route-replace-nhid.hex')), { dst: '10.2.0.0', nhid: id, table: 100 }, 'RTA_NH_ID decodes');

  // A kernel notification/dump entry is an RTM_NEWNEXTHOP: the request decodes as one.
  const add = fixture('nexthop-add.hex');
  t.same(decodeNexthop(add), { id, family: Af.Inet, protocol: 12, flags: 0, gateway: '10.1.0.2', oif: 1, blackhole: false, fdb: false });
  t.match(decodeNexthop(fixture('nexthop-add-v6.hex')), { id: id + 1, family: Af.Inet6, gateway: '2001:db8:1::2' });
  // A group (NHA_GROUP: struct nexthop_grp {id u32, weight u8, weight_high u8, resvd u16}) and a blackhole.
  const w = new NlWriter(64);
  const start = w.beginMessage(RtmType.NewNexthop, 0, 0);
  w.zero(8);
  w.attrU32(1, 7);
  w.attrBytes(2, Buffer.from('05000000000000000600000001000000', 'hex'));
  w.attrBytes(4, Buffer.alloc(0));
  w.endMessage(start);
  t.match(decodeNexthop(w.finish()), { id: 7, group: [5, 6], blackhole: true });
  t.throws(() => decodeNexthop(fixture('route-replace-nhid.hex')), FibError, 'not a nexthop message');
  const noId = Buffer.from(add.subarray(0, 24));
  noId.writeUInt32LE(24, 0);
  t.throws(() => decodeNexthop(noId), FibError, 'NHA_ID is required');
});
