import t from 'tap';
import { WaitTimeoutError } from '../../interop-tests/lib/errors.js';
import { waitFor } from '../../interop-tests/lib/wait-for.js';

t.test('returns the first value that is not undefined/false, retrying through throws', async (t) => {
  let calls = 0;
  const v = await waitFor(
    () => {
      calls++;
      if (calls === 1) throw new Error('not yet');
      if (calls === 2) return false;
      if (calls === 3) return undefined;
      return { n: calls };
    },
    2000,
    'the thing',
    { intervalMs: 1 },
  );
  t.same(v, { n: 4 });
  t.equal(calls, 4);
  t.equal(await waitFor(async () => 0, 100, 'zero counts as a value'), 0);
});

t.test('times out with what it waited for and the last result', async (t) => {
  const start = Date.now();
  const err = await waitFor(() => false, 120, 'session Established', { intervalMs: 20 }).catch((e: unknown) => e);
  t.ok(err instanceof WaitTimeoutError);
  t.equal((err as WaitTimeoutError).code, 'ERR_INTEROP_TIMEOUT');
  t.equal((err as WaitTimeoutError).message, 'timed out after 120 ms waiting for session Established (last: false)');
  t.ok(Date.now() - start >= 115, 'waited the full timeout');
  await t.rejects(
    waitFor(
      () => {
        throw new Error('connection refused');
      },
      50,
      'daemon up',
      { intervalMs: 10 },
    ),
    { message: 'timed out after 50 ms waiting for daemon up (last: connection refused)' },
  );
});
