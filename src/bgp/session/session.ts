/**
 * DOC: the BGP session with one peer: its connections, collision resolution, and the boundary to the RIB side.
 *
 * A session owns a primary connection (the one the FSM starts, restarts and backs off) and, while two connections
 * race, a secondary one accepted from the peer. When an OPEN arrives on either, RFC 4271 §6.8 decides which one
 * lives (`resolveCollision`); the loser gets the CollisionDump event (Cease 7). A new connection while Established
 * is refused with Cease 7, except when graceful restart was negotiated and the peer opened that connection after
 * the session came up (`Connection.openedWhileEstablished`): then the peer has restarted, the old session goes down
 * gracefully (RFC 4724 §4.2) and the new one is adopted. A connection accepted before Established that sends its
 * OPEN late is an ordinary collision and gets Cease 7.
 *
 * Only the primary ever restarts or connects (RFC 4271 §6.8, §8: one BGP connection per peer). A connection that
 * loses its TCP, or is dumped by the peer's own collision resolution (Cease 6/7 received), while the other one is
 * still alive (OpenSent, OpenConfirm, Established, or DelayOpen running) is dropped for good, timers included, and
 * the live one becomes the primary. Without this the loser's idle-hold (0 s on a healthy session) or ConnectRetry
 * timer opened a third connection while the winner was in OpenConfirm; a graceful-restart peer that was already
 * Established on its side took that new connection for a restart (RFC 4724 §4.2) and dropped the good session.
 * The RIB side sees only `SessionHandler` calls: up, down, raw UPDATE bytes, ROUTE-REFRESH, and "writable".
 */
import * as net from 'node:net';
import type { Logger } from 'pino';
// The one rxjs class used here, from its own module: `from 'rxjs'` loads all of rxjs (223 modules, ~1 MB of heap
// in a daemon whose idle footprint counts, performance.md C1); this path is in rxjs 7's package exports.
import { BehaviorSubject } from 'rxjs/internal/BehaviorSubject';
import type { LocalSessionSettings, NegotiatedSession } from '../codec/session-codec';
import type { OpenMessage, RouteRefreshMessage } from '../codec/types';
import { describeState, initialState } from '../fsm/fsm';
import { resolveCollision } from '../fsm/collision';
import type { DownReason, FsmContext, SessionState } from '../fsm/types';
import { notificationName } from '../codec/notification-names';
import { CeaseSubcode, ErrCode } from '../constants';
import { Connection, type ConnectionOwner } from './connection';
import { openConnection, registerPeer, unregisterPeer } from './socket-options';

export interface SessionOptions {
  name: string;
  peerAddress: string;
  peerPort: number;
  /** Source address for outgoing connections (BIRD `source address`). */
  localAddress?: string;
  settings: LocalSessionSettings;
  fsm: FsmContext;
}

export interface SessionHandler {
  established(s: Session, n: NegotiatedSession): void;
  down(s: Session, reason: DownReason, graceful: boolean): void;
  update(s: Session, buf: Buffer, start: number, end: number): void;
  routeRefresh(s: Session, msg: RouteRefreshMessage): void;
  writable(s: Session): void;
}

/** The last error of a session, as BIRD keeps it for `show protocols` (class and message). */
export interface LastError {
  kind: 'Socket' | 'Received' | 'BGP Error' | 'Error';
  message: string;
  at: number;
}

export class Session implements ConnectionOwner {
  primary: Connection;
  secondary: Connection | null = null;
  started = false;
  lastError: LastError | null = null;
  /** When the session last changed between up and down (ms since epoch), for `since` columns. */
  since = Date.now();
  readonly state$: BehaviorSubject<string>;

  constructor(
    readonly options: SessionOptions,
    private readonly handler: SessionHandler,
    readonly log: Logger,
  ) {
    this.primary = this.newConnection('local', initialState());
    this.state$ = new BehaviorSubject(this.describe());
  }

  private newConnection(initiator: 'local' | 'remote', initial: SessionState<NegotiatedSession>): Connection {
    return new Connection(initiator, this, () => this.options.settings, this.options.fsm, this.log, initial);
  }

  /** The state shown to operators: the most advanced connection's, "Passive" for an idle passive listener. */
  describe(): string {
    const c = this.up ?? this.primary;
    return describeState(c.state, this.options.fsm.passive);
  }

  get up(): Connection | null {
    if (this.primary.state.name === 'Established') return this.primary;
    if (this.secondary?.state.name === 'Established') return this.secondary;
    return null;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const e of registerPeer(this, this.options)) this.log.error({ err: e.message }, 'socket security cannot be applied');
    this.primary.dispatch({ type: 'ManualStart' });
  }

  /** Stops the session: Cease (subcode 2 Administrative Shutdown unless given) to the peer, then Idle for good. */
  stop(subcode = 2, data?: Buffer): void {
    this.started = false;
    this.secondary?.dispatch({ type: 'ManualStop', subcode, data });
    this.secondary = null;
    this.primary.dispatch({ type: 'ManualStop', subcode, data });
  }

  /** Drops everything at once (no NOTIFICATION): for process exit after `stop`, or a deleted peer. */
  destroy(): void {
    this.started = false;
    unregisterPeer(this);
    this.secondary?.destroy();
    this.secondary = null;
    this.primary.destroy();
  }

  /** A connection the listener accepted from this peer's address. */
  accept(socket: net.Socket): void {
    if (!this.started) {
      socket.destroy();
      return;
    }
    const p = this.primary;
    switch (p.state.name) {
      case 'Idle':
        if (p.state.idleHoldArmed) {
          socket.destroy(); // RFC 4271 §8.2.2 Idle refuses connections; the peer retries after its ConnectRetry.
          return;
        }
        p.dispatch({ type: 'AutomaticStart' });
        this.acceptInto(p, socket);
        return;
      case 'Connect':
      case 'Active':
        // With DelayOpen running the primary already has a live connection: the new one collides with it.
        if (!p.state.delayOpenRunning) {
          this.acceptInto(p, socket);
          return;
        }
        this.acceptSecondary(socket);
        return;
      default:
        this.acceptSecondary(socket);
    }
  }

  /** A connection while the primary has one of its own: RFC 4271 §6.8 decides once an OPEN arrives. */
  private acceptSecondary(socket: net.Socket): void {
    if (this.secondary) {
      socket.destroy();
      return;
    }
    // The back-off travels with the session: the peer's connection may become the primary.
    const c = this.newConnection('remote', { name: 'Active', backoff: this.primary.state.backoff, delayOpenRunning: false });
    c.openedWhileEstablished = this.up !== null;
    this.secondary = c;
    c.attach(socket);
  }

  private acceptInto(c: Connection, socket: net.Socket): void {
    // An outgoing attempt still in progress is abandoned in favour of the peer's connection.
    if (c.socket && c.state.name === 'Connect') {
      const old = c.socket;
      c.socket = null;
      old.destroy();
    }
    c.attach(socket);
  }

  // ---------------------------------------------------------------- ConnectionOwner

  connect(_c: Connection): net.Socket {
    return openConnection(this.options);
  }

  openReceived(c: Connection, open: OpenMessage, n: NegotiatedSession): void {
    const other = c === this.primary ? this.secondary : this.primary;
    if (!other || other.state.name === 'Idle' || !other.socket) return;
    const decision = resolveCollision({
      localId: this.options.settings.routerId,
      remoteId: open.bgpId,
      localAs: this.options.settings.localAs,
      remoteAs: n.peerAs,
      received: { initiator: c.initiator, openedWhileEstablished: c.openedWhileEstablished },
      other: { initiator: other.initiator, state: other.state.name },
      otherGracefulRestart: other.state.name === 'Established' && other.negotiated?.gracefulRestart !== undefined,
    });
    if (decision.close === 'none') return;
    const loser = decision.close === 'received' ? c : other;
    const winner = loser === c ? other : c;
    this.log.info({ kept: winner.initiator, dropped: loser.initiator }, 'connection collision resolved');
    loser.dispatch({ type: decision.event });
    loser.destroy();
    this.primary = winner;
    this.secondary = null;
  }

  established(c: Connection, n: NegotiatedSession): void {
    if (c !== this.primary) {
      // The peer's connection won before ours saw an OPEN: it becomes the primary, ours gets Cease 6/7 (RFC 4271
      // §6.8) and is dropped without restarting. Roles change first so that the old one's Idle is not reported.
      const old = this.primary;
      this.primary = c;
      this.secondary = null;
      old.dispatch({ type: 'CollisionDump' });
      old.destroy();
    }
    this.since = Date.now();
    this.log.info({ peerAs: n.peerAs, holdTime: n.holdTime, families: n.families.length }, 'session established');
    this.handler.established(this, n);
  }

  down(c: Connection, reason: DownReason, graceful: boolean): void {
    if (c !== this.primary && c !== this.secondary) return;
    this.since = Date.now();
    if (reason.kind === 'ConnectionClosed') this.lastError = { kind: 'Socket', message: reason.detail ?? 'Connection closed', at: Date.now() };
    this.log.info({ reason, graceful }, 'session down');
    this.handler.down(this, reason, graceful);
  }

  update(c: Connection, buf: Buffer, start: number, end: number): void {
    if (c === this.up) this.handler.update(this, buf, start, end);
  }

  routeRefresh(c: Connection, msg: RouteRefreshMessage): void {
    if (c === this.up) this.handler.routeRefresh(this, msg);
  }

  writable(c: Connection): void {
    if (c === this.up) this.handler.writable(this);
  }

  stateChanged(c: Connection, from: SessionState<NegotiatedSession>, to: SessionState<NegotiatedSession>): void {
    if (c === this.secondary) {
      // The peer's connection never connects or restarts on its own: once it has no live connection it is gone.
      if (!holdsConnection(to)) {
        this.secondary = null;
        c.destroy();
      }
      return;
    }
    if (c !== this.primary) return;
    const next = this.secondary;
    if (next && !holdsConnection(to) && holdsConnection(next.state)) {
      // RFC 4271 §6.8: the other connection lives (its OPEN exchange runs, or it is already up): it is the session
      // now. The old primary's automatic restart (IdleHold, ConnectRetry) must not open a third connection.
      this.log.info({ kept: next.initiator, dropped: c.initiator, state: next.state.name }, 'connection lost while the other one lives: kept the other');
      this.primary = next;
      this.secondary = null;
      c.destroy();
    }
    if (from.name === to.name && this.primary === c) return;
    this.log.debug({ from: from.name, to: to.name }, 'state change');
    if (from.name === 'Established' || to.name === 'Established') this.since = Date.now();
    this.state$.next(this.describe());
  }

  notification(_c: Connection, sent: boolean, code: number, subcode: number, _data: Buffer): void {
    const name = notificationName(code, subcode);
    // Cease 6/7 closes one of two connections of a session that lives on: a connection event, not the session's
    // error (BIRD's "Last error" is not set by a collision either).
    const collision = code === ErrCode.Cease && subcode === CeaseSubcode.ConnectionCollisionResolution;
    if (!collision) this.lastError = { kind: sent ? 'BGP Error' : 'Received', message: name, at: Date.now() };
    this.log.warn({ code, subcode, sent }, `notification ${sent ? 'sent' : 'received'}: ${name}`);
  }
}

/** Whether a connection in this state has a live TCP connection that may still become (or is) the session. */
function holdsConnection(state: SessionState<NegotiatedSession>): boolean {
  switch (state.name) {
    case 'OpenSent':
    case 'OpenConfirm':
    case 'Established':
      return true;
    case 'Active':
    case 'Connect':
      return state.delayOpenRunning;
    case 'Idle':
      return false;
  }
}
