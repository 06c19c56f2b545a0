/**
 * DOC: the interned attribute set, the unit every route points at (architecture §5).
 *
 * An AttrSet is frozen after interning: hot scalars as plain fields (so best path never decodes anything) plus
 * references to interned leaves (AS path, community lists, cluster list). Two routes with equal attributes hold the
 * same AttrSet object, so equality is `===`. Lifetimes are explicit refcounts (`intern.ts`), never weak refs.
 * These are the readers' contracts; the interner's objects satisfy them with a compact layout (interned-set.ts:
 * rare attributes behind getters; as-path.ts: the path as one string, `value` decoded on demand), so `key` and
 * `AsPathLeaf.value` may be computed on each read, and an AttrSet may not be copied by spread or `Object.keys`.
 */
import type { AsPathSegment, Aggregator, PathAttribute } from '../../bgp/codec/types';

/** An interned leaf value (AS path, community list, ...): one object per distinct value. */
export interface Leaf<V> {
  readonly id: number;
  readonly key: string;
  readonly value: V;
  refs: number;
}

/** An interned AS_PATH with the numbers best path and export need precomputed (OpenBGPD's ascnt, source_as). */
export interface AsPathLeaf extends Leaf<AsPathSegment[]> {
  /** RFC 4271 §9.1.2.2(a): AS_SEQUENCE counts each AS, AS_SET counts 1, confederation segments count 0. */
  readonly length: number;
  /** The first AS of the first AS_SEQUENCE (the neighbouring AS, for MED comparison); 0 when none. */
  readonly neighborAs: number;
  /** The last AS of the path (the originating AS); 0 for an empty path. */
  readonly originAs: number;
}

export interface AttrSet {
  readonly id: number;
  /** A text form of the set's identity, for debugging (built on demand by the interner's sets). */
  readonly key: string;
  refs: number;
  /** 0 IGP, 1 EGP, 2 INCOMPLETE. */
  readonly origin: number;
  readonly asPath: AsPathLeaf;
  /** Next hop as text ('' for none, e.g. local routes that are blackholes). */
  readonly nextHop: string;
  /** IPv6 link-local next hop (RFC 2545), '' when absent. */
  readonly nextHopLinkLocal: string;
  /** MULTI_EXIT_DISC, or -1 when absent. */
  readonly med: number;
  /** LOCAL_PREF, or -1 when absent. */
  readonly localPref: number;
  readonly atomicAggregate: boolean;
  readonly aggregator: Aggregator | null;
  readonly communities: Leaf<number[]> | null;
  readonly largeCommunities: Leaf<[number, number, number][]> | null;
  readonly extCommunities: Leaf<string[]> | null;
  /** RFC 4456 ORIGINATOR_ID as text, '' when absent. */
  readonly originatorId: string;
  readonly clusterList: Leaf<string[]> | null;
  /** RFC 9234 ONLY_TO_CUSTOMER, or -1 when absent. */
  readonly otc: number;
  /** Attributes Petrel does not interpret but passes on (optional transitive), in code order. */
  readonly other: readonly PathAttribute<Buffer>[] | null;
}
