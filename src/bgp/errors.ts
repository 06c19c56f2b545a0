/**
 * DOC: the BGP protocol's error values.
 *
 * `NotificationError` carries a NOTIFICATION's code, subcode and data (RFC 4271 §4.5): thrown by the codec and by
 * OPEN negotiation, caught only by the session driver, which sends it and closes. `UpdateErrorAction` is the
 * RFC 7606 outcome ladder; outcomes are values, not exceptions, and the strongest one wins (`stronger`).
 * `UnsupportedError` marks input Petrel recognises but does not implement (a family it does not route).
 */
import { BgpdError } from '../util/errors';

export class NotificationError extends BgpdError {
  readonly errorCode: number;
  readonly errorSubcode: number;
  readonly data: Buffer;
  constructor(errorCode: number, errorSubcode: number, data: Uint8Array = Buffer.alloc(0), reason?: string) {
    super('ERR_BGP_NOTIFICATION', reason ?? `NOTIFICATION ${errorCode}/${errorSubcode}`);
    this.errorCode = errorCode;
    this.errorSubcode = errorSubcode;
    this.data = Buffer.from(data);
  }
}

/** RFC 7606 §2 outcomes, ordered weakest to strongest. */
export const enum UpdateErrorAction {
  None = 0,
  /** RFC 7606 §2 "attribute discard": drop the attribute, keep the route. */
  AttrDiscard = 1,
  /** RFC 7606 §2 "treat-as-withdraw": every NLRI in the UPDATE is withdrawn. */
  TreatAsWithdraw = 2,
  /** RFC 4760 §7 / RFC 7606 §2 "AFI/SAFI disable". */
  FamilyDisable = 3,
  /** RFC 4271 §6 / RFC 7606 §2 "session reset": send NOTIFICATION and close. */
  SessionReset = 4,
}

export function stronger(a: UpdateErrorAction, b: UpdateErrorAction): UpdateErrorAction {
  return a > b ? a : b;
}

export const UPDATE_ERROR_ACTION_NAMES = ['none', 'attribute-discard', 'treat-as-withdraw', 'afi-safi-disable', 'session-reset'] as const;

/** Input that is well formed but names something Petrel does not implement. */
export class UnsupportedError extends BgpdError {
  constructor(message: string) {
    super('ERR_BGP_UNSUPPORTED', message);
  }
}
