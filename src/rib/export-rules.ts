/**
 * DOC: the protocol rules of advertising a best route to one peer, as an `ExportDecision` for the exporter.
 *
 * Order: (1) never back to the source peer (`exclude`); (2) iBGP split horizon and RFC 4456 §8 reflection (client routes go
 * to everyone, non-client iBGP routes to clients only, eBGP and local routes to everyone); (3) the peer's export
 * policy (Calico's filters, BGPFilter rules: `policy`); (4) attribute rewriting: eBGP prepends the local AS and sets
 * NEXT_HOP to ourselves unless `next hop keep` (RFC 4271 §5.1.3), drops LOCAL_PREF (§5.1.5), MED learned from
 * another AS (§5.1.4), ORIGINATOR_ID and CLUSTER_LIST; iBGP keeps the next hop unless `next hop self`, fills
 * LOCAL_PREF 100 when absent, and on reflection sets ORIGINATOR_ID and prepends our cluster id (RFC 4456 §8).
 * Locally originated routes (static, kernel, direct) get our address as next hop on every session.
 * Step (4) depends only on (source, attribute set), so its result is cached per exporter: with one attribute set
 * per feed, a million prefixes cost one rewrite; `dispose` releases the cache when the exporter closes. The cache
 * references its input sets too: a policy's output set would otherwise be freed after each prefix and re-interned
 * (a new object, so a cache miss) for the next one, which cost ~40% of the export CPU in S1 (bench/rib-path.ts).
 */
import type { AttrSet } from './attrs/attr-set';
import type { AttrInterner, AttrFields } from './attrs/intern';
import type { ExportDecision } from './exporter';
import { SourceKind, type Route, type RouteSource } from './types';
import { formatIpv4 } from '../util/prefix';

export type NextHopMode = 'auto' | 'self' | 'keep';

/** A policy step: the attribute set to continue with (one new reference), or null to reject. */
export type ExportPolicy = (route: Route, attrs: AttrSet) => AttrSet | null;

export interface ExportPeer {
  /** The peer's own route source (routes it sent us are never sent back). */
  source: RouteSource;
  ibgp: boolean;
  localAs: number;
  /** Our address on this session, for next hop self (IPv4 or IPv6 global). */
  localAddress: string;
  /** Our IPv6 link-local address on this session, '' when none. */
  localLinkLocal: string;
  nextHopMode: NextHopMode;
  /** Our cluster id when we are a route reflector for this peer's family; null otherwise. */
  clusterId: string | null;
  /** Our BGP identifier (dotted quad), for ORIGINATOR_ID of locally originated reflected routes. */
  routerId: string;
  policy?: ExportPolicy;
  /**
   * The source whose routes are never sent (rule 1). Undefined means `source`; an update group sets it to its sole
   * member's source, or null when it has several members (FRR's update-group rule: receivers drop their own routes
   * by AS_PATH, RFC 4271 §9.1.2, or ORIGINATOR_ID, RFC 4456 §8). Read on every decision, so it may change.
   */
  exclude?: RouteSource | null;
}

/** Cached (source, input set) → exported set pairs per decision before the cache is emptied. */
const CACHE_LIMIT = 65536;

/**
 * The protocol rules (and `peer.policy`) as an ExportDecision. Per prefix it costs the policy run (when there is
 * one) and one memo compare: the rewrite is cached per (source, input set). The cache holds a reference on each
 * input set as well as on its output, so an input set a policy produced stays interned (and identical) for as long
 * as it is cached: the next prefix's policy run gets the very same object back (FilterState's memo) and hits.
 */
export function makeExportDecision(peer: ExportPeer, interner: AttrInterner): ExportDecision {
  const cache = new Map<RouteSource, Map<AttrSet, AttrSet>>();
  let cached = 0;
  // One-entry memo in front of the two Map lookups: a feed is long runs of one (source, set).
  let memoSource: RouteSource | null = null;
  let memoIn: AttrSet | null = null;
  let memoOut: AttrSet | null = null;

  const clear = () => {
    for (const m of cache.values()) {
      for (const [input, out] of m) {
        interner.release(out);
        interner.release(input);
      }
    }
    cache.clear();
    cached = 0;
    memoSource = memoIn = memoOut = null;
  };

  const rewrite = (src: RouteSource, input: AttrSet): AttrSet => {
    if (input === memoIn && src === memoSource) return interner.ref(memoOut as AttrSet);
    let bySource = cache.get(src);
    let out = bySource?.get(input);
    if (out === undefined) {
      out = interner.internSet(rewriteFields(peer, src, interner.fieldsOf(input)));
      if (cached >= CACHE_LIMIT) {
        clear();
        bySource = undefined;
      }
      if (!bySource) cache.set(src, (bySource = new Map()));
      bySource.set(interner.ref(input), out);
      cached++;
    }
    memoSource = src;
    memoIn = input;
    memoOut = out;
    return interner.ref(out);
  };

  const decision: ExportDecision = (best: Route): AttrSet | null => {
    const src = best.source;
    if (src === (peer.exclude === undefined ? peer.source : peer.exclude)) return null;
    if (!reflectionAllows(peer, src)) return null;
    const attrs = best.attrs as AttrSet;
    if (peer.policy) {
      const p = peer.policy(best, attrs);
      if (p === null) return null;
      const out = rewrite(src, p);
      interner.release(p);
      return out;
    }
    return rewrite(src, attrs);
  };
  decision.dispose = clear;
  return decision;
}

/** RFC 4456 §8 and the iBGP split horizon of RFC 4271 §9.2. */
function reflectionAllows(peer: ExportPeer, src: RouteSource): boolean {
  if (!peer.ibgp || src.kind !== SourceKind.Ibgp) return true;
  if (peer.clusterId === null) return false;
  return src.rrClient || peer.source.rrClient;
}

function isLocal(src: RouteSource): boolean {
  return src.kind === SourceKind.Static || src.kind === SourceKind.Kernel || src.kind === SourceKind.Direct;
}

function rewriteFields(peer: ExportPeer, src: RouteSource, f: AttrFields): AttrFields {
  const local = isLocal(src);
  if (!peer.ibgp) {
    f.asPath = prepend(f.asPath, peer.localAs);
    if (peer.nextHopMode !== 'keep' || local || !f.nextHop) setSelf(peer, f);
    f.localPref = -1;
    if (!local) f.med = -1;
    f.originatorId = '';
    f.clusterList = null;
    return f;
  }
  if (peer.nextHopMode === 'self' || local || !f.nextHop) setSelf(peer, f);
  if (f.localPref < 0) f.localPref = 100;
  if (src.kind === SourceKind.Ibgp && peer.clusterId !== null) {
    if (!f.originatorId) f.originatorId = formatIpv4(src.routerId);
    f.clusterList = [peer.clusterId, ...(f.clusterList ?? [])];
  }
  return f;
}

function setSelf(peer: ExportPeer, f: AttrFields): void {
  f.nextHop = peer.localAddress;
  f.nextHopLinkLocal = peer.localLinkLocal;
}

/** RFC 4271 §5.1.2: prepend to a leading AS_SEQUENCE, or start one (segments hold at most 255 ASes). */
function prepend(path: AttrFields['asPath'], asn: number): AttrFields['asPath'] {
  if (path.length && path[0].type === 2 && path[0].asns.length < 255) {
    return [{ type: 2, asns: [asn, ...path[0].asns] }, ...path.slice(1)];
  }
  return [{ type: 2, asns: [asn] }, ...path];
}
