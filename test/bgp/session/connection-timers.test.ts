/**
 * DOC: the connection's timers against a raw peer over loopback TCP, hold time 3 s (RFC 4271 §4.2's smallest).
 *
 * RFC 4271 §4.4 / §10: we send a KEEPALIVE every KeepaliveTime = HoldTime / 3 (1 s). §6.5 / §8.2.2: every message
 * received restarts the hold timer, and the session goes down with NOTIFICATION 4/0 (Hold Timer Expired) HoldTime
 * after the last one. The hold timer is restarted in place (`Timeout.refresh`): the same Timeout object while the
 * peer keeps talking, no new timer per message.
 */
import t from 'tap';
import * as net from 'node:net';
import pino from 'pino';
import { buildOpen, type LocalSessionSettings } from '../../../src/bgp/codec/session-codec';
import { encodeMessage } from '../../../src/bgp/codec/message';
import { Framer } from '../../../src/bgp/codec/framer';
import { KEEPALIVE } from '../../../src/bgp/codec/keepalive';
import { MsgType } from '../../../src/bgp/constants';
import { IPV4_UNICAST } from '../../../src/bgp/family';
import { Connection, type ConnectionOwner } from '../../../src/bgp/session/connection';
import { initialState } from '../../../src/bgp/fsm/fsm';
import type { FsmContext } from '../../../src/bgp/fsm/types';

const log = pino({ level: process.env['TEST_LOG'] ?? 'silent' });
const CTX = { as4: true, addPath: new Set<number>(), extendedMessage: false };
const GR = { restartTime: 120, restarting: false, forwarding: true };
const LOCAL: LocalSessionSettings = { localAs: 64512, peerAs: 65000, routerId: '10.0.0.5', holdTime: 3, families: [IPV4_UNICAST], gracefulRestart: GR };
const FSM: FsmContext = { connectRetryTime: 5, holdTime: 3, passive: true, idleHoldTime: 60, idleHoldTimeMax: 60, allowAutomaticStart: false };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the raw peer received: message type and arrival time (ms, performance clock). */
interface Rx { type: number; at: number; code?: number; subcode?: number }

async function established(t: { teardown(fn: () => unknown): void }) {
  const server = net.createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  t.teardown(() => server.close());
  const accepted = new Promise<net.Socket>((ok) => server.once('connection', ok));
  const peer = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  t.teardown(() => peer.destroy());
  peer.on('error', () => undefined);
  const rx: Rx[] = [];
  const framer = new Framer();
  peer.on('data', (chunk: Buffer) =>
    framer.push(chunk, (b, start, _e, type) => {
      rx.push({ type, at: performance.now(), code: b[start + 19], subcode: b[start + 20] });
    }),
  );
  const states: string[] = [];
  const owner: ConnectionOwner = {
    openReceived: () => undefined,
    established: () => states.push('up'),
    down: () => states.push('down'),
    update: () => undefined,
    routeRefresh: () => undefined,
    writable: () => undefined,
    stateChanged: (_c, _from, to) => states.push(to.name),
    connect: () => { throw new Error('passive'); },
    notification: () => undefined,
  };
  const conn = new Connection('remote', owner, () => LOCAL, FSM, log, initialState());
  t.teardown(() => conn.destroy());
  conn.dispatch({ type: 'ManualStart' });
  conn.attach(await accepted);
  peer.write(encodeMessage(buildOpen({ ...LOCAL, localAs: 65000, peerAs: 64512, routerId: '10.0.0.9', holdTime: 3 }), CTX));
  peer.write(KEEPALIVE);
  for (let i = 0; i < 100 && conn.state.name !== 'Established'; i++) await sleep(10);
  return { conn, peer, rx, states };
}

const holdTimer = (c: Connection) => (c as unknown as { timers: Map<string, NodeJS.Timeout> }).timers.get('Hold');

t.test('keepalives every HoldTime/3; the hold timer restarts in place on every message', async (t) => {
  const { conn, peer, rx } = await established(t);
  t.equal(conn.state.name, 'Established', 'session up with hold time 3');
  const hold = holdTimer(conn);
  t.ok(hold, 'hold timer armed');
  const since = performance.now();
  // The peer talks every 800 ms for 4 s: longer than the hold time, so only the restarts keep the session up.
  for (let i = 0; i < 5; i++) {
    await sleep(800);
    peer.write(KEEPALIVE);
  }
  await sleep(50);
  t.equal(conn.state.name, 'Established', 'still up after 4 s of keepalives from the peer (hold 3 s)');
  t.equal(holdTimer(conn), hold, 'the same hold Timeout, restarted in place');
  const sent = rx.filter((m) => m.type === MsgType.Keepalive && m.at > since).length;
  t.ok(sent >= 3 && sent <= 5, `${sent} KEEPALIVEs from us in ~4 s (one per second)`);
});

t.test('the hold timer expires HoldTime after the last message: NOTIFICATION 4/0', async (t) => {
  const { conn, rx, states } = await established(t);
  t.equal(conn.state.name, 'Established', 'session up');
  const last = performance.now();
  for (let i = 0; i < 450 && !rx.some((m) => m.type === MsgType.Notification); i++) await sleep(10);
  const n = rx.find((m) => m.type === MsgType.Notification);
  t.ok(n, 'a NOTIFICATION was sent');
  t.same([n?.code, n?.subcode], [4, 0], 'Hold Timer Expired (4/0)');
  const after = (n?.at ?? 0) - last;
  t.ok(after >= 2900 && after < 3600, `sent ${after.toFixed(0)} ms after the peer's last message (hold time 3 s)`);
  t.ok(states.includes('down'), 'the session went down');
});
