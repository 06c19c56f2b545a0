/**
 * DOC: the vocabulary of the session finite state machine (RFC 4271 §8): states, events, actions, context.
 *
 * Everything here is data. `fsm.ts` maps (state, event, context) to (state, actions); the session driver turns
 * I/O into events and actions into I/O. The FSM follows one TCP connection at a time (RFC 4271 §8: "one FSM per
 * connection"); when a second connection to the same peer appears the driver runs `collision.ts` and feeds the
 * losing FSM a `CollisionDump` event (RFC 4271 Event 23).
 *
 * The negotiated session (capabilities, codec contexts) is opaque here: the states and events are generic over
 * its type `N` so that this module depends on no codec implementation. The FSM only needs the peer's hold time,
 * which the OPEN event carries separately (`remoteHoldTime`).
 *
 * Invariants:
 * - `backoff` travels through every state so that the idle-hold back-off survives a whole connect cycle; it is 0
 *   while the peer is healthy and grows on each error (see `backoff.ts`).
 * - `OpenConfirm` and `Established` are the only states holding a negotiated session.
 * - `holdTime` 0 in those states means no hold and no keepalive timer is armed (RFC 4271 §4.2).
 */
import type { NotificationError } from '../errors';

/** The six RFC 4271 §8.2.2 state names. */
export type StateName = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';

/** Data every state carries. */
interface StateCommon {
  /** Current idle-hold back-off in seconds: 0 while healthy, grows on each error, reset by a stable session. */
  backoff: number;
}

/** RFC 4271 §8.2.2 Idle: no connection; waiting for a start event or for the idle-hold timer. */
export interface IdleState extends StateCommon {
  name: 'Idle';
  /** The IdleHold timer is armed: an automatic restart is pending, and `AutomaticStart` is ignored until it fires. */
  idleHoldArmed: boolean;
  /** Why the session last went Idle (absent before the first start). */
  reason?: DownReason;
}

/** RFC 4271 §8.2.2 Connect: an outgoing TCP connection is being attempted. */
export interface ConnectState extends StateCommon {
  name: 'Connect';
  /** TCP is up and the DelayOpen timer runs (RFC 4271 §8.1.1 DelayOpen); no OPEN sent yet. */
  delayOpenRunning: boolean;
}

/** RFC 4271 §8.2.2 Active: listening for the peer, waiting for ConnectRetry (a passive peer waits here for good). */
export interface ActiveState extends StateCommon {
  name: 'Active';
  /** An incoming TCP connection is up and the DelayOpen timer runs; no OPEN sent yet. */
  delayOpenRunning: boolean;
}

/** RFC 4271 §8.2.2 OpenSent: our OPEN is sent, waiting for the peer's. Hold timer at its large initial value. */
export interface OpenSentState extends StateCommon {
  name: 'OpenSent';
}

/** Timers and session data fixed by OPEN negotiation. */
export interface NegotiatedTimers<N> {
  /** The negotiated session (capabilities, codec contexts): opaque to the FSM. */
  negotiated: N;
  /** Negotiated hold time in seconds: min(configured, peer's); 0 disables hold and keepalive timers. */
  holdTime: number;
  /** Keepalive interval in seconds (0 when `holdTime` is 0). */
  keepaliveTime: number;
}

/** RFC 4271 §8.2.2 OpenConfirm: OPENs exchanged, our KEEPALIVE sent, waiting for the peer's KEEPALIVE. */
export interface OpenConfirmState<N> extends StateCommon, NegotiatedTimers<N> {
  name: 'OpenConfirm';
}

/** RFC 4271 §8.2.2 Established: UPDATEs flow. */
export interface EstablishedState<N> extends StateCommon, NegotiatedTimers<N> {
  name: 'Established';
}

/** The state of one BGP connection's FSM. `N` is the negotiated-session type (opaque to the FSM). */
export type SessionState<N = unknown> =
  | IdleState
  | ConnectState
  | ActiveState
  | OpenSentState
  | OpenConfirmState<N>
  | EstablishedState<N>;

/** Timers the driver runs for the FSM. Arming an armed timer restarts it. */
export type TimerKind = 'ConnectRetry' | 'Hold' | 'Keepalive' | 'IdleHold' | 'DelayOpen' | 'ErrorForget';

/** Why a session went (or stayed) down: for `SessionDown`, logs and BIRD's "last error" column. */
export type DownReason =
  /** ManualStop: an operator or configuration stopped the session (Cease `subcode` sent if OPEN was sent). */
  | { kind: 'Stopped'; subcode: number }
  /** We sent a NOTIFICATION: hold timer expired (4/0), FSM error (5/x), decode or UPDATE error, collision (6/7). */
  | { kind: 'NotificationSent'; code: number; subcode: number }
  /** The peer sent a NOTIFICATION. */
  | { kind: 'NotificationReceived'; code: number; subcode: number }
  /** TCP closed, failed or a write failed, without any NOTIFICATION. */
  | { kind: 'ConnectionClosed'; detail?: string };

/** The inputs of the FSM, named after RFC 4271 §8.1 events. Data is already decoded and checked by the driver. */
export type FsmEvent<N = unknown> =
  /** Event 1. Resets the back-off. */
  | { type: 'ManualStart' }
  /** Event 2. `subcode` is the Cease subcode sent when a BGP connection is up (RFC 4486; default 2
   *  Administrative Shutdown), `data` its payload (the RFC 9003 shutdown communication, already encoded). */
  | { type: 'ManualStop'; subcode?: number; data?: Buffer }
  /** Event 3: start without operator action (initial start on configuration load). */
  | { type: 'AutomaticStart' }
  /** Event 9. */
  | { type: 'ConnectRetryTimerExpired' }
  /** Event 10. */
  | { type: 'HoldTimerExpired' }
  /** Event 11. */
  | { type: 'KeepaliveTimerExpired' }
  /** Event 13 (the idle-hold timer of RFC 4271 §8.1.1 DampPeerOscillations). */
  | { type: 'IdleHoldTimerExpired' }
  /** Event 12. */
  | { type: 'DelayOpenTimerExpired' }
  /** A session has been Established for the error-forget time (BIRD `error forget time`): back-off resets. */
  | { type: 'ErrorForgetTimerExpired' }
  /** Event 17: an incoming connection from the peer was accepted (passive open). */
  | { type: 'TcpConnectionConfirmed' }
  /** Event 16: our outgoing connection completed. */
  | { type: 'TcpConnectionSucceeds' }
  /** Event 18: the connection attempt failed (refused, unreachable, timed out). */
  | { type: 'TcpConnectionFails'; detail?: string }
  /** Event 18: an open connection closed (EOF or reset) without a NOTIFICATION. */
  | { type: 'TcpClosed'; detail?: string }
  /** Event 18: a write to the connection failed. */
  | { type: 'SendFailed'; detail?: string }
  /** Event 19: an OPEN passed `negotiate()`. `remoteHoldTime` is the Hold Time field of the peer's OPEN. */
  | { type: 'OpenReceived'; negotiated: N; remoteHoldTime: number }
  /** Event 22: an OPEN failed `negotiate()`; `error` is the NOTIFICATION to send. */
  | { type: 'OpenRejected'; error: NotificationError }
  /** Event 24: the peer sent NOTIFICATION 2/1 Unsupported Version Number. */
  | { type: 'NotificationVersionError' }
  /** Event 25: the peer sent any other NOTIFICATION. */
  | { type: 'NotificationReceived'; code: number; subcode: number }
  /** Event 26. */
  | { type: 'KeepaliveReceived' }
  /** Event 27. */
  | { type: 'UpdateReceived' }
  /** Event 28 as decided by the RIB side: an RFC 7606 session-reset UPDATE error; `error` is the NOTIFICATION. */
  | { type: 'UpdateError'; error: NotificationError }
  /** RFC 2918 / RFC 7313 ROUTE-REFRESH received. */
  | { type: 'RouteRefreshReceived' }
  /** Event 21: the framer or header check failed; `error` is the NOTIFICATION to send. */
  | { type: 'DecodeError'; error: NotificationError }
  /** Event 23: `collision.ts` chose this connection to be dropped (RFC 4271 §6.8). */
  | { type: 'CollisionDump' };

/** The name of an event, for tables and logs. */
export type FsmEventType = FsmEvent['type'];

/** What the driver must do, in order. */
export type FsmAction<N = unknown> =
  /** Open an outgoing TCP connection to the peer. Never emitted for a passive peer. */
  | { type: 'Connect' }
  /** Close (or abort, when still connecting) this FSM's TCP connection, after flushing queued writes. */
  | { type: 'CloseConnection' }
  /** Send our OPEN. */
  | { type: 'SendOpen' }
  /** Send a KEEPALIVE. */
  | { type: 'SendKeepalive' }
  /** Send a NOTIFICATION. */
  | { type: 'SendNotification'; code: number; subcode: number; data: Buffer }
  /** Start (or restart) a timer. */
  | { type: 'ArmTimer'; timer: TimerKind; seconds: number }
  /** Stop a timer. */
  | { type: 'CancelTimer'; timer: TimerKind }
  /** The session reached Established: tell the RIB side. */
  | { type: 'SessionUp'; negotiated: N; holdTime: number; keepaliveTime: number }
  /** The session left Established. `graceful` is true when TCP dropped without a NOTIFICATION: the RFC 4724
   *  §4.2 trigger for graceful-restart helper mode (the RIB keeps the peer's routes as stale if GR was negotiated). */
  | { type: 'SessionDown'; reason: DownReason; graceful: boolean }
  /** Drop per-attempt resources: framer buffer, write queue, negotiated codec. */
  | { type: 'ReleaseResources' };

/** The name of an action, for tables and logs. */
export type FsmActionType = FsmAction['type'];

/** Per-peer configuration the FSM reads. All times in seconds. */
export interface FsmContext {
  /** RFC 4271 §10 ConnectRetryTime (BIRD `connect retry time`; Calico 5). */
  connectRetryTime: number;
  /** Configured hold time (0 or ≥ 3; BIRD default 240). */
  holdTime: number;
  /** Configured keepalive time; default holdTime / 3. Clamped to holdTime / 3. */
  keepaliveTime?: number;
  /** Never open connections; only accept them (BIRD `passive on`). */
  passive: boolean;
  /** Back-off base: idle hold after the first error (BIRD `error wait time` min; Calico 5). */
  idleHoldTime: number;
  /** Back-off ceiling (BIRD `error wait time` max; Calico 30). */
  idleHoldTimeMax: number;
  /** How long a session must stay Established before the back-off resets (BIRD `error forget time`, 300). */
  errorForgetTime?: number;
  /** Wait this long after a start before the first outgoing connect (BIRD `connect delay time`; Calico 2). */
  connectDelayTime?: number;
  /** RFC 4271 §8.1.1 DelayOpenTime: wait this long after TCP comes up before sending OPEN; 0 or absent = off. */
  delayOpenTime?: number;
  /** Restart automatically (after the idle-hold delay) when the session goes down (RFC 4271 §8.1.1). */
  allowAutomaticStart: boolean;
}

/** The result of one FSM step. */
export interface StepResult<N = unknown> {
  state: SessionState<N>;
  actions: FsmAction<N>[];
}
