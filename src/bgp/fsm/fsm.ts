/**
 * DOC: the BGP finite state machine of RFC 4271 §8 as one pure function, `step(state, event, ctx)`.
 *
 * Sans-IO (RustyBGP `process`, OpenBGPD `bgp_fsm`): no sockets, timers, clock or randomness. The session driver
 * turns socket and timer activity into `FsmEvent`s, calls `step`, and executes the returned `FsmAction`s in order.
 * Entry to Idle goes through one helper, `enterIdle` (OpenBGPD `change_state`): it sends the NOTIFICATION if any,
 * cancels every timer the old state had armed, reports `SessionDown` when leaving Established, closes the
 * connection, releases resources and, when automatic restart is allowed, arms the idle-hold back-off timer.
 * The arms shared by OpenSent, OpenConfirm and Established (hold timer, NOTIFICATIONs, TCP loss, unexpected
 * messages) live in `stepOpened`, not repeated per state.
 *
 * Deliberate choices where RFC 4271 §8.2.2 leaves room or where Petrel follows BIRD (Calico's expectations):
 * - A timer event for a timer the state has not armed is stale (it raced with a cancel) and is ignored, where
 *   the RFC would treat it as an FSM error.
 * - A failed outgoing connect goes Active and waits ConnectRetry (BIRD, GoBGP), rather than going Idle.
 * - A start waits `connectDelayTime` in Active before the first connect (BIRD `connect delay time`).
 * - A passive peer never arms ConnectRetry and never emits `Connect`; it waits in Active (shown as "Passive").
 * - NOTIFICATIONs received are never answered with a NOTIFICATION. A version-error NOTIFICATION is handled as an
 *   ordinary NOTIFICATION 2/1 (Petrel speaks only version 4, so there is nothing to fall back to).
 * - Errors (NOTIFICATION sent or received with a code other than Cease, hold expiry) grow the back-off; TCP loss
 *   and Cease restart at the current back-off; ManualStop and a collision dump do not restart.
 * - Any message received keeps the hold timer alive in Established, ROUTE-REFRESH included (BIRD, GoBGP).
 * - Unexpected messages before OPEN was sent (DelayOpen running) get NOTIFICATION 5/0 (RFC 6608 Unspecified).
 */
import { CeaseSubcode, ErrCode, FsmSubcode, OpenSubcode } from '../constants';
import { DEFAULT_ERROR_FORGET_TIME, nextBackoff } from './backoff';
import type {
  ActiveState,
  ConnectState,
  DownReason,
  EstablishedState,
  FsmAction,
  FsmContext,
  FsmEvent,
  IdleState,
  OpenConfirmState,
  OpenSentState,
  SessionState,
  StateName,
  StepResult,
  TimerKind,
} from './types';

/** RFC 4271 §8.2.2: the hold timer in OpenSent is set to a large value; "a value of 4 minutes is suggested". */
export const OPEN_SENT_HOLD_TIME = 240;

/** The six state names in RFC order. */
export const STATE_NAMES: readonly StateName[] = ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'];

/** The state of a session that has never been started. */
export function initialState(): IdleState {
  return { name: 'Idle', backoff: 0, idleHoldArmed: false };
}

/**
 * The state as BIRD's `show protocols` prints it: the RFC name, except "Passive" for a passive peer that is
 * started and listening with no connection (BIRD `bgp_state_dsc`).
 */
export function describeState(state: SessionState<unknown>, passive = false): string {
  if (passive && state.name === 'Active' && !state.delayOpenRunning) return 'Passive';
  return state.name;
}

/**
 * The keepalive interval for a negotiated hold time: the configured one, or hold / 3, never more than hold / 3
 * (so keepalives always arrive within the peer's hold time) and never under 1 s (RFC 4271 §4.4). 0 when hold is 0.
 */
export function keepaliveInterval(holdTime: number, ctx: Pick<FsmContext, 'keepaliveTime'>): number {
  if (holdTime <= 0) return 0;
  const third = Math.floor(holdTime / 3);
  const configured = ctx.keepaliveTime !== undefined && ctx.keepaliveTime > 0 ? ctx.keepaliveTime : third;
  return Math.max(1, Math.min(configured, third));
}

/**
 * One FSM transition. Pure: the same inputs always give the same outputs, and `state` is never mutated.
 * The driver must execute `actions` in order.
 */
export function step<N>(state: SessionState<N>, event: FsmEvent<N>, ctx: FsmContext): StepResult<N> {
  switch (state.name) {
    case 'Idle':
      return stepIdle(state, event, ctx);
    case 'Connect':
    case 'Active':
      return stepPreOpen(state, event, ctx);
    case 'OpenSent':
    case 'OpenConfirm':
    case 'Established':
      return stepOpened(state, event, ctx);
  }
}

// ---------------------------------------------------------------------------------------------- action builders

const arm = (timer: TimerKind, seconds: number): FsmAction<never> => ({ type: 'ArmTimer', timer, seconds });
const cancel = (timer: TimerKind): FsmAction<never> => ({ type: 'CancelTimer', timer });
const notification = (code: number, subcode: number, data?: Uint8Array): FsmAction<never> => ({
  type: 'SendNotification',
  code,
  subcode,
  data: data ? Buffer.from(data) : Buffer.alloc(0),
});

function stay<N>(state: SessionState<N>): StepResult<N> {
  return { state, actions: [] };
}

// ---------------------------------------------------------------------------------------------- state facts

/** The timers `state` may have armed, in a fixed order: exactly what leaving it must cancel. */
function timersOf(state: SessionState<unknown>, ctx: FsmContext): TimerKind[] {
  switch (state.name) {
    case 'Idle':
      return state.idleHoldArmed ? ['IdleHold'] : [];
    case 'Connect':
      return state.delayOpenRunning ? ['DelayOpen'] : ['ConnectRetry'];
    case 'Active':
      if (state.delayOpenRunning) return ['DelayOpen'];
      return ctx.passive ? [] : ['ConnectRetry'];
    case 'OpenSent':
      return ['Hold'];
    case 'OpenConfirm':
      return state.holdTime > 0 ? ['Hold', 'Keepalive'] : [];
    case 'Established': {
      const timers: TimerKind[] = state.holdTime > 0 ? ['Hold', 'Keepalive'] : [];
      // The error-forget timer runs exactly while an Established session still carries a back-off.
      if (state.backoff > 0) timers.push('ErrorForget');
      return timers;
    }
  }
}

/** Whether the state owns a TCP connection (or a connect attempt in progress). */
function hasConnection(state: SessionState<unknown>): boolean {
  switch (state.name) {
    case 'Idle':
      return false;
    case 'Connect':
      return true;
    case 'Active':
      return state.delayOpenRunning;
    default:
      return true;
  }
}

// ---------------------------------------------------------------------------------------------- Idle

/** How `enterIdle` restarts: not at all, at the current back-off, or at the next (grown) back-off. */
type Restart = 'none' | 'keep' | 'grow';

interface IdleEntry {
  reason: DownReason;
  restart: Restart;
  notify?: FsmAction<never>;
  graceful?: boolean;
}

/** RFC 4271 §8.2.2 "changes its state to Idle": the single entry point to Idle from any other state. */
function enterIdle<N>(from: SessionState<N>, ctx: FsmContext, entry: IdleEntry): StepResult<N> {
  const actions: FsmAction<N>[] = [];
  if (entry.notify) actions.push(entry.notify);
  for (const timer of timersOf(from, ctx)) actions.push(cancel(timer));
  if (from.name === 'Established') {
    actions.push({ type: 'SessionDown', reason: entry.reason, graceful: entry.graceful ?? false });
  }
  if (hasConnection(from)) actions.push({ type: 'CloseConnection' });
  actions.push({ type: 'ReleaseResources' });
  const backoff = entry.restart === 'grow' ? nextBackoff(from.backoff, ctx) : from.backoff;
  let idleHoldArmed = false;
  if (entry.restart !== 'none' && ctx.allowAutomaticStart) {
    // RFC 4271 §8.1.1 DampPeerOscillations: the automatic restart waits the IdleHold timer.
    actions.push(arm('IdleHold', backoff));
    idleHoldArmed = true;
  }
  return { state: { name: 'Idle', backoff, idleHoldArmed, reason: entry.reason }, actions };
}

/** We detected an error and send its NOTIFICATION. Errors other than Cease grow the back-off (BIRD `bgp_error`). */
function sendError<N>(from: SessionState<N>, ctx: FsmContext, code: number, subcode: number, data?: Uint8Array) {
  return enterIdle(from, ctx, {
    notify: notification(code, subcode, data),
    reason: { kind: 'NotificationSent', code, subcode },
    restart: code === ErrCode.Cease ? 'keep' : 'grow',
  });
}

/** The peer sent a NOTIFICATION: go Idle without answering it. */
function peerNotified<N>(from: SessionState<N>, ctx: FsmContext, code: number, subcode: number) {
  return enterIdle(from, ctx, {
    reason: { kind: 'NotificationReceived', code, subcode },
    restart: code === ErrCode.Cease ? 'keep' : 'grow',
  });
}

/** TCP went away without a NOTIFICATION. From Established this is the RFC 4724 §4.2 graceful-restart trigger. */
function connectionLost<N>(from: SessionState<N>, ctx: FsmContext, detail: string | undefined) {
  const reason: DownReason = detail === undefined ? { kind: 'ConnectionClosed' } : { kind: 'ConnectionClosed', detail };
  return enterIdle(from, ctx, { reason, restart: 'keep', graceful: true });
}

/** ManualStop from a state with a connection: Cease (RFC 4486 subcode) once our OPEN may have been sent. */
function manualStop<N>(from: SessionState<N>, ctx: FsmContext, event: { subcode?: number; data?: Buffer }) {
  const subcode = event.subcode ?? CeaseSubcode.AdministrativeShutdown;
  const openSent = from.name === 'OpenSent' || from.name === 'OpenConfirm' || from.name === 'Established';
  return enterIdle(from, ctx, {
    notify: openSent ? notification(ErrCode.Cease, subcode, event.data) : undefined,
    reason: { kind: 'Stopped', subcode },
    restart: 'none',
  });
}

/** Leave Idle (RFC 4271 §8.2.2 Idle, Events 1-7). */
function start<N>(backoff: number, prefix: FsmAction<N>[], ctx: FsmContext): StepResult<N> {
  if (ctx.passive) {
    // RFC 4271 §8.2.2 Idle, Event 4/5 (passive TCP establishment): listen only; no ConnectRetry, no Connect.
    return { state: { name: 'Active', backoff, delayOpenRunning: false }, actions: prefix };
  }
  const delay = ctx.connectDelayTime ?? 0;
  if (delay > 0) {
    // BIRD `connect delay time`: listen first, connect when the (first) ConnectRetry fires.
    return { state: { name: 'Active', backoff, delayOpenRunning: false }, actions: [...prefix, arm('ConnectRetry', delay)] };
  }
  return {
    state: { name: 'Connect', backoff, delayOpenRunning: false },
    actions: [...prefix, arm('ConnectRetry', ctx.connectRetryTime), { type: 'Connect' }],
  };
}

function stepIdle<N>(state: IdleState, event: FsmEvent<N>, ctx: FsmContext): StepResult<N> {
  switch (event.type) {
    case 'ManualStart':
      // An operator start forgets earlier errors.
      return start(0, state.idleHoldArmed ? [cancel('IdleHold')] : [], ctx);
    case 'AutomaticStart':
      // RFC 4271 §8.1.1 DampPeerOscillations: automatic starts wait for the IdleHold timer.
      return state.idleHoldArmed ? stay(state) : start(state.backoff, [], ctx);
    case 'IdleHoldTimerExpired':
      if (!state.idleHoldArmed) return stay(state);
      if (!ctx.allowAutomaticStart) return { state: { ...state, idleHoldArmed: false }, actions: [] };
      return start(state.backoff, [], ctx);
    case 'ManualStop': {
      if (!state.idleHoldArmed) return stay(state);
      const subcode = event.subcode ?? CeaseSubcode.AdministrativeShutdown;
      return {
        state: { ...state, idleHoldArmed: false, reason: { kind: 'Stopped', subcode } },
        actions: [cancel('IdleHold')],
      };
    }
    case 'TcpConnectionConfirmed':
    case 'TcpConnectionSucceeds':
      // RFC 4271 §8.2.2 Idle: connections are refused.
      return { state, actions: [{ type: 'CloseConnection' }] };
    default:
      return stay(state);
  }
}

// ---------------------------------------------------------------------------------------------- Connect / Active

/** Send OPEN and wait for the peer's (RFC 4271 §8.2.2 Connect/Active, Events 12, 16, 17). */
function sendOpen<N>(backoff: number, prefix: FsmAction<N>[]): StepResult<N> {
  const state: OpenSentState = { name: 'OpenSent', backoff };
  return { state, actions: [...prefix, { type: 'SendOpen' }, arm('Hold', OPEN_SENT_HOLD_TIME)] };
}

/** OPEN accepted: KEEPALIVE, negotiated timers, OpenConfirm (RFC 4271 §8.2.2 OpenSent Event 19). */
function openConfirm<N>(
  backoff: number,
  event: { negotiated: N; remoteHoldTime: number },
  ctx: FsmContext,
  prefix: FsmAction<N>[],
  holdArmed: boolean,
): StepResult<N> {
  // RFC 4271 §4.2: the hold time is the smaller of ours and the peer's.
  const holdTime = Math.min(ctx.holdTime, event.remoteHoldTime);
  const keepaliveTime = keepaliveInterval(holdTime, ctx);
  const actions: FsmAction<N>[] = [...prefix, { type: 'SendKeepalive' }];
  if (holdTime > 0) actions.push(arm('Hold', holdTime), arm('Keepalive', keepaliveTime));
  // RFC 4271 §8.2.2: "If the negotiated hold time value is zero, then the HoldTimer and KeepaliveTimer are not started."
  else if (holdArmed) actions.push(cancel('Hold'));
  const state: OpenConfirmState<N> = { name: 'OpenConfirm', backoff, negotiated: event.negotiated, holdTime, keepaliveTime };
  return { state, actions };
}

function stepPreOpen<N>(state: ConnectState | ActiveState, event: FsmEvent<N>, ctx: FsmContext): StepResult<N> {
  switch (event.type) {
    case 'ManualStop':
      return manualStop(state, ctx, event);
    case 'ConnectRetryTimerExpired': {
      if (state.delayOpenRunning || ctx.passive) return stay(state);
      // RFC 4271 §8.2.2 Connect Event 9 (drop the attempt, retry) / Active Event 9 (connect).
      const actions: FsmAction<N>[] = state.name === 'Connect' ? [{ type: 'CloseConnection' }] : [];
      actions.push(arm('ConnectRetry', ctx.connectRetryTime), { type: 'Connect' });
      return { state: { name: 'Connect', backoff: state.backoff, delayOpenRunning: false }, actions };
    }
    case 'DelayOpenTimerExpired':
      return state.delayOpenRunning ? sendOpen(state.backoff, []) : stay(state);
    case 'TcpConnectionConfirmed':
    case 'TcpConnectionSucceeds': {
      // A second connection while DelayOpen runs is the driver's collision business.
      if (state.delayOpenRunning) return stay(state);
      const actions: FsmAction<N>[] = timersOf(state, ctx).map(cancel);
      const delayOpen = ctx.delayOpenTime ?? 0;
      if (delayOpen > 0) {
        // RFC 4271 §8.2.2 Connect/Active Events 16-17 with DelayOpen: hold our OPEN back.
        actions.push(arm('DelayOpen', delayOpen));
        return { state: { ...state, delayOpenRunning: true }, actions };
      }
      return sendOpen(state.backoff, actions);
    }
    case 'TcpConnectionFails':
    case 'TcpClosed':
    case 'SendFailed': {
      if (!hasConnection(state)) return stay(state);
      // RFC 4271 §8.2.2 Connect Event 18 (DelayOpen running) / Active Event 18: back to listening.
      const actions: FsmAction<N>[] = state.delayOpenRunning ? [cancel('DelayOpen')] : [];
      actions.push({ type: 'CloseConnection' });
      if (!ctx.passive) actions.push(arm('ConnectRetry', ctx.connectRetryTime));
      return { state: { name: 'Active', backoff: state.backoff, delayOpenRunning: false }, actions };
    }
    case 'CollisionDump':
      // No OPEN has been sent on this connection, so it closes without a NOTIFICATION.
      if (!hasConnection(state)) return stay(state);
      return enterIdle(state, ctx, { reason: { kind: 'ConnectionClosed', detail: 'connection collision' }, restart: 'none' });
    case 'OpenReceived':
      // RFC 4271 §8.2.2 Connect/Active Event 20 (OPEN while DelayOpen runs): OPEN, KEEPALIVE, OpenConfirm.
      if (!state.delayOpenRunning) return stay(state);
      return openConfirm(state.backoff, event, ctx, [cancel('DelayOpen'), { type: 'SendOpen' }], false);
    default:
      // Messages need a connection; without one they are stale.
      if (!state.delayOpenRunning) return stay(state);
      return onMessage(state, event, ctx, FsmSubcode.Unspecified);
  }
}

// ---------------------------------------------------------------------------------------------- OpenSent and beyond

type OpenedState<N> = OpenSentState | OpenConfirmState<N> | EstablishedState<N>;

/** RFC 6608 §4 subcode for an unexpected message in each state. */
function unexpectedSubcode(name: OpenedState<unknown>['name']): number {
  if (name === 'OpenSent') return FsmSubcode.UnexpectedInOpenSent;
  if (name === 'OpenConfirm') return FsmSubcode.UnexpectedInOpenConfirm;
  return FsmSubcode.UnexpectedInEstablished;
}

function stepOpened<N>(state: OpenedState<N>, event: FsmEvent<N>, ctx: FsmContext): StepResult<N> {
  switch (event.type) {
    case 'ManualStop':
      return manualStop(state, ctx, event);
    case 'HoldTimerExpired':
      // RFC 4271 §6.5: NOTIFICATION Hold Timer Expired (4/0).
      if (state.name !== 'OpenSent' && state.holdTime === 0) return stay(state);
      return sendError(state, ctx, ErrCode.HoldTimerExpired, 0);
    case 'KeepaliveTimerExpired':
      if (state.name === 'OpenSent' || state.holdTime === 0) return stay(state);
      return { state, actions: [{ type: 'SendKeepalive' }, arm('Keepalive', state.keepaliveTime)] };
    case 'ErrorForgetTimerExpired':
      // BIRD `error forget time`: a session that stayed up this long forgets earlier errors.
      if (state.name !== 'Established' || state.backoff === 0) return stay(state);
      return { state: { ...state, backoff: 0 }, actions: [] };
    case 'TcpConnectionFails':
    case 'TcpClosed':
    case 'SendFailed':
      if (state.name === 'OpenSent') {
        // RFC 4271 §8.2.2 OpenSent Event 18: close, restart ConnectRetry, continue to listen (Active).
        const actions: FsmAction<N>[] = [cancel('Hold'), { type: 'CloseConnection' }];
        if (!ctx.passive) actions.push(arm('ConnectRetry', ctx.connectRetryTime));
        return { state: { name: 'Active', backoff: state.backoff, delayOpenRunning: false }, actions };
      }
      return connectionLost(state, ctx, event.detail);
    case 'CollisionDump':
      // RFC 4271 §6.8: the losing connection gets Cease, Connection Collision Resolution (RFC 4486 subcode 7).
      return enterIdle(state, ctx, {
        notify: notification(ErrCode.Cease, CeaseSubcode.ConnectionCollisionResolution),
        reason: { kind: 'NotificationSent', code: ErrCode.Cease, subcode: CeaseSubcode.ConnectionCollisionResolution },
        restart: 'none',
      });
    case 'OpenReceived':
      if (state.name === 'OpenSent') return openConfirm(state.backoff, event, ctx, [], true);
      return sendError(state, ctx, ErrCode.Fsm, unexpectedSubcode(state.name));
    case 'OpenRejected':
      // A second OPEN on a synchronised connection is an FSM error whatever its content.
      if (state.name !== 'OpenSent') return sendError(state, ctx, ErrCode.Fsm, unexpectedSubcode(state.name));
      return onMessage(state, event, ctx, unexpectedSubcode(state.name));
    case 'KeepaliveReceived':
      if (state.name === 'OpenConfirm') return established(state, ctx);
      if (state.name === 'Established') return restartHold(state);
      return onMessage(state, event, ctx, unexpectedSubcode(state.name));
    case 'UpdateReceived':
    case 'RouteRefreshReceived':
      if (state.name === 'Established') return restartHold(state);
      return onMessage(state, event, ctx, unexpectedSubcode(state.name));
    case 'UpdateError':
      // RFC 7606 §2 session reset, decided by the RIB side; stale unless Established.
      if (state.name !== 'Established') return stay(state);
      return sendError(state, ctx, event.error.errorCode, event.error.errorSubcode, event.error.data);
    default:
      return onMessage(state, event, ctx, unexpectedSubcode(state.name));
  }
}

/** RFC 4271 §8.2.2 Established, Events 26-27: any message from the peer restarts the hold timer. */
function restartHold<N>(state: EstablishedState<N>): StepResult<N> {
  return { state, actions: state.holdTime > 0 ? [arm('Hold', state.holdTime)] : [] };
}

/** RFC 4271 §8.2.2 OpenConfirm Event 26: the peer's KEEPALIVE completes the handshake. */
function established<N>(state: OpenConfirmState<N>, ctx: FsmContext): StepResult<N> {
  const { negotiated, holdTime, keepaliveTime } = state;
  const actions: FsmAction<N>[] = holdTime > 0 ? [arm('Hold', holdTime)] : [];
  actions.push({ type: 'SessionUp', negotiated, holdTime, keepaliveTime });
  let backoff = state.backoff;
  if (backoff > 0) {
    const forget = ctx.errorForgetTime ?? DEFAULT_ERROR_FORGET_TIME;
    if (forget > 0) actions.push(arm('ErrorForget', forget));
    else backoff = 0;
  }
  const next: EstablishedState<N> = { name: 'Established', backoff, negotiated, holdTime, keepaliveTime };
  return { state: next, actions };
}

/**
 * The message arms shared by every state that owns a live connection: errors to send, NOTIFICATIONs received,
 * and (RFC 6608) NOTIFICATION 5/`subcode` for any message the state does not expect. Timer and TCP events that
 * reach here are stale and ignored.
 */
function onMessage<N>(state: SessionState<N>, event: FsmEvent<N>, ctx: FsmContext, subcode: number): StepResult<N> {
  switch (event.type) {
    case 'OpenRejected':
    case 'DecodeError':
      return sendError(state, ctx, event.error.errorCode, event.error.errorSubcode, event.error.data);
    case 'NotificationVersionError':
      return peerNotified(state, ctx, ErrCode.OpenMessage, OpenSubcode.UnsupportedVersionNumber);
    case 'NotificationReceived':
      return peerNotified(state, ctx, event.code, event.subcode);
    case 'OpenReceived':
    case 'KeepaliveReceived':
    case 'UpdateReceived':
    case 'RouteRefreshReceived':
      return sendError(state, ctx, ErrCode.Fsm, subcode);
    default:
      return stay(state);
  }
}
