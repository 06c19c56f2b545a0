/**
 * DOC: the rtnetlink codec's front door: re-exports the per-object encoders/decoders and dispatches any kernel
 * message (dump reply, notification, ACK) to the right decoder.
 *
 * Pure: no sockets, timers or clock (architecture §2.1), so it is tested with byte fixtures and the transport can
 * change. Layout: `wire.ts` (writer, attributes, addresses), `header.ts` (nlmsghdr, NLMSG_ERROR), `route.ts`,
 * `link.ts`, `addr.ts`, `neigh.ts`, `constants.ts`.
 */
import { NlMsgType, RtmType } from './constants';
import { DecodedAddress, decodeAddr } from './addr';
import { NlError, NlHeader, decodeError, decodeHeader } from './header';
import { DecodedLink, decodeLink } from './link';
import { DecodedNeighbour, decodeNeigh } from './neigh';
import { DecodedRoute, decodeRoute } from './route';

export * from './constants';
export * from './wire';
export * from './header';
export * from './route';
export * from './link';
export * from './addr';
export * from './neigh';
export * from './nexthop';
export { FibError, errnoName } from './errors';

/** Any message the kernel sends us, decoded; `op` is 'new' for RTM_NEW* and 'del' for RTM_DEL*. */
export type KernelMessage =
  | { kind: 'route'; op: 'new' | 'del'; header: NlHeader; route: DecodedRoute }
  | { kind: 'link'; op: 'new' | 'del'; header: NlHeader; link: DecodedLink }
  | { kind: 'addr'; op: 'new' | 'del'; header: NlHeader; addr: DecodedAddress }
  | { kind: 'neigh'; op: 'new' | 'del'; header: NlHeader; neigh: DecodedNeighbour }
  | { kind: 'error'; header: NlHeader; error: NlError }
  | { kind: 'done'; header: NlHeader }
  | { kind: 'other'; header: NlHeader };

/** Decodes the message at `off` (one message, header included). Malformed input: FibError. */
export function decodeMessage(buf: Buffer, off = 0): KernelMessage {
  const header = decodeHeader(buf, off);
  switch (header.type) {
    case RtmType.NewRoute:
    case RtmType.DelRoute:
      return { kind: 'route', op: header.type === RtmType.NewRoute ? 'new' : 'del', header, route: decodeRoute(buf, off) };
    case RtmType.NewLink:
    case RtmType.DelLink:
      return { kind: 'link', op: header.type === RtmType.NewLink ? 'new' : 'del', header, link: decodeLink(buf, off) };
    case RtmType.NewAddr:
    case RtmType.DelAddr:
      return { kind: 'addr', op: header.type === RtmType.NewAddr ? 'new' : 'del', header, addr: decodeAddr(buf, off) };
    case RtmType.NewNeigh:
    case RtmType.DelNeigh:
      return { kind: 'neigh', op: header.type === RtmType.NewNeigh ? 'new' : 'del', header, neigh: decodeNeigh(buf, off) };
    case NlMsgType.Error:
      return { kind: 'error', header, error: decodeError(buf, off) };
    case NlMsgType.Done:
      return { kind: 'done', header };
    default:
      return { kind: 'other', header };
  }
}
