/**
 * Enhanced route refresh (RFC 7313) against a hand-driven peer. Sending: a refresh request is answered with BoRR,
 * the Adj-RIB-Out, EoRR and no End-of-RIB (§4.1); without the capability the plain RFC 2918 answer is kept.
 * Receiving (§4.2): BoRR marks the peer's routes stale, re-sent ones lose the mark, EoRR removes the rest; BoRR,
 * UPDATEs and EoRR written at once are applied in order; EoRR without BoRR, and BoRR/EoRR when the capability was
 * not negotiated, change nothing.
 */
import t, { type Test } from 'tap';
import pino from 'pino';
import { Peer } from '../../src/bgp/peer';
import { IPV4_UNICAST } from '../../src/bgp/family';
import { decodeMessage } from '../../src/bgp/codec/message';
import type { LocalSessionSettings } from '../../src/bgp/codec/session-codec';
import type { BgpMessage } from '../../src/bgp/codec/types';
import { localSource, originate } from '../../src/rib/local-routes';
import { RouteFlag, SourceKind } from '../../src/rib/types';
import { emptyAttrFields } from '../../src/rib/attrs/intern';
import { formatPrefixKey, parsePrefix } from '../../src/util/prefix';
import { speaker, peerConfig, waitFor, type Speaker } from '../helpers/loopback-speaker';
import { RawPeer } from './raw-peer';

const log = pino({ level: process.env.TEST_LOG ?? 'silent' });
let hostIndex = 40 + (process.pid % 200);
const CTX = { as4: true, addPath: new Set<number>(), extendedMessage: false };
const P = (n: number) => `10.1.${n}.0/24`;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => P(from + k));
const BORR = RawPeer.routeRefreshMessage(1);
const EORR = RawPeer.routeRefreshMessage(2);

async function rig(t: Test, enhanced: boolean): Promise<{ s: Speaker; peer: Peer; raw: RawPeer }> {
  const i = hostIndex++;
  const host = `127.5.${i}.1`;
  const peerAddr = `127.5.${i}.2`;
  const port = 20000 + Math.floor(Math.random() * 20000);
  const s = speaker(log);
  await s.listener.listen(port, host);
  const cfg = peerConfig('raw', { as: 65000, id: '10.0.0.1', addr: host }, { as: 65099, addr: peerAddr, port }, true);
  cfg.settings.enhancedRouteRefresh = true;
  const peer = new Peer(cfg, s.ribs, s.interner, log);
  s.peers.push(peer);
  peer.start();
  let raw: RawPeer | undefined;
  t.teardown(async () => {
    raw?.drop();
    peer.destroy();
    await s.listener.close();
  });
  await waitFor('peer listening', () => peer.session.primary.state.name === 'Active');
  const open: LocalSessionSettings = { localAs: 65099, peerAs: 65000, routerId: '10.0.0.99', holdTime: 0, families: [IPV4_UNICAST], enhancedRouteRefresh: enhanced };
  raw = await RawPeer.connect(host, port, peerAddr, open);
  await waitFor('session up', () => peer.session.up !== null);
  t.equal(peer.negotiatedSession!.enhancedRouteRefresh, enhanced, `enhanced route refresh negotiated: ${enhanced}`);
  return { s, peer, raw };
}

/** Received messages from `from` on, as short descriptions. */
function describe(raw: RawPeer, from: number): string[] {
  return raw.messages.slice(from).map((b) => {
    const m: BgpMessage = decodeMessage(b, 0, b.length, CTX);
    if (m.type === 5) return `RR${m.subtype}`;
    if (m.type !== 2) return `type${m.type}`;
    return m.nlri.keys.length || m.withdrawn.keys.length ? `UPDATE ${m.nlri.keys.map(formatPrefixKey).sort().join(',')}` : 'EoR';
  });
}

const table = (s: Speaker) => s.ribs.get(IPV4_UNICAST)!.table;
const staleCount = (s: Speaker) => [...table(s).values()].filter((r) => r.flags & RouteFlag.Stale).length;

function originateStatics(s: Speaker): void {
  const src = localSource('static1', SourceKind.Static);
  for (const p of ['10.9.0.0/24', '10.9.1.0/24', '10.9.2.0/24']) {
    originate(s.ribs.get(IPV4_UNICAST)!, s.interner, src, parsePrefix(p)!, { ...emptyAttrFields(), nextHop: '' });
  }
}

t.test('sending: a request is answered with BoRR, the table, EoRR (RFC 7313 §4.1)', async (t) => {
  const { s, raw } = await rig(t, true);
  originateStatics(s);
  await waitFor('initial feed and End-of-RIB', () => describe(raw, 0).includes('EoR'));
  const from = raw.messages.length;
  raw.socket.write(RawPeer.routeRefreshMessage(0));
  await waitFor('EoRR', () => describe(raw, from).includes('RR2'));
  await new Promise((r) => setTimeout(r, 50));
  t.same(describe(raw, from), ['RR1', 'UPDATE 10.9.0.0/24,10.9.1.0/24,10.9.2.0/24', 'RR2'], 'BoRR, the table, EoRR; no End-of-RIB');
});

t.test('sending without the capability: the plain RFC 2918 answer', async (t) => {
  const { s, raw } = await rig(t, false);
  originateStatics(s);
  await waitFor('initial feed and End-of-RIB', () => describe(raw, 0).includes('EoR'));
  const from = raw.messages.length;
  raw.socket.write(RawPeer.routeRefreshMessage(0));
  await waitFor('End-of-RIB', () => describe(raw, from).includes('EoR'));
  await new Promise((r) => setTimeout(r, 50));
  t.same(describe(raw, from), ['UPDATE 10.9.0.0/24,10.9.1.0/24,10.9.2.0/24', 'EoR'], 'the table and End-of-RIB, no demarcation');
});

t.test('receiving: BoRR marks stale, re-sent routes refresh, EoRR removes the rest (RFC 7313 §4.2)', async (t) => {
  const { s, peer, raw } = await rig(t, true);
  raw.announce(range(0, 100), 65099, '192.0.2.99');
  raw.endOfRib();
  await waitFor('100 routes', () => table(s).size === 100);

  raw.socket.write(BORR);
  raw.announce(range(0, 70), 65099, '192.0.2.99');
  await waitFor('70 refreshed', () => staleCount(s) === 30);
  t.equal(table(s).size, 100, 'nothing removed before EoRR');
  raw.socket.write(EORR);
  await waitFor('EoRR applied', () => table(s).size === 70);
  t.equal(staleCount(s), 0, 'nothing stale left');
  t.same([...table(s).keys()].map(formatPrefixKey).sort(), range(0, 70).sort(), 'exactly the re-sent routes remain');

  // BoRR, UPDATEs and EoRR in one write: applied in order (the EoRR does not overtake the queued UPDATEs).
  const burst = [BORR, ...raw.announceMessages(range(10, 50).map((p) => parsePrefix(p)!), [65099], '192.0.2.99'), EORR];
  raw.socket.write(Buffer.concat(burst));
  await waitFor('second refresh applied', () => table(s).size === 40);
  t.same([...table(s).keys()].map(formatPrefixKey).sort(), range(10, 50).sort(), 'the 40 re-sent routes remain');
  t.equal(staleCount(s), 0, 'none stale');
  t.equal(peer.refreshRx.swept, 60, '30 + 30 routes swept');

  // Stale routes a lone EoRR must not touch (as graceful restart would leave them).
  for (const p of range(10, 15)) table(s).get(parsePrefix(p)!)!.flags |= RouteFlag.Stale;
  raw.socket.write(EORR); // no BoRR before it: ignored
  raw.announce([P(200)], 65099, '192.0.2.99');
  await waitFor('sentinel route', () => table(s).size === 41);
  t.equal(peer.refreshRx.swept, 60, 'a lone EoRR removes nothing');
  t.equal(staleCount(s), 5, 'the stale routes are still there');
  t.same(peer.prefixCounts(), { received: 41, accepted: 41, filtered: 0, advertised: 0 }, 'counts follow the sweeps');
});

t.test('receiving without the capability: BoRR and EoRR are ignored', async (t) => {
  const { s, raw } = await rig(t, false);
  raw.announce(range(0, 5), 65099, '192.0.2.99');
  raw.socket.write(Buffer.concat([BORR, EORR]));
  raw.announce([P(200)], 65099, '192.0.2.99');
  await waitFor('sentinel route', () => table(s).size === 6);
  t.equal(staleCount(s), 0, 'nothing marked stale');
});
