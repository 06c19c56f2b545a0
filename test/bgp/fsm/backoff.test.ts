/**
 * DOC: the idle-hold back-off arithmetic (BIRD `error wait time <min>,<max>`).
 */
import t from 'tap';
import { DEFAULT_ERROR_FORGET_TIME, nextBackoff } from '../../../src/bgp/fsm/backoff';

t.test('the first error waits the minimum, then the delay doubles up to the maximum', async (t) => {
  const limits = { idleHoldTime: 5, idleHoldTimeMax: 30 };
  const seen: number[] = [];
  let d = 0;
  for (let i = 0; i < 6; i++) seen.push((d = nextBackoff(d, limits)));
  t.strictSame(seen, [5, 10, 20, 30, 30, 30]);
});

t.test("BIRD's default 60,300 gives 60, 120, 240, 300", async (t) => {
  const limits = { idleHoldTime: 60, idleHoldTimeMax: 300 };
  t.strictSame([0, 60, 120, 240, 300].map((d) => nextBackoff(d, limits)), [60, 120, 240, 300, 300]);
});

t.test('a maximum below the minimum is the minimum; a zero minimum never backs off', async (t) => {
  t.equal(nextBackoff(0, { idleHoldTime: 10, idleHoldTimeMax: 4 }), 10);
  t.equal(nextBackoff(10, { idleHoldTime: 10, idleHoldTimeMax: 4 }), 10);
  t.equal(nextBackoff(0, { idleHoldTime: 0, idleHoldTimeMax: 30 }), 0);
  t.equal(nextBackoff(2, { idleHoldTime: 5, idleHoldTimeMax: 30 }), 5, 'a delay below the minimum rises to it');
});

t.test('the default error forget time is BIRD’s 300 s', async (t) => {
  t.equal(DEFAULT_ERROR_FORGET_TIME, 300);
});
