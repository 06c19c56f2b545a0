/**
 * DOC: the idle-hold back-off between automatic restarts (RFC 4271 §8.1.1 DampPeerOscillations, BIRD's
 * `error wait time <min>,<max>` and `error forget time`).
 *
 * The back-off is a number of seconds carried in every FSM state. It is 0 while the peer is healthy. Each error
 * (a NOTIFICATION sent or received other than Cease, a hold-timer expiry) moves it to `min` and then doubles it up
 * to `max`: with Calico's `5,30` the restarts wait 5, 10, 20, 30, 30, ... seconds. A session that stays
 * Established for `errorForgetTime` seconds resets it to 0 (BIRD `bgp_update_startup_delay` forgets errors older
 * than the amnesia time). Pure functions only.
 */

/** BIRD's default `error forget time`. */
export const DEFAULT_ERROR_FORGET_TIME = 300;

/** The back-off limits: `idleHoldTime` is the first delay, `idleHoldTimeMax` the ceiling. */
export interface BackoffLimits {
  idleHoldTime: number;
  idleHoldTimeMax: number;
}

/**
 * The delay after one more error, given the current one: `min` first, then doubling, capped at `max`
 * (a `max` below `min` is treated as `min`).
 */
export function nextBackoff(current: number, limits: BackoffLimits): number {
  const min = Math.max(0, limits.idleHoldTime);
  const max = Math.max(min, limits.idleHoldTimeMax);
  if (current <= 0) return min;
  return Math.min(Math.max(current * 2, min), max);
}
