/**
 * DOC: FSM scenarios that span several steps: the handshake, back-off progression and reset, passive peers,
 * hold time 0, DelayOpen, connect delay, timer negotiation, state names and purity.
 */
import t from 'tap';
import { OPEN_SENT_HOLD_TIME, STATE_NAMES, describeState, initialState, keepaliveInterval, step } from '../../../src/bgp/fsm/fsm';
import type { FsmContext, FsmEventType } from '../../../src/bgp/fsm/types';
import {
  CLOSE, CONNECT, CTX, EVENTS, EVENT_TYPES, KEEPALIVE, NEG, OPEN, RELEASE, active, arm, cancel, closed, connect, deepFreeze,
  down, established, idle, notify, openConfirm, openSent, received, sent, stopped, up,
} from './fixtures';
import type { Action, Event, State } from './fixtures';

/** Runs events in order, returning every step's actions and the final state. */
function run(from: State, events: Event[], ctx: FsmContext = CTX): { state: State; actions: Action[][] } {
  let state = from;
  const actions: Action[][] = [];
  for (const ev of events) {
    const r = step(state, ev, ctx);
    state = r.state;
    actions.push(r.actions);
  }
  return { state, actions };
}

t.test('an active peer walks Idle, Connect, OpenSent, OpenConfirm, Established', async (t) => {
  const { state, actions } = run(initialState(), [
    EVENTS.ManualStart, EVENTS.TcpConnectionSucceeds, EVENTS.OpenReceived, EVENTS.KeepaliveReceived,
  ]);
  t.strictSame(actions, [
    [arm('ConnectRetry', 5), CONNECT],
    [cancel('ConnectRetry'), OPEN, arm('Hold', OPEN_SENT_HOLD_TIME)],
    [KEEPALIVE, arm('Hold', 90), arm('Keepalive', 30)],
    // A healthy peer (back-off 0) arms no error-forget timer.
    [arm('Hold', 90), up()],
  ]);
  t.strictSame(state, established(0));
  t.equal((actions[3][1] as { negotiated: unknown }).negotiated, NEG, 'the negotiated session is passed through by identity');
  t.equal(OPEN_SENT_HOLD_TIME, 240);
});

t.test('hold timer failures back off 5, 10, 20, 30, 30 seconds (error wait time 5,30)', async (t) => {
  let state: State = openSent(0);
  const delays: number[] = [];
  for (let i = 0; i < 5; i++) {
    const r = run(state, [EVENTS.HoldTimerExpired]);
    const armIdle = r.actions[0].find((a) => a.type === 'ArmTimer' && a.timer === 'IdleHold');
    delays.push(armIdle && armIdle.type === 'ArmTimer' ? armIdle.seconds : -1);
    const back = run(r.state, [EVENTS.IdleHoldTimerExpired, EVENTS.TcpConnectionSucceeds]);
    t.equal(back.state.name, 'OpenSent');
    state = back.state;
  }
  t.strictSame(delays, [5, 10, 20, 30, 30]);
  t.equal(state.backoff, 30);
});

t.test('a session stable for the error-forget time resets the back-off to 0', async (t) => {
  const { state, actions } = run(openConfirm(20), [EVENTS.KeepaliveReceived, EVENTS.ErrorForgetTimerExpired, EVENTS.TcpClosed]);
  t.strictSame(actions[0], [arm('Hold', 90), up(), arm('ErrorForget', 300)]);
  t.strictSame(actions[1], []);
  // The timer has fired, so leaving Established cancels only hold and keepalive; the restart is immediate.
  t.strictSame(actions[2], [cancel('Hold'), cancel('Keepalive'), down(closed('EOF'), true), CLOSE, RELEASE, arm('IdleHold', 0)]);
  t.strictSame(state, idle(0, true, closed('EOF')));
  const next = run(state, [EVENTS.IdleHoldTimerExpired, EVENTS.TcpConnectionSucceeds, EVENTS.HoldTimerExpired]);
  t.strictSame(next.state, idle(5, true, sent(4, 0)), 'the next error starts again at the minimum');
});

t.test('a session that fails before the error-forget time keeps growing the back-off', async (t) => {
  const { state, actions } = run(openConfirm(20), [EVENTS.KeepaliveReceived, EVENTS.HoldTimerExpired]);
  t.strictSame(actions[1], [
    notify(4, 0), cancel('Hold'), cancel('Keepalive'), cancel('ErrorForget'), down(sent(4, 0), false), CLOSE, RELEASE,
    arm('IdleHold', 30),
  ]);
  t.strictSame(state, idle(30, true, sent(4, 0)));
});

t.test('error forget time 0 resets the back-off on reaching Established, with no timer', async (t) => {
  const r = step(openConfirm(20), EVENTS.KeepaliveReceived, { ...CTX, errorForgetTime: 0 });
  t.strictSame(r.actions, [arm('Hold', 90), up()]);
  t.strictSame(r.state, established(0));
});

t.test('a Cease NOTIFICATION restarts at the current back-off without growing it', async (t) => {
  const r = step(established(10), { type: 'NotificationReceived', code: 6, subcode: 4 }, CTX);
  t.strictSame(r.state, idle(10, true, received(6, 4)));
  t.strictSame(r.actions.at(-1), arm('IdleHold', 10));
  t.strictSame(r.actions[3], down(received(6, 4), false), 'a NOTIFICATION is never a graceful-restart trigger');
});

t.test('ManualStart forgets the back-off; ManualStop cancels a pending restart', async (t) => {
  const stoppedState = run(idle(30, true, sent(4, 0)), [EVENTS.ManualStop]);
  t.strictSame(stoppedState.actions, [[cancel('IdleHold')]]);
  t.strictSame(stoppedState.state, idle(30, false, stopped()));
  const started = run(stoppedState.state, [EVENTS.ManualStart]);
  t.strictSame(started.state, connect(0));
  t.strictSame(started.actions, [[arm('ConnectRetry', 5), CONNECT]]);
  const auto = run(stoppedState.state, [EVENTS.AutomaticStart]);
  t.strictSame(auto.state, connect(30), 'an automatic start keeps the back-off');
});

t.test('ManualStop carries the Cease subcode and shutdown communication', async (t) => {
  const data = Buffer.from('maintenance');
  const r = step(established(0), { type: 'ManualStop', subcode: 3, data }, CTX);
  t.strictSame(r.actions, [
    notify(6, 3, [...data]), cancel('Hold'), cancel('Keepalive'), down(stopped(3), false), CLOSE, RELEASE,
  ]);
  t.strictSame(r.state, idle(0, false, stopped(3)));
});

t.test('without automatic start errors go Idle with no idle-hold timer but the back-off still grows', async (t) => {
  const ctx = { ...CTX, allowAutomaticStart: false };
  const r = step(openSent(5), EVENTS.HoldTimerExpired, ctx);
  t.strictSame(r.actions, [notify(4, 0), cancel('Hold'), CLOSE, RELEASE]);
  t.strictSame(r.state, idle(10, false, sent(4, 0)));
  const late = step(idle(10, true), EVENTS.IdleHoldTimerExpired, ctx);
  t.strictSame(late, { state: idle(10, false), actions: [] }, 'a pending restart is dropped once disallowed');
});

t.test('a passive peer listens in Active and never arms connect retry', async (t) => {
  const ctx = { ...CTX, passive: true };
  const { state, actions } = run(initialState(), [
    EVENTS.ManualStart, EVENTS.ConnectRetryTimerExpired, EVENTS.TcpConnectionConfirmed, EVENTS.TcpClosed,
  ], ctx);
  t.strictSame(actions, [
    [],
    [],
    [OPEN, arm('Hold', 240)],
    [cancel('Hold'), CLOSE],
  ]);
  t.strictSame(state, active(0));
  t.equal(describeState(state, true), 'Passive');
});

t.test('passive peers never connect, from any reachable state on any event', async (t) => {
  const ctx: FsmContext = { ...CTX, passive: true, delayOpenTime: 3, connectDelayTime: 2 };
  const seen = new Map<string, State>();
  const queue: State[] = [initialState(), connect(0), connect(0, true), active(10, true), established(30)];
  let transitions = 0;
  while (queue.length > 0 && seen.size < 5000) {
    const s = queue.shift()!;
    const key = JSON.stringify(s);
    if (seen.has(key)) continue;
    seen.set(key, s);
    for (const ev of EVENT_TYPES) {
      const r = step(s, EVENTS[ev], ctx);
      transitions++;
      const bad = r.actions.filter((a) => a.type === 'Connect' || (a.type === 'ArmTimer' && a.timer === 'ConnectRetry'));
      if (bad.length > 0) t.fail(`${ev} in ${key} connects: ${JSON.stringify(bad)}`);
      queue.push(r.state);
    }
  }
  t.equal(queue.length, 0, 'the reachable state space was explored completely');
  t.ok(seen.size > 20, `explored ${seen.size} states, ${transitions} transitions`);
  const names = new Set([...seen.values()].map((s) => s.name));
  t.strictSame([...names].sort(), [...STATE_NAMES].sort(), 'every state was reached');
});

t.test('hold time 0 arms no hold or keepalive timers', async (t) => {
  const ctx = { ...CTX, holdTime: 0 };
  const { state, actions } = run(openSent(0), [EVENTS.OpenReceived, EVENTS.KeepaliveReceived], ctx);
  t.strictSame(actions, [[KEEPALIVE, cancel('Hold')], [up(0, 0)]]);
  t.strictSame(state, established(0, 0, 0));
  for (const ev of ['HoldTimerExpired', 'KeepaliveTimerExpired', 'KeepaliveReceived', 'UpdateReceived'] as FsmEventType[]) {
    t.strictSame(step(state, EVENTS[ev], ctx), { state, actions: [] }, `${ev} does nothing`);
  }
  t.strictSame(step(state, EVENTS.TcpClosed, ctx).actions, [down(closed('EOF'), true), CLOSE, RELEASE, arm('IdleHold', 0)],
    'leaving cancels no timers');
  const peerZero = step(openSent(0), { type: 'OpenReceived', negotiated: NEG, remoteHoldTime: 0 }, CTX);
  t.strictSame(peerZero.actions, [KEEPALIVE, cancel('Hold')], 'the peer offering 0 also disables the timers');
  t.strictSame(peerZero.state, openConfirm(0, 0, 0));
  const delayed = step(connect(0, true), { type: 'OpenReceived', negotiated: NEG, remoteHoldTime: 0 }, CTX);
  t.strictSame(delayed.actions, [cancel('DelayOpen'), OPEN, KEEPALIVE], 'no hold timer to cancel before OpenSent');
});

t.test('the negotiated hold time is the smaller one and keepalive is clamped to a third of it', async (t) => {
  const r = step(openSent(0), { type: 'OpenReceived', negotiated: NEG, remoteHoldTime: 300 }, { ...CTX, keepaliveTime: 10 });
  t.strictSame(r.state, openConfirm(0, 240, 10));
  t.equal(keepaliveInterval(240, {}), 80);
  t.equal(keepaliveInterval(9, { keepaliveTime: 80 }), 3, 'a configured keepalive above hold/3 is clamped');
  t.equal(keepaliveInterval(3, {}), 1);
  t.equal(keepaliveInterval(0, { keepaliveTime: 10 }), 0);
  t.equal(keepaliveInterval(90, { keepaliveTime: 0 }), 30, 'keepalive 0 means the default');
});

t.test('DelayOpen holds our OPEN back after TCP comes up', async (t) => {
  const ctx = { ...CTX, delayOpenTime: 5 };
  const c = step(connect(0), EVENTS.TcpConnectionSucceeds, ctx);
  t.strictSame(c, { state: connect(0, true), actions: [cancel('ConnectRetry'), arm('DelayOpen', 5)] });
  const p = step(active(0), EVENTS.TcpConnectionConfirmed, { ...ctx, passive: true });
  t.strictSame(p, { state: active(0, true), actions: [arm('DelayOpen', 5)] });
  t.equal(describeState(p.state, true), 'Active', 'a passive peer with a connection is no longer shown Passive');
  t.strictSame(step(c.state, EVENTS.DelayOpenTimerExpired, ctx), { state: openSent(0), actions: [OPEN, arm('Hold', 240)] });
});

t.test('connect delay time makes a start listen first and connect when it expires', async (t) => {
  const ctx = { ...CTX, connectDelayTime: 2 };
  const { state, actions } = run(initialState(), [EVENTS.ManualStart, EVENTS.ConnectRetryTimerExpired], ctx);
  t.strictSame(actions, [[arm('ConnectRetry', 2)], [arm('ConnectRetry', 5), CONNECT]]);
  t.strictSame(state, connect(0));
  t.equal(describeState(active(0), false), 'Active');
});

t.test('describeState gives BIRD show protocols names', async (t) => {
  t.strictSame(STATE_NAMES, ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established']);
  const states = [idle(0, false), connect(0), active(0), openSent(0), openConfirm(0), established(0)];
  t.strictSame(states.map((s) => describeState(s)), STATE_NAMES);
  t.strictSame(states.map((s) => describeState(s, true)), ['Idle', 'Connect', 'Passive', 'OpenSent', 'OpenConfirm', 'Established']);
});

t.test('step is pure: frozen inputs, equal outputs on repeat, for every state and event', async (t) => {
  const states = [idle(0, false), idle(10, true), connect(5), connect(5, true), active(5), active(5, true), openSent(5),
    openConfirm(5), established(5), established(0, 0, 0)].map(deepFreeze);
  const events = EVENT_TYPES.map((e) => deepFreeze({ ...EVENTS[e] }));
  const ctxs = [CTX, { ...CTX, passive: true, delayOpenTime: 2, connectDelayTime: 1 }].map(deepFreeze);
  let count = 0;
  for (const s of states) {
    for (const ev of events) {
      for (const ctx of ctxs) {
        const a = step(s, ev, ctx);
        const b = step(s, ev, ctx);
        if (JSON.stringify(a) !== JSON.stringify(b)) t.fail(`${ev.type} in ${s.name} is not deterministic`);
        count++;
      }
    }
  }
  t.equal(count, 10 * 24 * 2);
});
