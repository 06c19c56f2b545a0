/**
 * DOC: the AttrSet object the interner creates.
 *
 * Why not a Map keyed by text, as before: the key string (~65 bytes flat, more as a cons tree) plus a Map entry
 * (~40 bytes) cost ~100 bytes per distinct set and a string build per UPDATE. Here a set carries a 32-bit hash of
 * its fields (computed by intern.ts) and a `next` link for its bucket in a ChainTable (chain-table.ts); equality
 * is checked field by field on a hash match. The rarely present attributes live in a separate `SetExtra`, shared
 * by all sets that have none (see below).
 * `key` is kept for debugging and tests as the text the old Map used, built on demand.
 */
import type { Aggregator, PathAttribute } from '../../bgp/codec/types';
import type { AsPathLeaf, AttrSet, Leaf } from './attr-set';
import type { Chained } from './chain-table';

/**
 * The attributes most sets lack (RFC 2545 link-local next hop, ATOMIC_AGGREGATE, AGGREGATOR, large and extended
 * communities, RFC 4456 ORIGINATOR_ID / CLUSTER_LIST, RFC 9234 OTC, unknown transitive attributes), held apart so
 * a set without any of them (nearly every Calico and eBGP-learned set) points at one shared `NO_EXTRA` instead of
 * carrying nine fields: 176 → 112 bytes a set. Read through the AttrSet getters.
 */
export type SetExtra = Pick<
  AttrSet,
  'nextHopLinkLocal' | 'atomicAggregate' | 'aggregator' | 'largeCommunities' | 'extCommunities' | 'originatorId' | 'clusterList' | 'otc' | 'other'
>;

/** The shared extra of sets that have none of the rare attributes. */
export const NO_EXTRA: SetExtra = Object.freeze({
  nextHopLinkLocal: '', atomicAggregate: false, aggregator: null, largeCommunities: null, extCommunities: null,
  originatorId: '', clusterList: null, otc: -1, other: null,
});

/** Whether an extra holds only defaults (then `NO_EXTRA` stands for it). */
export function isNoExtra(e: SetExtra): boolean {
  return e.nextHopLinkLocal === '' && !e.atomicAggregate && e.aggregator === null && e.largeCommunities === null &&
    e.extCommunities === null && e.originatorId === '' && e.clusterList === null && e.otc === -1 && e.other === null;
}

/** An interned attribute set: the public AttrSet fields plus the table's `hash` and `next`. */
export class InternedSet implements AttrSet, Chained<InternedSet> {
  readonly id: number;
  readonly hash: number;
  refs: number;
  /** The next set in this set's bucket. */
  next: InternedSet | null;
  readonly origin: number;
  readonly asPath: AsPathLeaf;
  readonly nextHop: string;
  readonly med: number;
  readonly localPref: number;
  readonly communities: Leaf<number[]> | null;
  /** The rare attributes (`NO_EXTRA` when none). */
  readonly extra: SetExtra;

  constructor(
    id: number, hash: number, origin: number, asPath: AsPathLeaf, nextHop: string, med: number, localPref: number,
    communities: Leaf<number[]> | null, extra: SetExtra,
  ) {
    this.id = id;
    this.hash = hash;
    this.refs = 1;
    this.next = null;
    this.origin = origin;
    this.asPath = asPath;
    this.nextHop = nextHop;
    this.med = med;
    this.localPref = localPref;
    this.communities = communities;
    this.extra = extra;
  }

  get nextHopLinkLocal(): string { return this.extra.nextHopLinkLocal; }
  get atomicAggregate(): boolean { return this.extra.atomicAggregate; }
  get aggregator(): Aggregator | null { return this.extra.aggregator; }
  get largeCommunities(): Leaf<[number, number, number][]> | null { return this.extra.largeCommunities; }
  get extCommunities(): Leaf<string[]> | null { return this.extra.extCommunities; }
  get originatorId(): string { return this.extra.originatorId; }
  get clusterList(): Leaf<string[]> | null { return this.extra.clusterList; }
  get otc(): number { return this.extra.otc; }
  get other(): readonly PathAttribute<Buffer>[] | null { return this.extra.other; }

  /** The set as text (scalars and leaf ids joined by '|'): for debugging and tests, built on each read. */
  get key(): string {
    const agg = this.aggregator ? `${this.aggregator.asn}@${this.aggregator.address}` : '';
    const other = this.other ? this.other.map((a) => `${a.code}/${a.flags}/${a.value.toString('latin1')}`).join('\u0000') : '';
    return [
      this.origin, this.asPath.id, this.nextHop, this.nextHopLinkLocal, this.med, this.localPref, this.atomicAggregate ? 1 : 0,
      agg, this.communities?.id ?? 0, this.largeCommunities?.id ?? 0, this.extCommunities?.id ?? 0, this.originatorId,
      this.clusterList?.id ?? 0, this.otc, other,
    ].join('|');
  }
}
