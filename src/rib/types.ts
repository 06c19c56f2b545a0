/**
 * DOC: the RIB's core records: where a route came from (`RouteSource`) and the stored route (`Route`).
 *
 * A route is a small record of references (architecture §5): the prefix key, its source, the ADD-PATH path id and
 * two interned attribute sets: `attrs` after import policy (null when policy rejected it: BIRD's "filtered" route,
 * kept so a policy change can re-evaluate it without a route refresh) and `rawAttrs` before policy (the same object
 * when policy changed nothing). The candidates of one prefix form a singly linked list through `next`, so a prefix
 * with one path costs one object and no array. The Loc-RIB stores routes as `StoredRoute` (stored-route.ts), which
 * implements this interface in 64 octets: all but `source`, `attrs` and `next` are accessors there, so readers see no
 * difference, but a copy by spread or `Object.keys` sees only those. Only the Loc-RIB changes `attrs`, `rawAttrs`
 * and `preference` (hence readonly here); `flags` may be set by anyone (graceful restart marks stale paths).
 */
import type { PrefixKey } from '../util/prefix';
import type { AttrSet } from './attrs/attr-set';

/** Where routes come from. BGP peers, and the local protocols of the kernel side (static, kernel, direct). */
export const enum SourceKind {
  Ebgp = 0,
  Ibgp = 1,
  /** Originated by this node: static blackholes for blocks, service routes. */
  Static = 2,
  /** Learned from the kernel (BIRD's `learn`): e.g. Felix's routes to workload interfaces. */
  Kernel = 3,
  /** Interface (connected) routes (BIRD's `direct`). */
  Direct = 4,
}

/** One producer of routes. For a BGP peer, one per session; the fields best path and export rules need. */
export interface RouteSource {
  /** Small unique integer, stable for the life of the source. */
  readonly id: number;
  /** The peer's configured name (`Mesh_10_0_0_2`) or the protocol name (`static1`, `kernel1`, `direct1`). */
  readonly name: string;
  readonly kind: SourceKind;
  /** BGP: the peer's address as text; '' for local sources. */
  readonly address: string;
  /** BGP: the peer's BGP identifier as an unsigned 32-bit number; 0 for local sources. */
  routerId: number;
  /** BGP: the peer's AS. */
  readonly peerAs: number;
  /** RFC 4456: this peer is a route-reflector client of ours. */
  readonly rrClient: boolean;
  /**
   * BIRD's protocol preference: local sources 200 (static) / 10 (kernel) / 240 (direct), BGP 100. Compared first in
   * best path (a local choice, as BIRD and Calico rely on it: `preference = 200` for elevated-priority routes).
   */
  readonly preference: number;
  /**
   * When present, every Loc-RIB keeps it equal to this source's paths across all tables (loc-rib.ts): the per-peer
   * counts of `show peers`, without a table scan.
   */
  readonly pathCounts?: SourcePathCounts;
}

/** A source's paths in the Loc-RIBs: all of them (accepted or filtered) and those import policy rejected. */
export interface SourcePathCounts {
  paths: number;
  filtered: number;
}

export const enum RouteFlag {
  None = 0,
  /** RFC 4724: kept from a restarting peer until it re-sends or the stale timer fires. */
  Stale = 1,
  /** The next hop does not resolve; the route stays but is not eligible for best path. */
  Unresolved = 2,
}

export interface Route {
  readonly prefix: PrefixKey;
  readonly source: RouteSource;
  /** RFC 7911 path identifier as received (0 without ADD-PATH). */
  readonly pathId: number;
  /** After import policy; null when import policy rejected the route. */
  readonly attrs: AttrSet | null;
  /** As received (after RFC 7606 handling), before import policy. */
  readonly rawAttrs: AttrSet;
  /** Best-path preference, possibly changed by policy (BIRD `preference`); starts at source.preference. */
  readonly preference: number;
  /** IGP cost to the next hop (from next hop resolution); 0 when directly connected or unknown. */
  readonly igpCost: number;
  flags: number;
  /** Next candidate for the same prefix, in best-first order. */
  next: Route | null;
}
