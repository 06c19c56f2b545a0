/**
 * DOC: the typed error of the netlink layer (architecture §8 "Errors": `FibError`, code `ERR_BGP_FIB`).
 *
 * Carries the kernel's errno (positive, 0 when the failure is not a kernel answer, e.g. a malformed message) and,
 * when known, the netlink message type and sequence number it answers. The transport rejects with it; batch
 * results report per-message errnos as values instead, so one failed route never throws away the rest.
 */
import { BgpdError } from '../../util/errors';
import { constants as osConstants } from 'node:os';

const errnoNames = new Map<number, string>();
for (const [name, value] of Object.entries(osConstants.errno)) if (!errnoNames.has(value)) errnoNames.set(value, name);

/** The symbolic name of a positive errno (`ENOENT`), or `E<number>` when unknown. */
export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `E${errno}`;
}

/** A netlink request failed, or a kernel message could not be decoded. */
export class FibError extends BgpdError {
  /** Positive errno from the kernel, 0 when the error did not come from the kernel. */
  readonly errno: number;
  /** The request's message type (`RTM_*`), when known. */
  readonly msgType?: number;
  /** The request's sequence number, when known. */
  readonly seq?: number;

  constructor(message: string, errno = 0, msgType?: number, seq?: number) {
    super('ERR_BGP_FIB', errno ? `${message}: ${errnoName(errno)}` : message);
    this.errno = errno;
    this.msgType = msgType;
    this.seq = seq;
  }
}
