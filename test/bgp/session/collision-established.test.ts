/**
 * DOC: connection collision against an Established session, through the real Session/Connection driver over
 * loopback TCP (RFC 4271 §6.8, RFC 4724 §4.2).
 *
 * Reproduces the startup flap seen between two Petrels that both connect: the peer's second connection was
 * accepted while the first was still opening, the first reached Established, and the second's OPEN arrived later.
 * That is an ordinary collision: the late connection gets Cease 6/7 and the Established session is untouched, even
 * with graceful restart negotiated. Only a connection the peer opened after the session was up is a restart sign.
 */
import t from 'tap';
import * as net from 'node:net';
import pino from 'pino';
import { buildOpen, type LocalSessionSettings, type NegotiatedSession } from '../../../src/bgp/codec/session-codec';
import { encodeMessage } from '../../../src/bgp/codec/message';
import { Framer } from '../../../src/bgp/codec/framer';
import { KEEPALIVE } from '../../../src/bgp/codec/keepalive';
import { IPV4_UNICAST } from '../../../src/bgp/family';
import { Session, type SessionHandler } from '../../../src/bgp/session/session';
import type { DownReason } from '../../../src/bgp/fsm/types';

const log = pino({ level: process.env['TEST_LOG'] ?? 'silent' });
const CTX = { as4: true, addPath: new Set<number>(), extendedMessage: false };

const GR = { restartTime: 120, restarting: false, forwarding: true };
const LOCAL: LocalSessionSettings = { localAs: 64512, peerAs: 64512, routerId: '10.0.0.1', holdTime: 30, families: [IPV4_UNICAST], gracefulRestart: GR };
const PEER: LocalSessionSettings = { ...LOCAL, routerId: '10.0.0.2' };

/** What a test client received: message types, and NOTIFICATION code/subcode pairs. */
interface Client {
  socket: net.Socket;
  types: number[];
  notifications: [number, number][];
  closed: Promise<void>;
  sendOpen(s?: LocalSessionSettings): void;
  keepalive(): void;
}

function client(port: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.off('error', reject);
      const framer = new Framer();
      const c: Client = {
        socket,
        types: [],
        notifications: [],
        closed: new Promise((resolve, rejectClosed) => {
          const timer = setTimeout(() => rejectClosed(new Error('connection not closed within 5 s')), 5000);
          socket.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
        }),
        sendOpen: (s = PEER) => socket.write(encodeMessage(buildOpen(s), CTX)),
        keepalive: () => socket.write(KEEPALIVE),
      };
      socket.on('data', (chunk: Buffer) =>
        framer.push(chunk, (b, start, _e, type) => {
          c.types.push(type);
          if (type === 3) c.notifications.push([b[start + 19]!, b[start + 20]!]);
        }),
      );
      socket.on('error', () => undefined);
      c.closed.catch(() => undefined); // awaited only where a close is expected
      resolve(c);
    });
    socket.once('error', reject);
  });
}

async function until(pred: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (pred()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out: ${what}`);
}

/** A passive session fed by a loopback server: each accepted socket goes to `session.accept`. */
async function setup(t: { teardown(fn: () => unknown): void }) {
  const events: string[] = [];
  const downs: [DownReason, boolean][] = [];
  const handler: SessionHandler = {
    established: (_s, _n: NegotiatedSession) => events.push('up'),
    down: (_s, reason, graceful) => {
      events.push('down');
      downs.push([reason, graceful]);
    },
    update: () => undefined,
    routeRefresh: () => undefined,
    writable: () => undefined,
  };
  const fsm = { connectRetryTime: 1, holdTime: 30, passive: true, idleHoldTime: 1, idleHoldTimeMax: 2, allowAutomaticStart: true };
  const session = new Session({ name: 'p', peerAddress: '127.0.0.1', peerPort: 179, settings: LOCAL, fsm }, handler, log);
  const server = net.createServer((s) => session.accept(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  session.start();
  const clients: Client[] = [];
  const connect = async () => {
    const c = await client(port);
    clients.push(c);
    await until(() => c.types.includes(1), 'our OPEN on the new connection');
    return c;
  };
  t.teardown(() => {
    session.destroy();
    for (const c of clients) c.socket.destroy();
    server.close();
  });
  return { session, events, downs, connect };
}

t.test('a connection accepted before Established that sends OPEN late gets Cease 6/7; the session stays', async (t) => {
  const { session, events, downs, connect } = await setup(t);
  const first = await connect();
  const second = await connect(); // accepted while the first is in OpenSent: the secondary
  t.equal(session.secondary?.openedWhileEstablished, false, 'the second connection predates Established');
  first.sendOpen();
  first.keepalive();
  await until(() => events.includes('up'), 'first connection Established');
  const up = session.up;
  t.equal(up, session.primary, 'the first connection is the Established primary');

  second.sendOpen(); // the late OPEN, graceful restart capability included
  await second.closed;
  t.strictSame(second.notifications, [[6, 7]], 'the late connection got Cease / Connection Collision Resolution');
  t.strictSame(first.notifications, [], 'nothing sent on the Established connection');
  t.equal(first.socket.destroyed, false, 'the Established connection is open');
  t.equal(session.up, up, 'the same connection is still Established');
  t.equal(session.secondary, null, 'the loser is gone');
  t.strictSame(events, ['up'], 'no down, no second up');
  t.strictSame(downs, []);
});

t.test('a connection the GR peer opens after Established is a restart: the old session ends gracefully', async (t) => {
  const { session, events, downs, connect } = await setup(t);
  const first = await connect();
  first.sendOpen();
  first.keepalive();
  await until(() => events.includes('up'), 'first connection Established');

  const restarted = await connect();
  t.equal(session.secondary?.openedWhileEstablished, true, 'opened while Established');
  restarted.sendOpen({ ...PEER, gracefulRestart: { ...GR, restarting: true } });
  await first.closed;
  t.strictSame(first.notifications, [], 'the old session is closed without NOTIFICATION (RFC 4724 §4.2)');
  t.strictSame(downs.map(([r, g]) => [r.kind, g]), [['ConnectionClosed', true]], 'treated as a TCP failure: a graceful down');
  restarted.keepalive();
  await until(() => events.length === 3, 'the new connection Established');
  t.strictSame(events, ['up', 'down', 'up']);
  t.equal(session.up, session.primary, 'the new connection is the primary');
  t.strictSame(restarted.notifications, []);
});

t.test('without graceful restart a connection opened after Established gets Cease 6/7', async (t) => {
  const { session, events, connect } = await setup(t);
  const first = await connect();
  const noGr = { ...PEER, gracefulRestart: undefined };
  first.sendOpen(noGr);
  first.keepalive();
  await until(() => events.includes('up'), 'first connection Established');
  const up = session.up;
  const late = await connect();
  late.sendOpen(noGr);
  await late.closed;
  t.strictSame(late.notifications, [[6, 7]]);
  t.equal(session.up, up);
  t.strictSame(events, ['up']);
});
