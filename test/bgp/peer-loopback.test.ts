/**
 * Two Petrel speakers in one process over loopback (127.0.0.x): sessions come up, locally originated routes travel
 * both ways with the eBGP attribute rules applied, withdrawals and End-of-RIB arrive, a stopped peer's routes
 * are flushed from the other side, and a wrong peer AS is refused with NOTIFICATION 2/2.
 */
import t from 'tap';
import pino from 'pino';
import { Peer } from '../../src/bgp/peer';
import { IPV4_UNICAST } from '../../src/bgp/family';
import { localSource, originate, retract } from '../../src/rib/local-routes';
import { SourceKind } from '../../src/rib/types';
import { parsePrefix, formatPrefixKey } from '../../src/util/prefix';
import { emptyAttrFields } from '../../src/rib/attrs/intern';
import { speaker, peerConfig, waitFor, type Speaker } from '../helpers/loopback-speaker';

const log = pino({ level: process.env.TEST_LOG ?? 'silent' });


function prefixes(s: Speaker): string[] {
  return [...s.ribs.get(IPV4_UNICAST)!.table.keys()].map(formatPrefixKey).sort();
}

t.test('eBGP over loopback: routes both ways, attributes, withdraw, flush on stop', async (t) => {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const a = speaker(log);
  const b = speaker(log);
  await a.listener.listen(port, '127.0.0.11');
  await b.listener.listen(port, '127.0.0.12');
  const pa = new Peer(peerConfig('to_b', { as: 65001, id: '10.0.0.11', addr: '127.0.0.11' }, { as: 65002, addr: '127.0.0.12', port }, false), a.ribs, a.interner, log);
  const pb = new Peer(peerConfig('to_a', { as: 65002, id: '10.0.0.12', addr: '127.0.0.12' }, { as: 65001, addr: '127.0.0.11', port }, true), b.ribs, b.interner, log);
  a.peers.push(pa);
  b.peers.push(pb);
  t.teardown(async () => {
    pa.destroy();
    pb.destroy();
    await a.listener.close();
    await b.listener.close();
  });
  const staticA = localSource('static1', SourceKind.Static);
  const ribA = a.ribs.get(IPV4_UNICAST)!;
  for (let i = 0; i < 1000; i++) originate(ribA, a.interner, staticA, parsePrefix(`10.${i >> 8}.${i & 255}.0/24`)!, { ...emptyAttrFields(), med: 5 });
  pa.start();
  pb.start();
  await waitFor('session up', () => pa.session.describe() === 'Established' && pb.session.describe() === 'Established');
  await waitFor('1000 routes at b', () => b.ribs.get(IPV4_UNICAST)!.table.size === 1000);
  await waitFor('End-of-RIB at b', () => pb.eorReceived.has(IPV4_UNICAST));
  const best = b.ribs.get(IPV4_UNICAST)!.best(parsePrefix('10.0.5.0/24')!)!;
  t.ok(best, 'b has 10.0.5.0/24');
  t.same(best.attrs!.asPath.value, [{ type: 2, asns: [65001] }], 'AS_PATH is the neighbour AS (RFC 4271 §5.1.2)');
  t.equal(best.attrs!.nextHop, '192.0.2.11', 'NEXT_HOP is the sender\'s next-hop-self address (RFC 4271 §5.1.3)');
  t.equal(best.attrs!.med, 5, 'MED of a locally originated route is sent');
  t.equal(best.attrs!.localPref, -1, 'no LOCAL_PREF over eBGP');
  t.equal(best.source.routerId, 0x0a00000b, 'source router id learned from OPEN');

  retract(ribA, staticA, parsePrefix('10.0.5.0/24')!);
  await waitFor('withdraw at b', () => b.ribs.get(IPV4_UNICAST)!.table.size === 999);
  t.notOk(b.ribs.get(IPV4_UNICAST)!.best(parsePrefix('10.0.5.0/24')!), 'withdrawn prefix gone at b');
  t.notOk(prefixes(a).length !== 999, 'a still has its own 999');

  pa.stop();
  await waitFor('b flushed', () => b.ribs.get(IPV4_UNICAST)!.table.size === 0);
  t.equal(b.interner.stats().sets, 0, 'every attribute set at b released after the flush');
});

t.test('a wrong peer AS is refused with NOTIFICATION 2/2 and the session stays down', async (t) => {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const a = speaker(log);
  const b = speaker(log);
  await b.listener.listen(port, '127.0.0.22');
  const pa = new Peer(peerConfig('to_b', { as: 65001, id: '10.0.0.21', addr: '127.0.0.21' }, { as: 65002, addr: '127.0.0.22', port }, false), a.ribs, a.interner, log);
  // b expects AS 65009, but a is 65001.
  const pb = new Peer(peerConfig('to_a', { as: 65002, id: '10.0.0.22', addr: '127.0.0.22' }, { as: 65009, addr: '127.0.0.21', port }, true), b.ribs, b.interner, log);
  b.peers.push(pb);
  t.teardown(async () => {
    pa.destroy();
    pb.destroy();
    await b.listener.close();
  });
  pa.start();
  pb.start();
  await waitFor('a sees the NOTIFICATION', () => pa.session.lastError?.kind === 'Received');
  t.match(pa.session.lastError!.message, /Bad Peer AS/, 'a received 2/2 Bad Peer AS');
  t.match(pb.session.lastError!.message, /Bad Peer AS/, 'b sent 2/2 Bad Peer AS');
  t.not(pa.session.describe(), 'Established', 'no session');
});
