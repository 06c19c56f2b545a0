import t from 'tap';
import { TeardownHost, addAddress, createNetns, exec, ifindex, linkUp, vethPair } from '../../helpers/netns';
import { NsAgent } from './agent-client';
import {
  Af,
  NlWriter,
  Route,
  RouteType,
  RtmType,
  RtnlGroup,
  ROUTE_ADD_FLAGS,
  ROUTE_DELETE_FLAGS,
  ROUTE_REPLACE_FLAGS,
  decodeMessage,
  decodeRoute,
  encodeRoute,
  encodeRouteDump,
} from '../../../src/fib/netlink/codec';

// These run against the kernel inside throw-away network namespaces: they need root and iproute2.
const TABLE = 100;
const ENETUNREACH = 101;
const EEXIST = 17;

interface IpRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
  metric?: number;
  type?: string;
  flags?: string[];
  via?: { family: string; host: string };
  nexthops?: { gateway: string; dev: string; weight: number; flags: string[] }[];
}

async function ipRoutes(ns: string, ...args: string[]): Promise<IpRoute[]> {
  const family = args[0] === '-6' ? [args.shift()!] : [];
  return JSON.parse(await exec(ns, 'ip', [...family, '-j', 'route', 'show', ...args])) as IpRoute[];
}

/** 10.200.x.y/32 for i = 0..65535. */
function hostRoute(i: number, gateway: string, msgType: RtmType.NewRoute | RtmType.DelRoute = RtmType.NewRoute): Route {
  return { family: Af.Inet, dst: (((10 << 24) | (200 << 16)) >>> 0) + i, dstLen: 32, gateway: msgType === RtmType.NewRoute ? gateway : undefined, protocol: 12, table: TABLE };
}

function encodeAll(routes: Route[], msgType: RtmType.NewRoute | RtmType.DelRoute, flags: number): Buffer {
  const w = new NlWriter();
  for (const r of routes) encodeRoute(w, msgType, flags, 0, r);
  return w.finish();
}

async function setup(tt: TeardownHost): Promise<{ ns: string; agent: NsAgent; v0: number }> {
  const ns = await createNetns(tt, 'petrel-nlrt');
  await vethPair(ns, 'v0', ns, 'v1');
  await addAddress(ns, 'v0', '10.1.0.1/24');
  await exec(ns, 'ip', ['-6', 'addr', 'add', '2001:db8:1::1/64', 'dev', 'v0', 'nodad']);
  await linkUp(ns, 'v0');
  await linkUp(ns, 'v1');
  return { ns, agent: NsAgent.start(tt, ns), v0: await ifindex(ns, 'v0') };
}

t.test('1000 routes in one batch: installed, replaced in place, deleted', async (t) => {
  const { ns, agent } = await setup(t);
  const routes = Array.from({ length: 1000 }, (_, i) => hostRoute(i, '10.1.0.2'));
  const added = await agent.batch(encodeAll(routes, RtmType.NewRoute, ROUTE_REPLACE_FLAGS));
  t.same(added, { count: 1000, failed: [], unknown: [], acked: 0 });
  let shown = await ipRoutes(ns, 'proto', '12', 'table', String(TABLE));
  t.equal(shown.length, 1000);
  t.same(new Set(shown.map((r) => r.dst)), new Set(Array.from({ length: 1000 }, (_, i) => `10.200.${i >> 8}.${i & 255}`)));
  t.ok(shown.every((r) => r.gateway === '10.1.0.2' && r.dev === 'v0'), 'every route goes via 10.1.0.2 dev v0');

  const replaced = await agent.batch(encodeAll(routes.map((r) => ({ ...r, gateway: '10.1.0.3' })), RtmType.NewRoute, ROUTE_REPLACE_FLAGS), 'all');
  t.same(replaced, { count: 1000, failed: [], unknown: [], acked: 1000 });
  shown = await ipRoutes(ns, 'proto', '12', 'table', String(TABLE));
  t.equal(shown.length, 1000, 'replace left no duplicates');
  t.ok(shown.every((r) => r.gateway === '10.1.0.3'), 'every route now goes via 10.1.0.3');

  const deleted = await agent.batch(encodeAll(routes.map((_, i) => hostRoute(i, '', RtmType.DelRoute)), RtmType.DelRoute, ROUTE_DELETE_FLAGS));
  t.same(deleted, { count: 1000, failed: [], unknown: [], acked: 0 });
  t.same(await ipRoutes(ns, 'proto', '12', 'table', String(TABLE)), []);
});

t.test('a batch with bad gateways reports exactly those messages and installs the rest', async (t) => {
  const { ns, agent } = await setup(t);
  for (const acks of ['errors', 'all'] as const) {
    const routes = Array.from({ length: 10 }, (_, i) => hostRoute(i + (acks === 'all' ? 100 : 0), [3, 7].includes(i) ? '10.99.0.1' : '10.1.0.2'));
    const res = await agent.batch(encodeAll(routes, RtmType.NewRoute, ROUTE_REPLACE_FLAGS), acks);
    t.equal(res.count, 10);
    t.same(
      res.failed.map((f) => [f.index, f.errno, f.type]),
      [
        [3, ENETUNREACH, RtmType.NewRoute],
        [7, ENETUNREACH, RtmType.NewRoute],
      ],
      `${acks}: indexes 3 and 7 failed with ENETUNREACH`,
    );
    t.equal(res.failed[1].seq - res.failed[0].seq, 4, `${acks}: their seqs are 4 apart, like their indexes`);
    t.same(res.unknown, []);
    t.equal(res.acked, acks === 'all' ? 8 : 0);
  }
  const shown = (await ipRoutes(ns, 'proto', '12', 'table', String(TABLE))).map((r) => r.dst).sort();
  const expected = [0, 1, 2, 4, 5, 6, 8, 9].flatMap((i) => [`10.200.0.${i}`, `10.200.0.${i + 100}`]).sort();
  t.same(shown, expected);
});

t.test('ECMP, blackhole, IPv6 and RTA_VIA routes are installed as `ip route` shows them', async (t) => {
  const { ns, agent, v0 } = await setup(t);
  const routes: Route[] = [
    { family: Af.Inet, dst: '10.9.0.0', dstLen: 24, protocol: 12, table: TABLE, multipath: [{ gateway: '10.1.0.2' }, { gateway: '10.1.0.3', weight: 3 }] },
    { family: Af.Inet, dst: '10.10.0.0', dstLen: 26, protocol: 12, table: TABLE, type: RouteType.Blackhole },
    { family: Af.Inet, dst: '10.11.0.0', dstLen: 26, protocol: 12, table: TABLE, type: RouteType.Unreachable },
    { family: Af.Inet, dst: '10.12.0.0', dstLen: 16, protocol: 12, table: TABLE, via: { family: Af.Inet6, addr: '2001:db8:1::2' }, oif: v0 },
    { family: Af.Inet, dst: '10.13.0.0', dstLen: 16, protocol: 12, table: TABLE, gateway: '192.0.2.1', oif: v0, onlink: true, priority: 50 },
    { family: Af.Inet6, dst: '2001:db8:99::', dstLen: 48, protocol: 12, table: TABLE, gateway: '2001:db8:1::2' },
  ];
  const res = await agent.batch(encodeAll(routes, RtmType.NewRoute, ROUTE_REPLACE_FLAGS), 'all');
  t.same(res, { count: 6, failed: [], unknown: [], acked: 6 });
  const v4 = await ipRoutes(ns, 'proto', '12', 'table', String(TABLE));
  const byDst = new Map(v4.map((r) => [r.dst, r]));
  t.same(
    byDst.get('10.9.0.0/24')?.nexthops?.map((n) => [n.gateway, n.dev, n.weight]),
    [
      ['10.1.0.2', 'v0', 1],
      ['10.1.0.3', 'v0', 3],
    ],
  );
  t.equal(byDst.get('10.10.0.0/26')?.type, 'blackhole');
  t.equal(byDst.get('10.11.0.0/26')?.type, 'unreachable');
  t.same(byDst.get('10.12.0.0/16')?.via, { family: 'inet6', host: '2001:db8:1::2' });
  t.equal(byDst.get('10.13.0.0/16')?.gateway, '192.0.2.1');
  t.same(byDst.get('10.13.0.0/16')?.flags, ['onlink']);
  t.equal(byDst.get('10.13.0.0/16')?.metric, 50);
  const v6 = await ipRoutes(ns, '-6', 'proto', '12', 'table', String(TABLE));
  t.same(
    v6.map((r) => [r.dst, r.gateway, r.dev]),
    [['2001:db8:99::/48', '2001:db8:1::2', 'v0']],
  );

  // A dump decodes to the same routes.
  const w = new NlWriter();
  encodeRouteDump(w, 0, Af.Unspec);
  const dumped = (await agent.dump(w.finish())).map((m) => decodeRoute(m)).filter((r) => r.table === TABLE);
  const mine = new Map(dumped.map((r) => [`${r.dst}/${r.dstLen}`, r]));
  t.equal(dumped.length, 6);
  t.same(mine.get('10.9.0.0/24')?.multipath, [
    { flags: 0, weight: 1, oif: v0, gateway: '10.1.0.2' },
    { flags: 0, weight: 3, oif: v0, gateway: '10.1.0.3' },
  ]);
  t.equal(mine.get('10.10.0.0/26')?.type, RouteType.Blackhole);
  t.equal(mine.get('10.11.0.0/26')?.type, RouteType.Unreachable);
  t.same(mine.get('10.12.0.0/16')?.via, { family: Af.Inet6, addr: '2001:db8:1::2' });
  t.same([mine.get('10.13.0.0/16')?.gateway, mine.get('10.13.0.0/16')?.priority, mine.get('10.13.0.0/16')!.flags & 4], ['192.0.2.1', 50, 4]);
  t.same([mine.get('2001:db8:99::/48')?.gateway, mine.get('2001:db8:99::/48')?.oif, mine.get('2001:db8:99::/48')?.protocol], ['2001:db8:1::2', v0, 12]);
});

t.test('single requests: ACK, and EEXIST for an exclusive add of an existing route', async (t) => {
  const { ns, agent } = await setup(t);
  const one = (flags: number): Buffer => encodeAll([hostRoute(5, '10.1.0.2')], RtmType.NewRoute, flags);
  t.equal(await agent.request(one(ROUTE_ADD_FLAGS)), 0);
  t.equal(await agent.request(one(ROUTE_ADD_FLAGS)), EEXIST);
  t.same(
    (await ipRoutes(ns, 'proto', '12', 'table', String(TABLE))).map((r) => r.dst),
    ['10.200.0.5'],
  );
});

t.test('a monitor sees a route added and deleted by `ip route`', async (t) => {
  const { ns, agent } = await setup(t);
  await agent.subscribe([RtnlGroup.Ipv4Route, RtnlGroup.Ipv6Route]);
  await exec(ns, 'ip', ['route', 'add', '10.77.0.0/16', 'via', '10.1.0.2', 'proto', 'static', 'table', String(TABLE), 'metric', '7']);
  await exec(ns, 'ip', ['route', 'del', '10.77.0.0/16', 'table', String(TABLE), 'metric', '7']);
  const isOurs = (hex: string): boolean => {
    const m = decodeMessage(Buffer.from(hex, 'hex'));
    return m.kind === 'route' && m.route.dst === '10.77.0.0';
  };
  await agent.waitForEvent((ev) => ev.filter(isOurs).length >= 2);
  const seen = agent.events.filter(isOurs).map((h) => decodeMessage(Buffer.from(h, 'hex')));
  t.same(
    seen.map((m) => (m.kind === 'route' ? [m.op, m.route.dst, m.route.dstLen, m.route.gateway, m.route.protocol, m.route.table, m.route.priority] : [])),
    [
      ['new', '10.77.0.0', 16, '10.1.0.2', 4, TABLE, 7],
      ['del', '10.77.0.0', 16, '10.1.0.2', 4, TABLE, 7],
    ],
  );
  t.equal(agent.resyncs, 0);
});
