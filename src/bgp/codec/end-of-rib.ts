/**
 * DOC: the End-of-RIB marker (RFC 4724 §2).
 *
 * IPv4 unicast: an UPDATE with no withdrawn routes, no path attributes and no NLRI. Any other family: an UPDATE
 * whose only content is an MP_UNREACH_NLRI of that family with no withdrawn routes in it.
 */
import { AttrCode, AttrFlag, MsgType } from '../constants';
import { IPV4_UNICAST, family, familyAfi, familySafi, isSupportedFamily, type Family } from '../family';
import type { MpUnreach, UpdateMessage } from './types';

/** The family an UPDATE marks as End-of-RIB, or undefined when it is not an End-of-RIB. */
export function endOfRibFamily(msg: UpdateMessage): Family | undefined {
  if (msg.withdrawn.keys.length !== 0 || msg.nlri.keys.length !== 0 || msg.problems !== undefined) return undefined;
  if (msg.attributes.length === 0) return IPV4_UNICAST;
  if (msg.attributes.length !== 1 || msg.attributes[0].code !== AttrCode.MpUnreachNlri) return undefined;
  const u = msg.attributes[0].value as MpUnreach;
  const empty = u.unsupported ? u.unsupported.nlri.length === 0 : (u.nlri?.keys.length ?? 0) === 0;
  return empty ? family(u.afi, u.safi) : undefined;
}

/** The End-of-RIB UPDATE for `f`. */
export function endOfRibUpdate(f: Family): UpdateMessage {
  const msg: UpdateMessage = { type: MsgType.Update, withdrawn: { keys: [] }, attributes: [], nlri: { keys: [] } };
  if (f !== IPV4_UNICAST) {
    const afi = familyAfi(f), safi = familySafi(f);
    const value: MpUnreach = isSupportedFamily(f) ? { afi, safi, nlri: { keys: [] } } : { afi, safi, unsupported: { nlri: Buffer.alloc(0) } };
    msg.attributes.push({ code: AttrCode.MpUnreachNlri, flags: AttrFlag.Optional, value });
  }
  return msg;
}
