/**
 * DOC: fixture builders for RIB tests: RouteSource, AsPathLeaf, AttrSet and Route as plain objects of the data
 * model's shape, without the interner (ids come from a local counter; refcounts are 1 and never checked).
 */
import type { AsPathSegment } from '../../src/bgp/codec/types';
import type { AsPathLeaf, AttrSet, Leaf } from '../../src/rib/attrs/attr-set';
import { SourceKind, type Route, type RouteSource } from '../../src/rib/types';

let nextId = 1;

/** A BGP or local source. Defaults: eBGP peer, preference 100 for BGP kinds and 200 for local ones. */
export function makeSource(p: Partial<RouteSource> & { id: number }): RouteSource {
  const kind = p.kind ?? SourceKind.Ebgp;
  const bgp = kind === SourceKind.Ebgp || kind === SourceKind.Ibgp;
  return {
    id: p.id,
    name: p.name ?? `src${p.id}`,
    kind,
    address: p.address ?? (bgp ? `10.0.0.${p.id}` : ''),
    routerId: p.routerId ?? (bgp ? p.id : 0),
    peerAs: p.peerAs ?? (kind === SourceKind.Ibgp ? 64512 : 65000 + p.id),
    rrClient: p.rrClient ?? false,
    preference: p.preference ?? (bgp ? 100 : 200),
  };
}

/**
 * An AS path leaf from AS_SEQUENCE numbers (or explicit segments). `length` and `neighborAs` follow RFC 4271
 * §9.1.2.2(a) unless overridden.
 */
export function makeAsPath(path: number[] | AsPathSegment[], over: { length?: number; neighborAs?: number } = {}): AsPathLeaf {
  const segments: AsPathSegment[] =
    path.length > 0 && typeof path[0] === 'number' ? [{ type: 2, asns: path as number[] }] : (path as AsPathSegment[]);
  let length = 0;
  let neighborAs = 0;
  for (const s of segments) {
    if (s.type === 2) {
      if (neighborAs === 0 && s.asns.length > 0) neighborAs = s.asns[0]!;
      length += s.asns.length;
    } else if (s.type === 1) {
      length += 1;
    }
  }
  const last = segments.length > 0 ? segments[segments.length - 1]!.asns : [];
  return {
    id: nextId++,
    key: JSON.stringify(segments),
    value: segments,
    refs: 1,
    length: over.length ?? length,
    neighborAs: over.neighborAs ?? neighborAs,
    originAs: last.length > 0 ? last[last.length - 1]! : 0,
  };
}

export interface AttrInit {
  origin?: number;
  /** AS_SEQUENCE numbers or a prebuilt leaf (share one leaf to model interned equality). */
  asPath?: number[] | AsPathLeaf;
  nextHop?: string;
  nextHopLinkLocal?: string;
  med?: number;
  localPref?: number;
  originatorId?: string;
  clusterList?: string[];
}

/** An AttrSet with the given fields; absent MED and LOCAL_PREF are -1 as in the data model. */
export function makeAttrs(p: AttrInit = {}): AttrSet {
  const asPath = Array.isArray(p.asPath) ? makeAsPath(p.asPath) : (p.asPath ?? makeAsPath([]));
  const clusterList: Leaf<string[]> | null =
    p.clusterList === undefined ? null : { id: nextId++, key: p.clusterList.join(' '), value: p.clusterList, refs: 1 };
  const fields = {
    origin: p.origin ?? 0,
    nextHop: p.nextHop ?? '192.0.2.1',
    nextHopLinkLocal: p.nextHopLinkLocal ?? '',
    med: p.med ?? -1,
    localPref: p.localPref ?? -1,
    originatorId: p.originatorId ?? '',
  };
  return {
    id: nextId++,
    key: JSON.stringify([fields, asPath.key, p.clusterList ?? null]),
    refs: 1,
    ...fields,
    asPath,
    atomicAggregate: false,
    aggregator: null,
    communities: null,
    largeCommunities: null,
    extCommunities: null,
    clusterList,
    otc: -1,
    other: null,
  };
}

export interface RouteInit {
  source: RouteSource;
  /** Post-policy attributes; pass null for a route filtered by import policy. Defaults to `makeAttrs()`. */
  attrs?: AttrSet | null;
  pathId?: number;
  preference?: number;
  igpCost?: number;
  flags?: number;
  prefix?: number | string;
}

/** A route for prefix 10.1.0.0/16 (key) unless given; preference defaults to the source's. */
export function makeRoute(p: RouteInit): Route {
  const attrs = p.attrs === undefined ? makeAttrs() : p.attrs;
  return {
    prefix: p.prefix ?? (0x0a010000 * 64 + 16),
    source: p.source,
    pathId: p.pathId ?? 0,
    attrs,
    rawAttrs: attrs ?? makeAttrs(),
    preference: p.preference ?? p.source.preference,
    igpCost: p.igpCost ?? 0,
    flags: p.flags ?? 0,
    next: null,
  };
}

/** Links routes through `next` in the given order and returns the head. */
export function linkRoutes(routes: Route[]): Route | null {
  for (let i = 0; i < routes.length; i++) routes[i]!.next = routes[i + 1] ?? null;
  return routes[0] ?? null;
}

/** Walks a `next` list into an array. */
export function listRoutes(head: Route | null): Route[] {
  const out: Route[] = [];
  for (let r = head; r !== null; r = r.next) out.push(r);
  return out;
}
