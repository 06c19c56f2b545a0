/**
 * DOC: the state × event table of the FSM. Every state (and the DelayOpen and idle-hold variants) is crossed
 * with every event; each cell asserts the exact next state and the exact action list. A state's `ignored` list
 * names the events that leave it unchanged with no actions, and the test checks each state covers every event
 * exactly once, so a new event cannot go untested.
 */
import t from 'tap';
import { step } from '../../../src/bgp/fsm/fsm';
import type { FsmEventType } from '../../../src/bgp/fsm/types';
import {
  CLOSE, CONNECT, CTX, EVENTS, EVENT_TYPES, KEEPALIVE, OPEN, RELEASE, active, arm, cancel, closed, connect, deepFreeze,
  down, established, idle, notify, openConfirm, openSent, received, sent, stopped, up,
} from './fixtures';
import type { Action, State } from './fixtures';

interface Cell {
  event: FsmEventType;
  /** The rest of the test name after "<event> in <state> ". */
  outcome: string;
  state: State;
  actions: Action[];
}

interface Row {
  label: string;
  from: State;
  cells: Cell[];
  ignored: FsmEventType[];
}

const cell = (event: FsmEventType, outcome: string, state: State, actions: Action[]): Cell => ({ event, outcome, state, actions });

/** The cells shared by the two DelayOpen-running variants (TCP up, our OPEN held back). */
function delayOpenCells(): Cell[] {
  const toIdle = (pre: Action[], post: Action[] = []) => [...pre, cancel('DelayOpen'), CLOSE, RELEASE, ...post];
  return [
    cell('ManualStop', 'closes without notification and goes Idle', idle(10, false, stopped()), toIdle([])),
    cell('DelayOpenTimerExpired', 'sends OPEN, arms the 240 s hold timer and goes OpenSent', openSent(10), [OPEN, arm('Hold', 240)]),
    ...(['TcpConnectionFails', 'TcpClosed', 'SendFailed'] as const).map((ev) =>
      cell(ev, 'closes, re-arms connect retry and goes Active', active(10), [cancel('DelayOpen'), CLOSE, arm('ConnectRetry', 5)])),
    cell('CollisionDump', 'closes without notification and goes Idle with no restart',
      idle(10, false, closed('connection collision')), toIdle([])),
    cell('OpenReceived', 'sends OPEN and KEEPALIVE, arms hold 90 and keepalive 30, goes OpenConfirm', openConfirm(10),
      [cancel('DelayOpen'), OPEN, KEEPALIVE, arm('Hold', 90), arm('Keepalive', 30)]),
    cell('OpenRejected', 'sends notification 2/2 and goes Idle with back-off 20', idle(20, true, sent(2, 2)),
      toIdle([notify(2, 2, [0xfd, 0xe8])], [arm('IdleHold', 20)])),
    cell('NotificationVersionError', 'goes Idle with back-off 20 without answering', idle(20, true, received(2, 1)),
      toIdle([], [arm('IdleHold', 20)])),
    cell('NotificationReceived', 'goes Idle with back-off 20 without answering', idle(20, true, received(2, 2)),
      toIdle([], [arm('IdleHold', 20)])),
    ...(['KeepaliveReceived', 'UpdateReceived', 'RouteRefreshReceived'] as const).map((ev) =>
      cell(ev, 'sends notification 5/0 and goes Idle', idle(20, true, sent(5, 0)), toIdle([notify(5, 0)], [arm('IdleHold', 20)]))),
    cell('DecodeError', 'sends notification 1/2 and goes Idle', idle(20, true, sent(1, 2)),
      toIdle([notify(1, 2, [0x00, 0x13])], [arm('IdleHold', 20)])),
  ];
}
const DELAY_OPEN_IGNORED: FsmEventType[] = [
  'ManualStart', 'AutomaticStart', 'ConnectRetryTimerExpired', 'HoldTimerExpired', 'KeepaliveTimerExpired',
  'IdleHoldTimerExpired', 'ErrorForgetTimerExpired', 'TcpConnectionConfirmed', 'TcpConnectionSucceeds', 'UpdateError',
];

/** The cells where OpenSent, OpenConfirm and Established all go Idle the same way, given the timers to cancel. */
function openedToIdle(timers: Action[], isEstablished: boolean, unexpected: number): Cell[] {
  const toIdle = (pre: Action[], reason: Parameters<typeof down>[0], post: Action[] = [], graceful = false) =>
    [...pre, ...timers, ...(isEstablished ? [down(reason, graceful)] : []), CLOSE, RELEASE, ...post];
  return [
    cell('ManualStop', 'sends notification 6/2 and goes Idle with no restart', idle(10, false, stopped()),
      toIdle([notify(6, 2)], stopped())),
    cell('HoldTimerExpired', 'sends notification 4/0 and goes Idle with back-off 20', idle(20, true, sent(4, 0)),
      toIdle([notify(4, 0)], sent(4, 0), [arm('IdleHold', 20)])),
    cell('CollisionDump', 'sends notification 6/7 and goes Idle with no restart', idle(10, false, sent(6, 7)),
      toIdle([notify(6, 7)], sent(6, 7))),
    cell('NotificationVersionError', 'goes Idle with back-off 20 without answering', idle(20, true, received(2, 1)),
      toIdle([], received(2, 1), [arm('IdleHold', 20)])),
    cell('NotificationReceived', 'goes Idle with back-off 20 without answering', idle(20, true, received(2, 2)),
      toIdle([], received(2, 2), [arm('IdleHold', 20)])),
    cell('DecodeError', 'sends notification 1/2 and goes Idle with back-off 20', idle(20, true, sent(1, 2)),
      toIdle([notify(1, 2, [0x00, 0x13])], sent(1, 2), [arm('IdleHold', 20)])),
    ...(['OpenRejected', 'OpenReceived'] as const)
      .filter((ev) => unexpected !== 1 || ev === 'OpenRejected')
      .map((ev) => unexpected === 1
        ? cell(ev, 'sends notification 2/2 and goes Idle with back-off 20', idle(20, true, sent(2, 2)),
          toIdle([notify(2, 2, [0xfd, 0xe8])], sent(2, 2), [arm('IdleHold', 20)]))
        : cell(ev, `sends notification 5/${unexpected} and goes Idle with back-off 20`, idle(20, true, sent(5, unexpected)),
          toIdle([notify(5, unexpected)], sent(5, unexpected), [arm('IdleHold', 20)]))),
    ...(isEstablished || unexpected === 2
      ? (['TcpConnectionFails', 'TcpClosed', 'SendFailed'] as const).map((ev) => {
          const detail = (EVENTS[ev] as { detail: string }).detail;
          return cell(ev, `goes Idle${isEstablished ? ' with a graceful session down' : ''} and restarts at the current back-off`,
            idle(10, true, closed(detail)), toIdle([], closed(detail), [arm('IdleHold', 10)], true));
        })
      : []),
  ];
}

const ROWS: Row[] = [
  {
    label: 'Idle with the idle-hold timer armed',
    from: idle(10, true, closed('EOF')),
    cells: [
      cell('ManualStart', 'cancels idle hold, resets back-off and connects', connect(0),
        [cancel('IdleHold'), arm('ConnectRetry', 5), CONNECT]),
      cell('ManualStop', 'cancels idle hold and stays Idle', idle(10, false, stopped()), [cancel('IdleHold')]),
      cell('IdleHoldTimerExpired', 'connects keeping the back-off', connect(10), [arm('ConnectRetry', 5), CONNECT]),
      cell('TcpConnectionConfirmed', 'refuses the connection', idle(10, true, closed('EOF')), [CLOSE]),
      cell('TcpConnectionSucceeds', 'closes the connection', idle(10, true, closed('EOF')), [CLOSE]),
    ],
    ignored: [
      'AutomaticStart', 'ConnectRetryTimerExpired', 'HoldTimerExpired', 'KeepaliveTimerExpired', 'DelayOpenTimerExpired',
      'ErrorForgetTimerExpired', 'TcpConnectionFails', 'TcpClosed', 'SendFailed', 'OpenReceived', 'OpenRejected',
      'NotificationVersionError', 'NotificationReceived', 'KeepaliveReceived', 'UpdateReceived', 'UpdateError',
      'RouteRefreshReceived', 'DecodeError', 'CollisionDump',
    ],
  },
  {
    label: 'Idle never started',
    from: idle(0, false),
    cells: [
      cell('ManualStart', 'arms connect retry, connects and goes Connect', connect(0), [arm('ConnectRetry', 5), CONNECT]),
      cell('AutomaticStart', 'arms connect retry, connects and goes Connect', connect(0), [arm('ConnectRetry', 5), CONNECT]),
      cell('TcpConnectionConfirmed', 'refuses the connection', idle(0, false), [CLOSE]),
      cell('TcpConnectionSucceeds', 'closes the connection', idle(0, false), [CLOSE]),
    ],
    ignored: [
      'ManualStop', 'ConnectRetryTimerExpired', 'HoldTimerExpired', 'KeepaliveTimerExpired', 'IdleHoldTimerExpired',
      'DelayOpenTimerExpired', 'ErrorForgetTimerExpired', 'TcpConnectionFails', 'TcpClosed', 'SendFailed', 'OpenReceived',
      'OpenRejected', 'NotificationVersionError', 'NotificationReceived', 'KeepaliveReceived', 'UpdateReceived',
      'UpdateError', 'RouteRefreshReceived', 'DecodeError', 'CollisionDump',
    ],
  },
  {
    label: 'Connect',
    from: connect(10),
    cells: [
      cell('ManualStop', 'aborts the connect and goes Idle with no restart', idle(10, false, stopped()),
        [cancel('ConnectRetry'), CLOSE, RELEASE]),
      cell('ConnectRetryTimerExpired', 'drops the attempt and connects again', connect(10),
        [CLOSE, arm('ConnectRetry', 5), CONNECT]),
      ...(['TcpConnectionConfirmed', 'TcpConnectionSucceeds'] as const).map((ev) =>
        cell(ev, 'sends OPEN, arms the 240 s hold timer and goes OpenSent', openSent(10),
          [cancel('ConnectRetry'), OPEN, arm('Hold', 240)])),
      ...(['TcpConnectionFails', 'TcpClosed', 'SendFailed'] as const).map((ev) =>
        cell(ev, 're-arms connect retry and goes Active', active(10), [CLOSE, arm('ConnectRetry', 5)])),
      cell('CollisionDump', 'aborts the connect and goes Idle with no restart', idle(10, false, closed('connection collision')),
        [cancel('ConnectRetry'), CLOSE, RELEASE]),
    ],
    ignored: [
      'ManualStart', 'AutomaticStart', 'HoldTimerExpired', 'KeepaliveTimerExpired', 'IdleHoldTimerExpired',
      'DelayOpenTimerExpired', 'ErrorForgetTimerExpired', 'OpenReceived', 'OpenRejected', 'NotificationVersionError',
      'NotificationReceived', 'KeepaliveReceived', 'UpdateReceived', 'UpdateError', 'RouteRefreshReceived', 'DecodeError',
    ],
  },
  { label: 'Connect with DelayOpen running', from: connect(10, true), cells: delayOpenCells(), ignored: DELAY_OPEN_IGNORED },
  {
    label: 'Active',
    from: active(10),
    cells: [
      cell('ManualStop', 'goes Idle with no restart', idle(10, false, stopped()), [cancel('ConnectRetry'), RELEASE]),
      cell('ConnectRetryTimerExpired', 'connects and goes Connect', connect(10), [arm('ConnectRetry', 5), CONNECT]),
      ...(['TcpConnectionConfirmed', 'TcpConnectionSucceeds'] as const).map((ev) =>
        cell(ev, 'sends OPEN, arms the 240 s hold timer and goes OpenSent', openSent(10),
          [cancel('ConnectRetry'), OPEN, arm('Hold', 240)])),
    ],
    ignored: [
      'ManualStart', 'AutomaticStart', 'HoldTimerExpired', 'KeepaliveTimerExpired', 'IdleHoldTimerExpired',
      'DelayOpenTimerExpired', 'ErrorForgetTimerExpired', 'TcpConnectionFails', 'TcpClosed', 'SendFailed', 'OpenReceived',
      'OpenRejected', 'NotificationVersionError', 'NotificationReceived', 'KeepaliveReceived', 'UpdateReceived',
      'UpdateError', 'RouteRefreshReceived', 'DecodeError', 'CollisionDump',
    ],
  },
  { label: 'Active with DelayOpen running', from: active(10, true), cells: delayOpenCells(), ignored: DELAY_OPEN_IGNORED },
  {
    label: 'OpenSent',
    from: openSent(10),
    cells: [
      ...openedToIdle([cancel('Hold')], false, 1),
      cell('OpenReceived', 'sends KEEPALIVE, arms hold 90 and keepalive 30, goes OpenConfirm', openConfirm(10),
        [KEEPALIVE, arm('Hold', 90), arm('Keepalive', 30)]),
      ...(['KeepaliveReceived', 'UpdateReceived', 'RouteRefreshReceived'] as const).map((ev) =>
        cell(ev, 'sends notification 5/1 and goes Idle', idle(20, true, sent(5, 1)),
          [notify(5, 1), cancel('Hold'), CLOSE, RELEASE, arm('IdleHold', 20)])),
      ...(['TcpConnectionFails', 'TcpClosed', 'SendFailed'] as const).map((ev) =>
        cell(ev, 'closes, re-arms connect retry and goes Active', active(10), [cancel('Hold'), CLOSE, arm('ConnectRetry', 5)])),
    ],
    ignored: [
      'ManualStart', 'AutomaticStart', 'ConnectRetryTimerExpired', 'KeepaliveTimerExpired', 'IdleHoldTimerExpired',
      'DelayOpenTimerExpired', 'ErrorForgetTimerExpired', 'TcpConnectionConfirmed', 'TcpConnectionSucceeds', 'UpdateError',
    ],
  },
  {
    label: 'OpenConfirm',
    from: openConfirm(10),
    cells: [
      ...openedToIdle([cancel('Hold'), cancel('Keepalive')], false, 2),
      cell('KeepaliveTimerExpired', 'sends KEEPALIVE and re-arms keepalive 30', openConfirm(10), [KEEPALIVE, arm('Keepalive', 30)]),
      cell('KeepaliveReceived', 'restarts hold, reports session up, arms error forget and goes Established', established(10),
        [arm('Hold', 90), up(), arm('ErrorForget', 300)]),
      ...(['UpdateReceived', 'RouteRefreshReceived'] as const).map((ev) =>
        cell(ev, 'sends notification 5/2 and goes Idle', idle(20, true, sent(5, 2)),
          [notify(5, 2), cancel('Hold'), cancel('Keepalive'), CLOSE, RELEASE, arm('IdleHold', 20)])),
    ],
    ignored: [
      'ManualStart', 'AutomaticStart', 'ConnectRetryTimerExpired', 'IdleHoldTimerExpired', 'DelayOpenTimerExpired',
      'ErrorForgetTimerExpired', 'TcpConnectionConfirmed', 'TcpConnectionSucceeds', 'UpdateError',
    ],
  },
  {
    label: 'Established',
    from: established(10),
    cells: [
      ...openedToIdle([cancel('Hold'), cancel('Keepalive'), cancel('ErrorForget')], true, 3),
      cell('KeepaliveTimerExpired', 'sends KEEPALIVE and re-arms keepalive 30', established(10), [KEEPALIVE, arm('Keepalive', 30)]),
      cell('ErrorForgetTimerExpired', 'resets the back-off', established(0), []),
      ...(['KeepaliveReceived', 'UpdateReceived', 'RouteRefreshReceived'] as const).map((ev) =>
        cell(ev, 'restarts the hold timer', established(10), [arm('Hold', 90)])),
      cell('UpdateError', 'sends notification 3/1 and goes Idle with back-off 20', idle(20, true, sent(3, 1)),
        [notify(3, 1, [0xaa]), cancel('Hold'), cancel('Keepalive'), cancel('ErrorForget'), down(sent(3, 1), false), CLOSE,
          RELEASE, arm('IdleHold', 20)]),
    ],
    ignored: [
      'ManualStart', 'AutomaticStart', 'ConnectRetryTimerExpired', 'IdleHoldTimerExpired', 'DelayOpenTimerExpired',
      'TcpConnectionConfirmed', 'TcpConnectionSucceeds',
    ],
  },
];

for (const row of ROWS) {
  t.test(row.label, async (t) => {
    const covered = [...row.cells.map((c) => c.event), ...row.ignored].sort();
    t.strictSame(covered, [...EVENT_TYPES].sort(), 'every event is covered exactly once');
    const from = deepFreeze(row.from);
    for (const c of row.cells) {
      t.test(`${c.event} in ${row.label} ${c.outcome}`, async (t) => {
        const result = step(from, EVENTS[c.event], CTX);
        t.strictSame(result.state, c.state, 'next state');
        t.strictSame(result.actions, c.actions, 'actions');
      });
    }
    for (const ev of row.ignored) {
      t.test(`${ev} in ${row.label} is ignored`, async (t) => {
        const result = step(from, EVENTS[ev], CTX);
        t.equal(result.state, from, 'same state object');
        t.strictSame(result.actions, [], 'no actions');
      });
    }
  });
}

t.test('the table has one row per state and variant, 24 events each', async (t) => {
  t.equal(EVENT_TYPES.length, 24);
  t.strictSame(ROWS.map((r) => r.from.name), [
    'Idle', 'Idle', 'Connect', 'Connect', 'Active', 'Active', 'OpenSent', 'OpenConfirm', 'Established',
  ]);
});
