/**
 * DOC: one TCP connection to a peer and the FSM that runs it (RFC 4271 §8: one FSM per connection).
 *
 * The connection is the only code that touches a socket and `setTimeout` for BGP (architecture §6): bytes go
 * through the framer, messages become FSM events, and FSM actions become writes, timers and closes. OPEN messages
 * are checked with `negotiate()` before the FSM sees them. UPDATEs are handed to the owner raw (the SE/RDE boundary:
 * the RIB side decodes them), after the FSM has restarted the hold timer. Writes are queued by priority (NOTIFICATION
 * and KEEPALIVE go straight to the socket; UPDATEs only while the socket's buffer is below a high-water mark), and
 * coalesced with cork/uncork. A connection never throws past its socket callbacks: every failure is an FSM event.
 */
import * as net from 'node:net';
import type { Logger } from 'pino';
import { Framer } from '../codec/framer';
import { decodeMessage, encodeMessage, KEEPALIVE } from '../codec/message';
import { buildOpen, negotiate, type LocalSessionSettings, type NegotiatedSession } from '../codec/session-codec';
import { DEFAULT_CODEC_CONTEXT, type CodecContext, type OpenMessage, type RouteRefreshMessage } from '../codec/types';
import { MAX_EXTENDED_MESSAGE_LENGTH, MAX_MESSAGE_LENGTH, MsgType } from '../constants';
import { NotificationError } from '../errors';
import { step } from '../fsm/fsm';
import type { FsmAction, FsmContext, FsmEvent, SessionState, TimerKind, DownReason } from '../fsm/types';
import type { Initiator } from '../fsm/collision';

/** Above this many queued octets the connection stops asking for UPDATEs until the socket drains. */
export const WRITE_HIGH_WATER = 256 * 1024;

export interface ConnectionOwner {
  /** An OPEN passed negotiation on this connection: the owner resolves collisions (RFC 4271 §6.8). */
  openReceived(c: Connection, open: OpenMessage, n: NegotiatedSession): void;
  established(c: Connection, n: NegotiatedSession): void;
  down(c: Connection, reason: DownReason, graceful: boolean): void;
  /** A whole UPDATE message in buf[start,end) (a view: copy what you keep). */
  update(c: Connection, buf: Buffer, start: number, end: number): void;
  routeRefresh(c: Connection, msg: RouteRefreshMessage): void;
  /** The socket drained below the high-water mark: more UPDATEs may be sent. */
  writable(c: Connection): void;
  /** The FSM state changed (a new state object; the name may be the same, e.g. DelayOpen stopped in Active). */
  stateChanged(c: Connection, from: SessionState<NegotiatedSession>, to: SessionState<NegotiatedSession>): void;
  /** The FSM wants an outgoing connection. */
  connect(c: Connection): net.Socket;
  /** A NOTIFICATION was sent or received: for the peer's "last error". */
  notification(c: Connection, sent: boolean, code: number, subcode: number, data: Buffer): void;
}

export class Connection {
  state: SessionState<NegotiatedSession>;
  socket: net.Socket | null = null;
  negotiated: NegotiatedSession | null = null;
  remoteOpen: OpenMessage | null = null;
  /** The peer opened this connection while another one to it was Established (a restart sign, RFC 4724 §4.2). */
  openedWhileEstablished = false;
  private framer = new Framer(MAX_MESSAGE_LENGTH);
  private readonly timers = new Map<TimerKind, NodeJS.Timeout>();
  /** The length of each pending timer in `timers`, in ms. */
  private readonly timerMs = new Map<TimerKind, number>();
  private rx: CodecContext = DEFAULT_CODEC_CONTEXT;
  private tx: CodecContext = DEFAULT_CODEC_CONTEXT;
  private corked = false;
  private closed = false;

  constructor(
    readonly initiator: Initiator,
    private readonly owner: ConnectionOwner,
    private readonly settings: () => LocalSessionSettings,
    readonly fsm: FsmContext,
    readonly log: Logger,
    initial: SessionState<NegotiatedSession>,
  ) {
    this.state = initial;
  }

  /** Feeds one event to the FSM and executes the resulting actions. */
  dispatch(event: FsmEvent<NegotiatedSession>): void {
    const from = this.state;
    const { state, actions } = step(from, event, this.fsm);
    this.state = state;
    for (const a of actions) this.execute(a);
    // Every change, not only a new state name: Active with DelayOpen running owns a connection, plain Active not.
    if (from !== state) this.owner.stateChanged(this, from, state);
  }

  /** Adopts an accepted socket (passive open). */
  attach(socket: net.Socket): void {
    this.bind(socket);
    this.dispatch({ type: 'TcpConnectionConfirmed' });
  }

  get canSend(): boolean {
    return this.state.name === 'Established' && this.socket !== null && this.socket.writableLength < WRITE_HIGH_WATER;
  }

  /** Sends encoded UPDATEs (Established only). Returns false when the caller should wait for `writable`. */
  sendUpdates(messages: Buffer[]): boolean {
    const s = this.socket;
    if (!s || this.state.name !== 'Established') return false;
    if (messages.length) {
      this.cork();
      for (const m of messages) s.write(m);
    }
    return s.writableLength < WRITE_HIGH_WATER;
  }

  /** Sends an encoded message now (ROUTE-REFRESH, End-of-RIB). */
  sendRaw(message: Buffer): void {
    if (!this.socket) return;
    this.cork();
    this.socket.write(message);
  }

  get txContext(): CodecContext {
    return this.tx;
  }

  private cork(): void {
    const s = this.socket;
    if (!s || this.corked) return;
    this.corked = true;
    s.cork();
    process.nextTick(() => {
      this.corked = false;
      if (!s.destroyed) s.uncork();
    });
  }

  private bind(socket: net.Socket): void {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => {
      if (this.state.name === 'Established') this.owner.writable(this);
    });
    socket.on('error', (e: Error) => {
      this.log.debug({ err: e.message }, 'socket error');
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (!this.closed) this.dispatch({ type: 'TcpClosed', detail: 'connection closed by peer' });
    });
  }

  private onData(chunk: Buffer): void {
    try {
      this.framer.push(chunk, (buf, start, end, type) => this.onMessage(buf, start, end, type));
    } catch (e) {
      if (e instanceof NotificationError) this.dispatch({ type: 'DecodeError', error: e });
      else throw e;
    }
  }

  private onMessage(buf: Buffer, start: number, end: number, type: number): void {
    if (this.socket === null) return;
    if (type === MsgType.Update) {
      // The RIB side decodes UPDATEs; the FSM only needs to know one arrived (hold timer, state check).
      const established = this.state.name === 'Established';
      this.dispatch({ type: 'UpdateReceived' });
      if (established) this.owner.update(this, buf, start, end);
      return;
    }
    const msg = decodeMessage(buf, start, end, this.rx);
    switch (msg.type) {
      case MsgType.Keepalive:
        this.dispatch({ type: 'KeepaliveReceived' });
        return;
      case MsgType.Notification:
        this.owner.notification(this, false, msg.code, msg.subcode, msg.data);
        if (msg.code === 2 && msg.subcode === 1) this.dispatch({ type: 'NotificationVersionError' });
        else this.dispatch({ type: 'NotificationReceived', code: msg.code, subcode: msg.subcode });
        return;
      case MsgType.RouteRefresh:
        this.dispatch({ type: 'RouteRefreshReceived' });
        if (this.state.name === 'Established') this.owner.routeRefresh(this, msg);
        return;
      case MsgType.Open: {
        let n: NegotiatedSession;
        try {
          n = negotiate(this.settings(), msg);
        } catch (e) {
          if (!(e instanceof NotificationError)) throw e;
          this.dispatch({ type: 'OpenRejected', error: e });
          return;
        }
        this.remoteOpen = msg;
        this.negotiated = n;
        this.rx = n.rx;
        this.tx = n.tx;
        if (n.rx.extendedMessage) this.framer.setMaxLength(MAX_EXTENDED_MESSAGE_LENGTH);
        this.dispatch({ type: 'OpenReceived', negotiated: n, remoteHoldTime: msg.holdTime });
        if (this.state.name === 'OpenConfirm') this.owner.openReceived(this, msg, n);
        return;
      }
    }
  }

  private execute(a: FsmAction<NegotiatedSession>): void {
    switch (a.type) {
      case 'Connect': {
        this.closed = false;
        const s = this.owner.connect(this);
        this.bind(s);
        s.once('connect', () => {
          if (this.socket === s) this.dispatch({ type: 'TcpConnectionSucceeds' });
        });
        s.once('error', (e: Error) => {
          if (this.socket === s && s.connecting !== false) return;
          if (this.socket === s && this.state.name === 'Connect') {
            this.socket = null;
            this.dispatch({ type: 'TcpConnectionFails', detail: e.message });
          }
        });
        return;
      }
      case 'CloseConnection': {
        const s = this.socket;
        this.socket = null;
        this.closed = true;
        this.framer = new Framer(MAX_MESSAGE_LENGTH);
        if (s) {
          s.end();
          setTimeout(() => s.destroy(), 1000).unref();
        }
        return;
      }
      case 'SendOpen':
        this.write(encodeMessage(buildOpen(this.settings()), DEFAULT_CODEC_CONTEXT));
        return;
      case 'SendKeepalive':
        this.write(KEEPALIVE);
        return;
      case 'SendNotification': {
        this.owner.notification(this, true, a.code, a.subcode, a.data);
        this.write(encodeMessage({ type: MsgType.Notification, code: a.code, subcode: a.subcode, data: a.data }, this.tx));
        return;
      }
      case 'ArmTimer': {
        // Re-arming a pending timer of the same length (the hold timer, on every message received) restarts it in
        // place (`refresh`): no new Timeout object and closure per message. Expiry is unchanged: `seconds` from now.
        const ms = a.seconds * 1000;
        const pending = this.timers.get(a.timer);
        if (pending && this.timerMs.get(a.timer) === ms) {
          pending.refresh();
          return;
        }
        this.clearTimer(a.timer);
        const t = setTimeout(() => {
          this.timers.delete(a.timer);
          this.dispatch(timerEvent(a.timer));
        }, ms);
        this.timers.set(a.timer, t);
        this.timerMs.set(a.timer, ms);
        return;
      }
      case 'CancelTimer':
        this.clearTimer(a.timer);
        return;
      case 'SessionUp':
        this.owner.established(this, a.negotiated);
        return;
      case 'SessionDown':
        this.owner.down(this, a.reason, a.graceful);
        return;
      case 'ReleaseResources':
        this.negotiated = null;
        this.remoteOpen = null;
        this.rx = DEFAULT_CODEC_CONTEXT;
        this.tx = DEFAULT_CODEC_CONTEXT;
        this.framer.setMaxLength(MAX_MESSAGE_LENGTH);
        return;
    }
  }

  private write(buf: Buffer): void {
    const s = this.socket;
    if (!s || s.destroyed) return;
    s.write(buf);
  }

  private clearTimer(kind: TimerKind): void {
    const t = this.timers.get(kind);
    if (t) {
      clearTimeout(t);
      this.timers.delete(kind);
    }
  }

  /** Stops every timer and drops the socket without FSM involvement (the peer is being deleted). */
  destroy(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.closed = true;
    const s = this.socket;
    this.socket = null;
    s?.destroy();
  }
}

function timerEvent(kind: TimerKind): FsmEvent<NegotiatedSession> {
  switch (kind) {
    case 'ConnectRetry': return { type: 'ConnectRetryTimerExpired' };
    case 'Hold': return { type: 'HoldTimerExpired' };
    case 'Keepalive': return { type: 'KeepaliveTimerExpired' };
    case 'IdleHold': return { type: 'IdleHoldTimerExpired' };
    case 'DelayOpen': return { type: 'DelayOpenTimerExpired' };
    case 'ErrorForget': return { type: 'ErrorForgetTimerExpired' };
  }
}
