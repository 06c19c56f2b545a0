/**
 * DOC: typed errors of the interop harness.
 *
 * `InteropError` (code `ERR_INTEROP`) for a peer daemon or a system command that misbehaved (it carries the
 * command and its output so a failed test says why); `WaitTimeoutError` (code `ERR_INTEROP_TIMEOUT`) for a
 * condition that never became true, naming what was awaited and the last value or error seen.
 */
import { BgpdError } from '../../src/util/errors.js';

/** A system command or peer daemon of the interop harness failed. */
export class InteropError extends BgpdError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_INTEROP', message, options);
  }
}

/** `waitFor` gave up: `what` never became true within `timeoutMs`. */
export class WaitTimeoutError extends BgpdError {
  readonly what: string;
  readonly timeoutMs: number;
  constructor(what: string, timeoutMs: number, last: string) {
    super('ERR_INTEROP_TIMEOUT', `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last: ${last})` : ''}`);
    this.what = what;
    this.timeoutMs = timeoutMs;
  }
}
