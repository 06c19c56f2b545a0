/**
 * DOC: shared builders for the FSM tests: a Calico-like context, one instance of every event, and short
 * constructors for expected states and actions so the state × event table stays readable.
 */
import { NotificationError } from '../../../src/bgp/errors';
import type {
  DownReason,
  FsmAction,
  FsmContext,
  FsmEvent,
  FsmEventType,
  IdleState,
  SessionState,
  TimerKind,
} from '../../../src/bgp/fsm/types';

/** The negotiated session stand-in: the FSM treats it as opaque and must pass this very object through. */
export interface TestNegotiated {
  label: string;
}
export const NEG: TestNegotiated = { label: 'negotiated-session' };

export type State = SessionState<TestNegotiated>;
export type Event = FsmEvent<TestNegotiated>;
export type Action = FsmAction<TestNegotiated>;

/** Calico's BIRD template: connect retry 5, error wait 5,30, hold 240; no connect delay, no DelayOpen. */
export const CTX: FsmContext = Object.freeze({
  connectRetryTime: 5,
  holdTime: 240,
  passive: false,
  idleHoldTime: 5,
  idleHoldTimeMax: 30,
  errorForgetTime: 300,
  allowAutomaticStart: true,
});

/** The NOTIFICATIONs carried by OpenRejected, DecodeError and UpdateError. */
export const OPEN_REJECT = new NotificationError(2, 2, Buffer.from([0xfd, 0xe8]), 'bad peer AS');
export const DECODE_ERROR = new NotificationError(1, 2, Buffer.from([0x00, 0x13]), 'bad message length');
export const UPDATE_ERROR = new NotificationError(3, 1, Buffer.from([0xaa]), 'malformed attribute list');

/** One instance of every event. The peer's OPEN offers hold 90, so the negotiated hold is 90 and keepalive 30. */
export const EVENTS: Record<FsmEventType, Event> = {
  ManualStart: { type: 'ManualStart' },
  ManualStop: { type: 'ManualStop' },
  AutomaticStart: { type: 'AutomaticStart' },
  ConnectRetryTimerExpired: { type: 'ConnectRetryTimerExpired' },
  HoldTimerExpired: { type: 'HoldTimerExpired' },
  KeepaliveTimerExpired: { type: 'KeepaliveTimerExpired' },
  IdleHoldTimerExpired: { type: 'IdleHoldTimerExpired' },
  DelayOpenTimerExpired: { type: 'DelayOpenTimerExpired' },
  ErrorForgetTimerExpired: { type: 'ErrorForgetTimerExpired' },
  TcpConnectionConfirmed: { type: 'TcpConnectionConfirmed' },
  TcpConnectionSucceeds: { type: 'TcpConnectionSucceeds' },
  TcpConnectionFails: { type: 'TcpConnectionFails', detail: 'ECONNREFUSED' },
  TcpClosed: { type: 'TcpClosed', detail: 'EOF' },
  SendFailed: { type: 'SendFailed', detail: 'EPIPE' },
  OpenReceived: { type: 'OpenReceived', negotiated: NEG, remoteHoldTime: 90 },
  OpenRejected: { type: 'OpenRejected', error: OPEN_REJECT },
  NotificationVersionError: { type: 'NotificationVersionError' },
  NotificationReceived: { type: 'NotificationReceived', code: 2, subcode: 2 },
  KeepaliveReceived: { type: 'KeepaliveReceived' },
  UpdateReceived: { type: 'UpdateReceived' },
  UpdateError: { type: 'UpdateError', error: UPDATE_ERROR },
  RouteRefreshReceived: { type: 'RouteRefreshReceived' },
  DecodeError: { type: 'DecodeError', error: DECODE_ERROR },
  CollisionDump: { type: 'CollisionDump' },
};
export const EVENT_TYPES = Object.keys(EVENTS) as FsmEventType[];

// ---------------------------------------------------------------------------------------------- states

export function idle(backoff: number, idleHoldArmed: boolean, reason?: DownReason): IdleState {
  return reason ? { name: 'Idle', backoff, idleHoldArmed, reason } : { name: 'Idle', backoff, idleHoldArmed };
}
export const connect = (backoff: number, delayOpenRunning = false): State => ({ name: 'Connect', backoff, delayOpenRunning });
export const active = (backoff: number, delayOpenRunning = false): State => ({ name: 'Active', backoff, delayOpenRunning });
export const openSent = (backoff: number): State => ({ name: 'OpenSent', backoff });
export const openConfirm = (backoff: number, holdTime = 90, keepaliveTime = 30): State => ({
  name: 'OpenConfirm',
  backoff,
  negotiated: NEG,
  holdTime,
  keepaliveTime,
});
export const established = (backoff: number, holdTime = 90, keepaliveTime = 30): State => ({
  name: 'Established',
  backoff,
  negotiated: NEG,
  holdTime,
  keepaliveTime,
});

// ---------------------------------------------------------------------------------------------- reasons

export const stopped = (subcode = 2): DownReason => ({ kind: 'Stopped', subcode });
export const sent = (code: number, subcode: number): DownReason => ({ kind: 'NotificationSent', code, subcode });
export const received = (code: number, subcode: number): DownReason => ({ kind: 'NotificationReceived', code, subcode });
export const closed = (detail?: string): DownReason =>
  detail === undefined ? { kind: 'ConnectionClosed' } : { kind: 'ConnectionClosed', detail };

// ---------------------------------------------------------------------------------------------- actions

export const CONNECT: Action = { type: 'Connect' };
export const CLOSE: Action = { type: 'CloseConnection' };
export const OPEN: Action = { type: 'SendOpen' };
export const KEEPALIVE: Action = { type: 'SendKeepalive' };
export const RELEASE: Action = { type: 'ReleaseResources' };
export const arm = (timer: TimerKind, seconds: number): Action => ({ type: 'ArmTimer', timer, seconds });
export const cancel = (timer: TimerKind): Action => ({ type: 'CancelTimer', timer });
export const notify = (code: number, subcode: number, data: number[] = []): Action => ({
  type: 'SendNotification',
  code,
  subcode,
  data: Buffer.from(data),
});
export const down = (reason: DownReason, graceful: boolean): Action => ({ type: 'SessionDown', reason, graceful });
export const up = (holdTime = 90, keepaliveTime = 30): Action => ({ type: 'SessionUp', negotiated: NEG, holdTime, keepaliveTime });

/** Freezes a value and everything reachable from it (Buffers excepted: they cannot be frozen). */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Buffer.isBuffer(value) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
