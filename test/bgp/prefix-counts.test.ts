/**
 * `show peers` prefix counts come from per-source counters the Loc-RIBs keep (RouteSource.pathCounts), not from a
 * table scan: a hand-driven peer announces, replaces (accepted ↔ filtered by import policy), withdraws, drops the
 * session under graceful restart (routes stale, counts kept), comes back with part of its routes and End-of-RIB,
 * and finally sends a Cease (routes flushed). After every step the API's counts equal the expected values and a
 * scan of the Loc-RIB.
 */
import t from 'tap';
import pino from 'pino';
import { Peer } from '../../src/bgp/peer';
import { IPV4_UNICAST } from '../../src/bgp/family';
import type { LocalSessionSettings } from '../../src/bgp/codec/session-codec';
import { localSource, originate } from '../../src/rib/local-routes';
import { RouteFlag, SourceKind, type Route } from '../../src/rib/types';
import { emptyAttrFields } from '../../src/rib/attrs/intern';
import { parsePrefix } from '../../src/util/prefix';
import { peersView, type ApiDaemonView } from '../../src/api/views';
import type { PrefixCountsInfo } from '../../src/api/types';
import { speaker, peerConfig, waitFor } from '../helpers/loopback-speaker';
import { RawPeer } from './raw-peer';

const log = pino({ level: process.env.TEST_LOG ?? 'silent' });
const i = 40 + (process.pid % 200);
const P = (n: number) => `10.1.${n}.0/24`;
const Q = (n: number) => `10.2.${n}.0/24`;
const range = (from: number, to: number, f: (n: number) => string) => Array.from({ length: to - from }, (_, k) => f(from + k));
const REJECT_AS = 65666;

t.test('prefix counts stay exact through announce, replace, withdraw, policy, GR stale and flush', async (t) => {
  const host = `127.4.${i}.1`;
  const peerAddr = `127.4.${i}.2`;
  const port = 20000 + Math.floor(Math.random() * 20000);
  const s = speaker(log);
  await s.listener.listen(port, host);
  const cfg = peerConfig('raw', { as: 65000, id: '10.0.0.1', addr: host }, { as: 65099, addr: peerAddr, port }, true);
  cfg.settings.gracefulRestart = { restartTime: 120, restarting: false, forwarding: true };
  cfg.importPolicy = (_p, _f, attrs, src) => attrs.asPath.value.some((seg) => seg.asns.includes(REJECT_AS))
    ? { attrs: null, preference: src.preference }
    : { attrs: s.interner.ref(attrs), preference: src.preference };
  const peer = new Peer(cfg, s.ribs, s.interner, log);
  s.peers.push(peer);
  peer.start();
  const raws: RawPeer[] = [];
  t.teardown(async () => {
    for (const r of raws) r.drop();
    peer.destroy();
    await s.listener.close();
  });
  const rib = s.ribs.get(IPV4_UNICAST)!;
  const static1 = localSource('static1', SourceKind.Static);
  originate(rib, s.interner, static1, parsePrefix('10.9.0.0/24')!, { ...emptyAttrFields(), nextHop: '' });
  originate(rib, s.interner, static1, parsePrefix('10.9.1.0/24')!, { ...emptyAttrFields(), nextHop: '' });

  const view: ApiDaemonView = {
    peers: new Map([['raw', peer]]), ribs: s.ribs, interner: s.interner, startedAt: 0, reconfiguredAt: 0,
    config: { nodeName: 'n', routerId: '10.0.0.1', localAs: 65000 },
  };
  const counts = (): PrefixCountsInfo => peersView(view, Date.now(), 'raw')[0].prefixes;
  const scan = () => {
    let received = 0;
    let filtered = 0;
    for (const head of rib.table.values()) {
      for (let r: Route | null = head; r !== null; r = r.next) {
        if (r.source !== peer.source) continue;
        received++;
        if (r.attrs === null) filtered++;
      }
    }
    return { received, accepted: received - filtered, filtered };
  };
  const same = (a: PrefixCountsInfo, b: PrefixCountsInfo) => JSON.stringify(a) === JSON.stringify(b);
  const step = async (what: string, want: PrefixCountsInfo) => {
    await waitFor(what, () => same(counts(), want));
    t.same(counts(), want, what);
    const { advertised: _a, ...c } = counts();
    t.same(c, scan(), `${what}: equal to a Loc-RIB scan`);
  };
  const open: LocalSessionSettings = { localAs: 65099, peerAs: 65000, routerId: '10.0.0.99', holdTime: 0, families: [IPV4_UNICAST] };
  const gr = { restartTime: 60, restarting: false, forwarding: true };
  const connect = async (restarting: boolean) => {
    await waitFor('peer listening', () => peer.session.primary.state.name === 'Active' && !peer.session.up);
    const r = await RawPeer.connect(host, port, peerAddr, { ...open, gracefulRestart: { ...gr, restarting } });
    raws.push(r);
    await waitFor('session up', () => peer.session.up !== null);
    return r;
  };

  let raw = await connect(false);
  await step('established: nothing received, the 2 static routes advertised', { received: 0, accepted: 0, filtered: 0, advertised: 2 });
  const announce = (r: RawPeer, prefixes: string[], asPath: number[]) => {
    for (const m of r.announceMessages(prefixes.map((p) => parsePrefix(p)!), asPath, '192.0.2.99')) r.socket.write(m);
  };
  announce(raw, range(0, 100, P), [65099]);
  announce(raw, range(0, 10, Q), [65099]); // accepted ...
  announce(raw, range(0, 10, Q), [65099, REJECT_AS]); // ... then replaced: filtered
  await step('announced: 100 accepted, 10 filtered; 2 static routes advertised', { received: 110, accepted: 100, filtered: 10, advertised: 2 });

  announce(raw, range(0, 5, P), [65099, REJECT_AS]); // accepted → filtered
  announce(raw, range(0, 3, Q), [65099]); // filtered → accepted
  announce(raw, range(10, 15, P), [65099, 65001]); // accepted → accepted, new attributes
  await step('replaced', { received: 110, accepted: 98, filtered: 12, advertised: 2 });

  raw.withdraw([...range(95, 100, P), Q(9), '10.3.0.0/24']); // 5 accepted, 1 filtered, 1 never announced
  await step('withdrawn', { received: 104, accepted: 93, filtered: 11, advertised: 2 });

  raw.drop();
  await waitFor('stale', () => [...rib.table.values()].filter((r) => r.flags & RouteFlag.Stale).length === 104);
  await step('session down under graceful restart: stale routes still counted, nothing advertised', { received: 104, accepted: 93, filtered: 11, advertised: 0 });

  raw = await connect(true);
  announce(raw, range(20, 50, P), [65099]);
  announce(raw, [Q(5)], [65099, REJECT_AS]);
  raw.endOfRib();
  await step('back with 31 routes and End-of-RIB: the rest swept', { received: 31, accepted: 30, filtered: 1, advertised: 2 });

  raw.notify(6, 2);
  await step('Cease: flushed', { received: 0, accepted: 0, filtered: 0, advertised: 0 });
});
