/**
 * Receive fairness over loopback: peer A floods a speaker with 300k pre-encoded prefixes in one write while peer B
 * sends two small UPDATEs. B's routes must be imported while A's feed is still being imported (B's import policy
 * records how many of A's routes were in the Loc-RIB at that instant), A's socket is paused by the backlog, and in
 * the end every one of A's prefixes is there exactly once, from A. Timing figures live in bench/rx-fairness.ts.
 */
import t from 'tap';
import pino from 'pino';
import { Peer } from '../../src/bgp/peer';
import { IPV4_UNICAST } from '../../src/bgp/family';
import { encodeUpdate } from '../../src/bgp/codec/update';
import { endOfRibUpdate } from '../../src/bgp/codec/end-of-rib';
import type { LocalSessionSettings } from '../../src/bgp/codec/session-codec';
import { ipv4Key, parsePrefix, type PrefixKey } from '../../src/util/prefix';
import { speaker, peerConfig, waitFor } from '../helpers/loopback-speaker';
import { RawPeer } from './raw-peer';

const log = pino({ level: process.env.TEST_LOG ?? 'silent' });
const FLOOD = 300_000;
const i = 40 + (process.pid % 200);

t.test('a flooding peer does not hold back another peer; its feed arrives exactly', async (t) => {
  const host = `127.3.${i}.1`;
  const addrA = `127.3.${i}.2`;
  const addrB = `127.3.${i}.3`;
  const port = 20000 + Math.floor(Math.random() * 20000);
  const s = speaker(log);
  await s.listener.listen(port, host);
  const local = { as: 65000, id: '10.0.0.1', addr: host };
  const pa = new Peer(peerConfig('a', local, { as: 65101, addr: addrA, port }, true), s.ribs, s.interner, log);
  const cfgB = peerConfig('b', local, { as: 65102, addr: addrB, port }, true);
  const aCountAtB: number[] = [];
  cfgB.importPolicy = (_prefix, _f, attrs, src) => {
    aCountAtB.push(pa.prefixCounts().received);
    return { attrs: s.interner.ref(attrs), preference: src.preference };
  };
  const pb = new Peer(cfgB, s.ribs, s.interner, log);
  s.peers.push(pa, pb);
  pa.start();
  pb.start();
  const raws: RawPeer[] = [];
  t.teardown(async () => {
    for (const r of raws) r.drop();
    pa.destroy();
    pb.destroy();
    await s.listener.close();
  });
  const open = (as: number): LocalSessionSettings => ({ localAs: as, peerAs: 65000, routerId: `10.0.0.${as - 65000}`, holdTime: 0, families: [IPV4_UNICAST] });
  await waitFor('peers listening', () => pa.session.primary.state.name === 'Active' && pb.session.primary.state.name === 'Active');
  const ra = await RawPeer.connect(host, port, addrA, open(65101));
  const rb = await RawPeer.connect(host, port, addrB, open(65102));
  raws.push(ra, rb);
  await waitFor('sessions up', () => pa.session.up !== null && pb.session.up !== null);
  const sockA = pa.session.up!.socket!;
  let pauses = 0;
  const pause = sockA.pause.bind(sockA);
  sockA.pause = () => (pauses++, pause());

  const keys: PrefixKey[] = [];
  for (let n = 0; n < FLOOD; n++) keys.push(ipv4Key(((11 << 24) >>> 0) + n * 256, 24));
  const feed = Buffer.concat([...ra.announceMessages(keys, [65101], '192.0.2.101'), encodeUpdate(endOfRibUpdate(IPV4_UNICAST), { as4: true, addPath: new Set(), extendedMessage: false })]);
  ra.socket.write(feed);

  await waitFor('A\'s import under way', () => pa.prefixCounts().received > 0);
  rb.announce(['10.200.1.0/24'], 65102, '192.0.2.102');
  await waitFor('B\'s first route', () => aCountAtB.length === 1);
  rb.announce(['10.200.2.0/24'], 65102, '192.0.2.102');
  await waitFor('B\'s second route', () => aCountAtB.length === 2);
  t.ok(aCountAtB[0] > 0 && aCountAtB[0] < FLOOD, `B's first route imported while A's feed was in progress (A had ${aCountAtB[0]})`);
  t.ok(aCountAtB[1] >= aCountAtB[0] && aCountAtB[1] < FLOOD, `B's second route too (A had ${aCountAtB[1]})`);

  await waitFor('A\'s End-of-RIB', () => pa.eorReceived.has(IPV4_UNICAST), 60000);
  t.ok(pauses >= 1, `A's socket was paused by the backlog (${pauses} times)`);
  t.equal(pa.rx.isPaused, false, 'and is reading again');
  const rib = s.ribs.get(IPV4_UNICAST)!;
  let fromA = 0;
  for (const k of keys) if (rib.candidates(k)?.source === pa.source && rib.candidates(k)!.next === null) fromA++;
  t.equal(fromA, FLOOD, 'every prefix of A present once, from A');
  t.equal(rib.table.size, FLOOD + 2, 'and nothing else but B\'s two');
  t.equal(rib.best(parsePrefix('10.200.2.0/24')!)?.source, pb.source, 'B\'s route is there');
  const c = pa.prefixCounts();
  t.same([c.received, c.accepted, c.filtered], [FLOOD, FLOOD, 0], 'A\'s received/accepted/filtered counts');
  t.equal(pa.session.up !== null && pb.session.up !== null, true, 'both sessions stayed up');
});
