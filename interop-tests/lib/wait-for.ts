/**
 * DOC: the one polling helper of the interop harness.
 *
 * `waitFor` calls `fn` until it returns a value other than `undefined`/`false`, or the deadline passes; an
 * exception thrown by `fn` counts as "not yet" (daemons refuse queries while starting). On timeout it throws
 * `WaitTimeoutError` naming `what` and the last result or error, so a failing interop test says what it
 * waited for and what it saw instead.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';
import { WaitTimeoutError } from './errors.js';

/** Options of {@link waitFor}. */
export interface WaitOptions {
  /** Delay between attempts (default 200 ms). */
  intervalMs?: number;
}

/**
 * Polls `fn` until it yields a truthy-ish result (anything but `undefined` and `false`) and returns it.
 * @throws WaitTimeoutError when `timeoutMs` passes first.
 */
export async function waitFor<T>(
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
  what: string,
  opts: WaitOptions = {},
): Promise<T> {
  const interval = opts.intervalMs ?? 200;
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
      last = inspect(v);
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    const left = deadline - Date.now();
    if (left <= 0) throw new WaitTimeoutError(what, timeoutMs, last.slice(0, 500));
    await sleep(Math.min(interval, left));
  }
}
