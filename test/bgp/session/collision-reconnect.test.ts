/**
 * DOC: no third connection after a collision (RFC 4271 §6.8, §8; RFC 4724 §4.2), through the real Session driver
 * against a raw peer over loopback TCP.
 *
 * Reproduces the FRR startup flap: both speakers connect at once; the dominant peer keeps its own connection and
 * dumps ours with Cease 6/7. Our dumped connection used to restart on its own (idle hold 0 s, then Connect) while
 * the peer's connection was in OpenConfirm; the peer, already Established on its side, saw a new TCP connection
 * from a graceful-restart speaker, took it for a restart and dropped the good session. Likewise a secondary
 * connection that lost its TCP used to go Active and connect again after ConnectRetry. The raw peer counts every
 * connection we open to it: exactly one is allowed, and the surviving session must stay Established.
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
import { Session, type SessionHandler } from '../../../src/bgp/session/session';
import type { FsmContext } from '../../../src/bgp/fsm/types';

const log = pino({ level: process.env['TEST_LOG'] ?? 'silent' });
const CTX = { as4: true, addPath: new Set<number>(), extendedMessage: false };
const GR = { restartTime: 120, restarting: false, forwarding: true };
const LOCAL: LocalSessionSettings = { localAs: 64512, peerAs: 65000, routerId: '10.0.0.5', holdTime: 30, families: [IPV4_UNICAST], gracefulRestart: GR };
/** Connect-retry 1 s, idle hold from 0: a restart would show within the test's 1.5 s watch. */
const FSM: FsmContext = { connectRetryTime: 1, holdTime: 30, passive: false, idleHoldTime: 1, idleHoldTimeMax: 2, allowAutomaticStart: true };
const WATCH_MS = 1500;

/** One TCP connection seen from the raw peer: message types received, NOTIFICATIONs, close. */
interface Conn {
  socket: net.Socket;
  types: number[];
  notifications: [number, number][];
  closed: boolean;
  open(routerId: string): void;
  keepalive(): void;
  notify(code: number, subcode: number): void;
}

function wrap(socket: net.Socket): Conn {
  const framer = new Framer();
  const c: Conn = {
    socket,
    types: [],
    notifications: [],
    closed: false,
    open: (routerId) => socket.write(encodeMessage(buildOpen({ ...LOCAL, localAs: 65000, peerAs: 64512, routerId }), CTX)),
    keepalive: () => socket.write(KEEPALIVE),
    notify: (code, subcode) => socket.write(encodeMessage({ type: MsgType.Notification, code, subcode, data: Buffer.alloc(0) }, CTX)),
  };
  socket.on('data', (chunk: Buffer) =>
    framer.push(chunk, (b, start, _e, type) => {
      c.types.push(type);
      if (type === MsgType.Notification) c.notifications.push([b[start + 19]!, b[start + 20]!]);
    }),
  );
  socket.on('error', () => undefined);
  socket.on('close', () => (c.closed = true));
  return c;
}

async function until(pred: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (pred()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out: ${what}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * An active Session toward a raw peer: `incoming` collects the connections the session opens to the peer,
 * `dial()` opens one from the peer to the session (handed to `session.accept`).
 */
async function setup(t: { teardown(fn: () => unknown): void }, fsm: FsmContext = FSM) {
  const events: string[] = [];
  const handler: SessionHandler = {
    established: () => events.push('up'),
    down: (_s, reason, graceful) => events.push(`down ${reason.kind} ${graceful}`),
    update: () => undefined,
    routeRefresh: () => undefined,
    writable: () => undefined,
  };
  const incoming: Conn[] = [];
  const peer = net.createServer((s) => incoming.push(wrap(s)));
  await new Promise<void>((r) => peer.listen(0, '127.0.0.1', () => r()));
  const session = new Session(
    { name: 'p', peerAddress: '127.0.0.1', peerPort: (peer.address() as net.AddressInfo).port, settings: LOCAL, fsm },
    handler,
    log,
  );
  const ours = net.createServer((s) => session.accept(s));
  await new Promise<void>((r) => ours.listen(0, '127.0.0.1', () => r()));
  const dialed: Conn[] = [];
  const dial = async (expectOpen = true): Promise<Conn> => {
    const s = net.connect({ host: '127.0.0.1', port: (ours.address() as net.AddressInfo).port });
    await new Promise((r) => s.once('connect', r));
    const c = wrap(s);
    dialed.push(c);
    if (expectOpen) await until(() => c.types.includes(MsgType.Open), 'our OPEN on the peer-initiated connection');
    else await until(() => session.primary.socket !== null, 'the connection accepted');
    return c;
  };
  t.teardown(() => {
    session.destroy();
    for (const c of [...incoming, ...dialed]) c.socket.destroy();
    peer.close();
    ours.close();
  });
  session.start();
  if (!fsm.passive) await until(() => incoming.length === 1 && incoming[0]!.types.includes(MsgType.Open), 'our OPEN on our connection');
  return { session, events, incoming: incoming as readonly Conn[], dial };
}

t.test('the dominant peer dumps our connection with Cease 6/7 while its own is in OpenConfirm: no reconnect', async (t) => {
  const { session, events, incoming, dial } = await setup(t);
  const ourConn = incoming[0]!;
  const theirs = await dial(); // accepted while our connection is in OpenSent: the secondary
  theirs.open('10.0.0.9'); // the peer is dominant (10.0.0.9 > 10.0.0.5): its connection survives
  await until(() => theirs.types.includes(MsgType.Keepalive), 'our KEEPALIVE on the peer connection (OpenConfirm)');
  ourConn.notify(6, 7); // the peer resolves the collision: it dumps the connection we opened
  await until(() => ourConn.closed, 'our dumped connection closed');
  await sleep(200); // the peer is slow to send its KEEPALIVE: it is Established on its side already
  theirs.keepalive();
  await until(() => events.length > 0, 'session Established');
  await sleep(WATCH_MS);
  t.equal(incoming.length, 1, 'no second connection attempt toward the peer');
  t.strictSame(events, ['up'], 'up once, never down');
  t.equal(session.up, session.primary, 'the peer connection is now the primary');
  t.equal(session.up?.initiator, 'remote');
  t.equal(session.secondary, null);
  t.strictSame(theirs.notifications, [], 'nothing sent on the surviving connection');
  t.equal(theirs.closed, false, 'the surviving connection is open');
  t.strictSame(ourConn.notifications, [], 'no NOTIFICATION in answer to the Cease');
});

t.test('the peer closes our connection without NOTIFICATION while its own is in OpenConfirm: no reconnect', async (t) => {
  const { session, events, incoming, dial } = await setup(t);
  const theirs = await dial();
  theirs.open('10.0.0.9');
  await until(() => theirs.types.includes(MsgType.Keepalive), 'OpenConfirm on the peer connection');
  incoming[0]!.socket.end();
  await until(() => session.primary.state.name !== 'OpenSent' || session.primary.initiator === 'remote', 'the dropped connection noticed');
  await sleep(WATCH_MS); // past ConnectRetry (1 s)
  theirs.keepalive();
  await until(() => events.length > 0, 'session Established');
  t.equal(incoming.length, 1, 'no second connection attempt toward the peer');
  t.strictSame(events, ['up']);
  t.equal(session.up?.initiator, 'remote');
  t.equal(theirs.closed, false);
});

t.test('a secondary that loses its TCP while the session is Established never connects on its own', async (t) => {
  const { session, events, incoming, dial } = await setup(t);
  const ourConn = incoming[0]!;
  const theirs = await dial(); // accepted while our connection is in OpenSent
  ourConn.open('10.0.0.1'); // the peer is not dominant: our connection is the one to keep
  ourConn.keepalive();
  await until(() => events.length > 0, 'session Established on our connection');
  theirs.socket.end(); // the peer gives up its own connection without a NOTIFICATION (secondary in OpenSent)
  await until(() => session.secondary?.state.name !== 'OpenSent', 'the secondary noticed its TCP loss');
  t.equal(session.secondary, null, 'the secondary is gone');
  await sleep(WATCH_MS); // past ConnectRetry (1 s)
  t.equal(incoming.length, 1, 'no second connection attempt toward the peer');
  t.strictSame(events, ['up']);
  t.equal(session.up, session.primary);
  t.equal(session.up?.initiator, 'local');
  t.equal(ourConn.closed, false);
  t.strictSame(ourConn.notifications, []);

  // A later connection from the peer is not refused for a stale secondary: it is accepted and gets our OPEN.
  const again = await dial();
  t.equal(session.secondary?.openedWhileEstablished, true, 'a new connection opened while Established');
  again.socket.destroy();
});

t.test('the dominant peer dumps our connection and we dump nothing: the session comes up exactly once', async (t) => {
  // Both connections reach OpenConfirm; Petrel resolves the collision itself (peer dominant): ours goes with
  // Cease 6/7 sent by us, theirs survives; no reconnect follows.
  const { session, events, incoming, dial } = await setup(t);
  const ourConn = incoming[0]!;
  const theirs = await dial();
  ourConn.open('10.0.0.9');
  await until(() => ourConn.types.includes(MsgType.Keepalive), 'OpenConfirm on our connection');
  theirs.open('10.0.0.9');
  await until(() => ourConn.closed, 'our connection dumped');
  t.strictSame(ourConn.notifications, [[6, 7]], 'Cease / Connection Collision Resolution on our connection');
  theirs.keepalive();
  await until(() => events.length > 0, 'session Established');
  await sleep(WATCH_MS);
  t.equal(incoming.length, 1, 'no second connection attempt toward the peer');
  t.strictSame(events, ['up']);
  t.equal(session.up?.initiator, 'remote');
});

t.test('a second connection while DelayOpen runs on the first is a secondary, not a replacement socket', async (t) => {
  // RFC 4271 §8.1.1 DelayOpen: the first connection is up and holds our OPEN back; the second must not take its place
  // inside the same FSM (both sockets would then feed one framer and our answers would go to the wrong one).
  const { session, dial } = await setup(t, { ...FSM, passive: true, delayOpenTime: 5 });
  const first = await dial(false);
  t.strictSame([session.primary.state.name, session.describe()], ['Active', 'Active'], 'DelayOpen running on the first');
  const second = await dial(false);
  await until(() => session.secondary !== null || second.closed, 'the second connection handled');
  t.equal(session.secondary?.initiator, 'remote', 'the second connection is the secondary');
  first.open('10.0.0.9'); // RFC 4271 §8.2.2 Active Event 20: OPEN while DelayOpen runs: our OPEN and KEEPALIVE
  await until(() => first.types.includes(MsgType.Keepalive), 'our OPEN and KEEPALIVE on the first connection');
  t.strictSame(first.types, [MsgType.Open, MsgType.Keepalive], 'answered on the connection the OPEN came from');
  t.strictSame(second.types, [], 'nothing on the second connection');
  t.equal(session.primary.state.name, 'OpenConfirm');
});
