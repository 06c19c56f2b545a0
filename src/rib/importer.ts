/**
 * DOC: one peer's import path: a validated UPDATE → interned attributes → loop checks → import policy → Loc-RIB.
 *
 * Attributes are interned once per UPDATE (architecture §5.2) and every NLRI of the message references that one
 * set. Loop checks come before policy: our AS in AS_PATH more often than `allowLocalAs` (RFC 4271 §9.1.2, BIRD's
 * `allow local as`), our router id as ORIGINATOR_ID or our cluster id in CLUSTER_LIST (RFC 4456 §8); a looped path
 * is treated as withdrawn. Import policy may reject a route (kept as filtered, see loc-rib.ts) or change it.
 * Treat-as-withdraw (RFC 7606 §2) withdraws every NLRI the UPDATE carried, announced or not.
 */
import type { PrefixKey } from '../util/prefix';
import { IPV4_UNICAST, family, isSupportedFamily, type Family } from '../bgp/family';
import type { MpReach, MpUnreach, NlriList, UpdateMessage } from '../bgp/codec/types';
import { UpdateErrorAction } from '../bgp/errors';
import type { UpdateValidation } from '../bgp/codec/validate';
import type { AttrSet } from './attrs/attr-set';
import type { AttrInterner } from './attrs/intern';
import { fieldsFromAttributes } from './attrs/to-attributes';
import type { LocRib } from './loc-rib';
import type { RouteSource } from './types';

/** What import policy decided for one route: the set to store (one new reference) or null, and the preference. */
export interface ImportResult {
  attrs: AttrSet | null;
  preference: number;
}

export type ImportPolicy = (prefix: PrefixKey, family: Family, attrs: AttrSet, source: RouteSource) => ImportResult;

export interface LoopSettings {
  localAs: number;
  /** How many times our own AS may appear (BIRD `allow local as N`); 0 rejects any. */
  allowLocalAs: number;
  routerId: string;
  /** Our cluster id when we reflect routes; '' otherwise. */
  clusterId: string;
}

export interface ImportCounters {
  received: number;
  withdrawn: number;
  looped: number;
  filtered: number;
  treatAsWithdraw: number;
}

export class PeerImporter {
  readonly counters: ImportCounters = { received: 0, withdrawn: 0, looped: 0, filtered: 0, treatAsWithdraw: 0 };

  constructor(
    readonly source: RouteSource,
    private readonly ribs: ReadonlyMap<Family, LocRib>,
    private readonly interner: AttrInterner,
    private readonly loops: LoopSettings,
    private readonly policy?: ImportPolicy,
  ) {}

  /**
   * Applies one UPDATE whose validation did not demand a session reset. Returns how many prefixes it carried
   * (withdrawn and announced, in every family): the cost the receive scheduler charges (rx-queue.ts).
   */
  apply(msg: UpdateMessage, v: UpdateValidation): number {
    let n = this.withdrawList(IPV4_UNICAST, msg.withdrawn);
    for (const a of msg.attributes) {
      if (a.code === 15) {
        const m = a.value as MpUnreach;
        if (m.nlri) n += this.withdrawList(family(m.afi, m.safi), m.nlri);
      }
    }
    const reach = msg.attributes.find((a) => a.code === 14)?.value as MpReach | undefined;
    n += msg.nlri.keys.length + (reach?.nlri ? reach.nlri.keys.length : 0);
    if (v.action >= UpdateErrorAction.TreatAsWithdraw) {
      this.counters.treatAsWithdraw++;
      this.withdrawList(IPV4_UNICAST, msg.nlri);
      if (reach?.nlri) this.withdrawList(family(reach.afi, reach.safi), reach.nlri);
      return n;
    }
    if (msg.nlri.keys.length === 0 && !reach?.nlri) return n;
    const set = this.interner.internSet(fieldsFromAttributes(v.attributes));
    try {
      if (this.looped(set)) {
        this.counters.looped++;
        this.withdrawList(IPV4_UNICAST, msg.nlri);
        if (reach?.nlri) this.withdrawList(family(reach.afi, reach.safi), reach.nlri);
        return n;
      }
      if (msg.nlri.keys.length) this.announceList(IPV4_UNICAST, msg.nlri, set);
      if (reach?.nlri) {
        const f = family(reach.afi, reach.safi);
        if (isSupportedFamily(f)) this.announceList(f, reach.nlri, set);
      }
    } finally {
      this.interner.release(set);
    }
    return n;
  }

  private looped(set: AttrSet): boolean {
    const l = this.loops;
    let seen = 0;
    for (const seg of set.asPath.value) for (const asn of seg.asns) if (asn === l.localAs) seen++;
    if (seen > l.allowLocalAs) return true;
    if (set.originatorId && set.originatorId === l.routerId) return true;
    if (l.clusterId && set.clusterList && set.clusterList.value.includes(l.clusterId)) return true;
    return false;
  }

  private announceList(f: Family, list: NlriList, set: AttrSet): void {
    const rib = this.ribs.get(f);
    if (!rib) return;
    const keys = list.keys;
    const ids = list.pathIds;
    const src = this.source;
    this.counters.received += keys.length;
    if (!this.policy) {
      for (let i = 0; i < keys.length; i++) {
        // The route takes one reference for rawAttrs and one for attrs (the same set: policy changed nothing).
        set.refs += 2;
        rib.upsert(keys[i], src, ids ? ids[i] : 0, set, set, src.preference);
      }
      return;
    }
    for (let i = 0; i < keys.length; i++) {
      const r = this.policy(keys[i], f, set, src);
      if (r.attrs === null) this.counters.filtered++;
      rib.upsert(keys[i], src, ids ? ids[i] : 0, this.interner.ref(set), r.attrs, r.preference);
    }
  }

  /** Withdraws every prefix of `list`; returns how many it carried. */
  private withdrawList(f: Family, list: NlriList): number {
    const rib = this.ribs.get(f);
    if (!rib || list.keys.length === 0) return list.keys.length;
    const ids = list.pathIds;
    this.counters.withdrawn += list.keys.length;
    for (let i = 0; i < list.keys.length; i++) rib.withdraw(list.keys[i], this.source, ids ? ids[i] : 0);
    return list.keys.length;
  }
}
