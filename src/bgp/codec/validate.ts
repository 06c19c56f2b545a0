/**
 * DOC: UPDATE validation: decoded `UpdateMessage` + what we know of the peer -> one RFC 7606 outcome.
 *
 * Owns the policy half of RFC 4271 §6.3 and RFC 7606: each decoder problem gets its outcome from the attribute's
 * table row (`onError(kind, ibgp)`), then the peer-dependent rules run: semantic checks (martian next hops), eBGP
 * discards (LOCAL_PREF §7.5, ORIGINATOR_ID §7.9, CLUSTER_LIST §7.10, AIGP RFC 7311 §3.2), the RFC 6793 §4.2.3
 * AS4_PATH/AS4_AGGREGATOR merge for 2-octet sessions (and their removal on 4-octet ones, §3), the eBGP AS_PATH
 * checks (leftmost AS, confederation segments) and missing well-known mandatory attributes (§3(d)). The strongest
 * outcome wins (§3(i)); a session reset carries the NOTIFICATION naming the first attribute that asked for it.
 * Route-level checks that need the RIB (loops on AS, router id, cluster id) are not done here.
 */
import { AsPathSegmentType, AttrCode, ErrCode, UpdateSubcode } from '../constants';
import { NotificationError, UpdateErrorAction, stronger } from '../errors';
import { BufWriter } from '../../util/writer';
import { mergeAs4Attributes } from './as4';
import { ATTR_TABLE, type AttrProblemKind, type ValidationContext } from './attributes/index';
import { encodeAttribute } from './update';
import type { AsPathSegment, AttrProblem, MpReach, PathAttribute, UpdateMessage } from './types';

export type { ValidationContext } from './attributes/index';
export { markPartialForPropagation } from './attributes/index';

export interface UpdateValidation {
  /** The strongest outcome (RFC 7606 §3(i)). */
  action: UpdateErrorAction;
  /** Present when `action` is SessionReset: send it and close. */
  notification?: NotificationError;
  /** The decoder's problems followed by those found here. */
  problems: AttrProblem[];
  /** Attributes after discards, eBGP stripping and, when !as4, the RFC 6793 merge. */
  attributes: PathAttribute[];
}

const SCRATCH = new BufWriter(256);

/** The wire form of one attribute, for NOTIFICATION data (RFC 4271 §6.3). */
function attrBytes(a: PathAttribute, as4: boolean): Buffer {
  SCRATCH.reset();
  encodeAttribute(SCRATCH, a, { as4, addPath: new Set(), extendedMessage: true });
  return SCRATCH.finish();
}

/** Applies RFC 4271 §6.3 and RFC 7606 to a decoded UPDATE from the peer described by `vctx`. */
export function validateUpdate(msg: UpdateMessage, vctx: ValidationContext): UpdateValidation {
  const problems: AttrProblem[] = msg.problems ? msg.problems.slice() : [];
  let action = UpdateErrorAction.None;
  let notification: NotificationError | undefined;
  const drop = new Set<number>();
  const ibgp = vctx.ibgp;

  const apply = (p: AttrProblem): void => {
    const a = p.action ?? ATTR_TABLE[p.code]?.onError(p.kind, ibgp) ?? UpdateErrorAction.AttrDiscard;
    if (a === UpdateErrorAction.SessionReset && notification === undefined) {
      notification = new NotificationError(ErrCode.UpdateMessage, p.subcode ?? UpdateSubcode.MalformedAttributeList, p.data, p.reason);
    }
    // A duplicate was never kept, so discarding it must not drop the first occurrence.
    if (a === UpdateErrorAction.AttrDiscard && p.kind !== 'duplicate' && p.code !== 0) drop.add(p.code);
    action = stronger(action, a);
  };
  const add = (attr: PathAttribute, kind: AttrProblemKind, reason: string, a: UpdateErrorAction, subcode?: number): void => {
    const p: AttrProblem = { code: attr.code, flags: attr.flags, kind, reason, data: attrBytes(attr, vctx.as4), action: a };
    if (subcode !== undefined) p.subcode = subcode;
    problems.push(p);
    apply(p);
  };

  for (const p of problems) apply(p);

  const hasV4Nlri = msg.nlri.keys.length > 0;
  for (const attr of msg.attributes) {
    const code = attr.code;
    if (drop.has(code)) continue;
    const d = ATTR_TABLE[code];
    if (d === undefined) continue;
    // RFC 4760 §3: NEXT_HOP only matters for NLRI in the NLRI field.
    const fault = code === AttrCode.NextHop && !hasV4Nlri ? undefined : d.check?.(attr.value, vctx);
    if (fault) add(attr, fault.kind, fault.message, d.onError(fault.kind, ibgp));
    if (!ibgp) {
      if (code === AttrCode.LocalPref || code === AttrCode.OriginatorId || code === AttrCode.ClusterList) {
        // RFC 7606 §7.5, §7.9, §7.10: received from an external peer, these are discarded.
        add(attr, 'value', `${d.name} from an external peer`, UpdateErrorAction.AttrDiscard);
      } else if (code === AttrCode.Aigp && !vctx.aigpPeer) {
        // RFC 7311 §3.2: AIGP from outside the AIGP domain is removed.
        add(attr, 'value', 'AIGP from outside the AIGP domain', UpdateErrorAction.AttrDiscard);
      }
    }
    // RFC 6793 §3: between 4-octet speakers AS4_PATH and AS4_AGGREGATOR are discarded without error.
    if (vctx.as4 && (code === AttrCode.As4Path || code === AttrCode.As4Aggregator)) drop.add(code);
  }

  let attributes = drop.size ? msg.attributes.filter((a) => !drop.has(a.code)) : msg.attributes.slice();
  if (!vctx.as4) attributes = mergeAs4Attributes(attributes);

  const asPathAttr = attributes.find((a) => a.code === AttrCode.AsPath) as PathAttribute<AsPathSegment[]> | undefined;
  if (!ibgp && asPathAttr) checkExternalAsPath(asPathAttr, vctx, add);

  // RFC 7606 §3(d): missing well-known mandatory attributes are treat-as-withdraw, when there is NLRI to withdraw.
  const mp = attributes.find((a) => a.code === AttrCode.MpReachNlri)?.value as MpReach | undefined;
  const hasMpNlri = mp !== undefined && ((mp.nlri?.keys.length ?? 0) > 0 || (mp.unsupported?.nlri.length ?? 0) > 0);
  if (hasV4Nlri || hasMpNlri) {
    const required = hasV4Nlri ? [AttrCode.Origin, AttrCode.AsPath, AttrCode.NextHop] : [AttrCode.Origin, AttrCode.AsPath];
    for (const code of required) {
      if (attributes.some((a) => a.code === code) || problems.some((p) => p.code === code)) continue;
      const p: AttrProblem = {
        code, flags: 0, kind: 'missing', reason: `missing ${ATTR_TABLE[code]!.name}`, data: Buffer.from([code]),
        action: UpdateErrorAction.TreatAsWithdraw, subcode: UpdateSubcode.MissingWellKnownAttribute,
      };
      problems.push(p);
      apply(p);
    }
  }

  const out: UpdateValidation = { action, problems, attributes };
  if (notification !== undefined) out.notification = notification;
  return out;
}

/** RFC 4271 §6.3 and RFC 5065 §5 checks of an external peer's AS_PATH; faults are treat-as-withdraw (RFC 7606 §7.2). */
function checkExternalAsPath(
  attr: PathAttribute<AsPathSegment[]>, vctx: ValidationContext,
  add: (attr: PathAttribute, kind: AttrProblemKind, reason: string, a: UpdateErrorAction, subcode?: number) => void,
): void {
  const segs = attr.value;
  const confed = segs.some((s) => s.type === AsPathSegmentType.ConfedSequence || s.type === AsPathSegmentType.ConfedSet);
  if (confed && !vctx.confedPeer) {
    add(attr, 'value', 'confederation segment from a peer outside the confederation', UpdateErrorAction.TreatAsWithdraw, UpdateSubcode.MalformedAsPath);
    return;
  }
  if (vctx.confedPeer || vctx.enforceFirstAs === false) return;
  const first = segs[0];
  if (first === undefined || first.type !== AsPathSegmentType.AsSequence || first.asns[0] !== vctx.peerAs) {
    const left = first === undefined ? 'empty AS_PATH' : `leftmost AS ${first.asns[0]}`;
    add(attr, 'value', `${left} is not the peer AS ${vctx.peerAs}`, UpdateErrorAction.TreatAsWithdraw, UpdateSubcode.MalformedAsPath);
  }
}
