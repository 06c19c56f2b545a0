/**
 * DOC: read-only views of the daemon for the control API: status, peers and routes as plain `types.ts` records.
 *
 * Owns the meaning of the API's numbers: a peer's received/accepted/filtered counts are its candidate paths in the
 * Loc-RIBs (the Adj-RIB-In is folded into the Loc-RIB, BIRD's design: a path rejected by import policy stays there
 * with `attrs === null`), advertised is the size of its Adj-RIB-Outs. They are read from counters the Loc-RIBs keep
 * per source (`Peer.prefixCounts`), so `show peers` costs O(peers), not a table scan. Directions: `loc` lists accepted paths,
 * `adj-in` the BGP paths as received (pre-policy `rawAttrs`, filtered ones flagged), `adj-out` what one peer was
 * sent. Nothing here mutates the daemon: the ECMP set is recomputed read-only from the candidate order
 * (`select.ts` keeps the ECMP members right after the best path). Pure apart from the `now` argument.
 * Invalid queries throw `ApiRequestError` (mapped to gRPC INVALID_ARGUMENT / NOT_FOUND by the server).
 */
import { BgpdError } from '../util/errors';
import {
  ipv4Key, ipv4KeyAddr, ipv4KeyLen, ipv4Mask, ipv6Key, ipv6KeyAddr, ipv6KeyLen, maskIpv6InPlace, parsePrefix,
  formatPrefixKey, type PrefixKey,
} from '../util/prefix';
import { formatFamily, IPV4_UNICAST, IPV6_UNICAST, parseFamily, type Family } from '../bgp/family';
import type { AsPathSegment } from '../bgp/codec/types';
import type { Peer } from '../bgp/peer';
import type { AttrSet } from '../rib/attrs/attr-set';
import type { AttrInterner } from '../rib/attrs/intern';
import { codeMultipath, compareCode, isBgpSource, isEligible, MedMode, DEFAULT_BEST_PATH_OPTIONS } from '../rib/best-path';
import type { LocRib } from '../rib/loc-rib';
import { RouteFlag, type Route } from '../rib/types';
import type { LoopLagSnapshot } from '../util/loop-lag';
import type { FibCounters } from '../fib/fib-types';
import type { TunnelStatus } from '../fib/tunnels/tunnel-manager';
import { petrelVersion } from './paths';
import type { CapabilitiesInfo, KernelStatusInfo, PeerInfo, PrefixCountsInfo, RouteInfo, RouteQuery, StatusInfo } from './types';

/** The part of `Daemon` the API reads (a `Daemon` satisfies it; tests may pass a hand-built object). */
export interface ApiDaemonView {
  readonly peers: ReadonlyMap<string, Peer>;
  readonly ribs: ReadonlyMap<Family, LocRib>;
  readonly interner: AttrInterner;
  /** ms since epoch. */
  readonly startedAt: number;
  /** ms since epoch. */
  readonly reconfiguredAt: number;
  readonly config: { readonly nodeName: string; readonly routerId: string; readonly localAs: number };
  /** The event-loop lag monitor, when the daemon runs one. */
  readonly loopLag?: { snapshot(): LoopLagSnapshot };
  /** The kernel FIB, when it runs (`Daemon.fib`). */
  readonly fib?: { readonly counters: FibCounters } | undefined;
  /** The kernel/direct route learner, when it runs (`Daemon.learner`); only the map sizes are read. */
  readonly learner?: { kernelRoutes(): ReadonlyMap<unknown, unknown>; directRoutes(): ReadonlyMap<unknown, unknown> } | undefined;
  /** The tunnel manager, when it runs (`Daemon.tunnels`). */
  readonly tunnels?: { status(): Readonly<TunnelStatus> } | undefined;
}

/** A query the API cannot answer; `code` is ERR_API_ARGUMENT or ERR_API_NOT_FOUND. */
export class ApiRequestError extends BgpdError {
  constructor(code: 'ERR_API_ARGUMENT' | 'ERR_API_NOT_FOUND', message: string) {
    super(code, message);
  }
}

const secs = (ms: number): number => Math.floor(ms / 1000);

/** `show status`. */
export function statusView(d: ApiDaemonView, now: number): StatusInfo {
  let established = 0;
  for (const p of d.peers.values()) if (p.session.up) established++;
  return {
    version: petrelVersion(),
    nodeName: d.config.nodeName,
    routerId: d.config.routerId,
    localAs: d.config.localAs,
    startedAt: secs(d.startedAt),
    reconfiguredAt: secs(d.reconfiguredAt),
    uptime: Math.max(0, secs(now - d.startedAt)),
    peers: d.peers.size,
    peersEstablished: established,
    families: [...d.ribs.values()].map((rib) => {
      const s = rib.stats();
      return { family: formatFamily(rib.family), prefixes: s.prefixes, paths: s.paths };
    }),
    attributeSets: d.interner.stats().sets,
    loopLag: loopLagInfo(d.loopLag?.snapshot()),
    updateGroups: countGroups(d.peers.values()),
    kernel: kernelInfo(d),
  };
}

/** The kernel side: counters the FIB, learner and tunnel manager already keep (O(1), no table walk). */
function kernelInfo(d: ApiDaemonView): KernelStatusInfo {
  const c = d.fib?.counters;
  const t = d.tunnels?.status();
  return {
    fib: c
      ? {
          installed: c.installed, pending: c.pending, failed: c.failed, unresolved: c.unresolved, adopted: c.adopted,
          converged: c.converged, replaces: c.replaces, deletes: c.deletes, repairs: c.repairs, scans: c.scans,
          nexthopObjects: c.nexthopObjects,
        }
      : null,
    learner: d.learner ? { kernelRoutes: d.learner.kernelRoutes().size, directRoutes: d.learner.directRoutes().size } : null,
    tunnels: t ? { ipip: t.ipip, vxlan: t.vxlan, reconciles: t.reconciles, lastErrors: [...t.lastErrors] } : null,
  };
}

const ms = (x: number): number => Math.round(x * 1000) / 1000;

function loopLagInfo(s: LoopLagSnapshot | undefined): StatusInfo['loopLag'] {
  if (!s) return null;
  const f = (x: LoopLagSnapshot['sinceStart']) => ({ p50: ms(x.p50), p99: ms(x.p99), max: ms(x.max), samples: x.samples });
  return { sinceStart: f(s.sinceStart), lastInterval: f(s.lastInterval), intervalSeconds: Math.round(s.intervalMs / 1000) };
}

/** Distinct update groups the established peers export through. */
function countGroups(peers: Iterable<Peer>): number {
  const groups = new Set<unknown>();
  for (const p of peers) for (const m of p.groupMembers().values()) groups.add(m.group);
  return groups.size;
}

/** `show peers` (every peer in name order, or the one named; unknown name: ERR_API_NOT_FOUND). */
export function peersView(d: ApiDaemonView, now: number, name = ''): PeerInfo[] {
  const peers = name ? [d.peers.get(name)] : [...d.peers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (peers[0] === undefined && name) throw new ApiRequestError('ERR_API_NOT_FOUND', `no such peer '${name}'`);
  return (peers as Peer[]).map((p) => peerInfo(p, now));
}

function peerInfo(p: Peer, now: number): PeerInfo {
  const cfg = p.config;
  const s = p.session;
  const n = s.up ? p.negotiatedSession : null;
  const gr = p.gracefulRestartStatus();
  const c = p.prefixCounts();
  let capabilities: CapabilitiesInfo | null = null;
  if (n) {
    const names = (fs: Iterable<Family>) => [...fs].map(formatFamily);
    capabilities = {
      families: names(n.families),
      holdTime: n.holdTime,
      keepaliveTime: n.keepaliveTime,
      fourOctetAs: n.rx.as4,
      routeRefresh: n.routeRefresh,
      enhancedRouteRefresh: n.enhancedRouteRefresh,
      extendedMessage: n.rx.extendedMessage,
      extendedNextHop: names(n.extendedNextHop),
      addPathRx: names(n.addPathRx),
      addPathTx: names(n.addPathTx),
      gracefulRestart: n.gracefulRestart !== undefined,
      gracefulRestartTime: n.gracefulRestart?.restartTime ?? 0,
    };
  }
  return {
    name: cfg.name,
    address: cfg.peerAddress,
    port: cfg.peerPort,
    localAs: cfg.settings.localAs,
    peerAs: n ? n.peerAs : cfg.settings.peerAs,
    routerId: n ? n.peerRouterId : '',
    type: cfg.ibgp ? 'ibgp' : 'ebgp',
    passive: cfg.fsm.passive === true,
    state: s.describe(),
    since: secs(s.since),
    uptime: n ? Math.max(0, secs(now - s.since)) : 0,
    lastError: s.lastError ? { kind: s.lastError.kind, message: s.lastError.message, at: secs(s.lastError.at) } : null,
    prefixes: { received: c.received, accepted: c.accepted, filtered: c.filtered, advertised: c.advertised } satisfies PrefixCountsInfo,
    capabilities,
    updatesReceived: p.counters.updatesReceived,
    updatesSent: p.counters.updatesSent,
    gracefulRestart: {
      phase: gr.phase, staleFamilies: gr.staleFamilies.map(formatFamily), deadline: gr.deadline ? secs(gr.deadline) : 0,
    },
    exportGroups: [...p.groupMembers()].map(([f, m]) => ({
      family: formatFamily(f), members: m.group.members.size, queuedBytes: m.group.queuedBytes, forked: m.group.key.endsWith('#fork'),
    })),
  };
}

// ---------------------------------------------------------------------------------------------------- routes

/** The resolved form of a `RouteQuery`. */
interface ResolvedQuery {
  family: Family;
  rib: LocRib;
  key: PrefixKey | undefined;
  peer: Peer | undefined;
}

function resolveQuery(d: ApiDaemonView, q: RouteQuery): ResolvedQuery {
  let key: PrefixKey | undefined;
  if (q.prefix) {
    key = parsePrefix(q.prefix);
    if (key === undefined) throw new ApiRequestError('ERR_API_ARGUMENT', `not a prefix or address: '${q.prefix}'`);
  }
  const keyFamily = key === undefined ? undefined : typeof key === 'number' ? IPV4_UNICAST : IPV6_UNICAST;
  let family = keyFamily ?? IPV4_UNICAST;
  if (q.family) {
    const f = parseFamily(q.family);
    if (f === undefined) throw new ApiRequestError('ERR_API_ARGUMENT', `unknown family '${q.family}' (ipv4 or ipv6)`);
    if (keyFamily !== undefined && f !== keyFamily) {
      throw new ApiRequestError('ERR_API_ARGUMENT', `prefix ${q.prefix} is not in family ${formatFamily(f)}`);
    }
    family = f;
  }
  const rib = d.ribs.get(family);
  if (!rib) throw new ApiRequestError('ERR_API_ARGUMENT', `family ${formatFamily(family)} is not routed`);
  const peer = q.peer ? d.peers.get(q.peer) : undefined;
  if (q.peer && !peer) throw new ApiRequestError('ERR_API_NOT_FOUND', `no such peer '${q.peer}'`);
  if (q.direction === 'adj-out' && !peer) throw new ApiRequestError('ERR_API_ARGUMENT', 'adj-out needs a peer');
  return { family, rib, key, peer };
}

/** Byte order of prefix keys: numeric for IPv4 (address then length), code units (= octets) for IPv6. */
function compareKeys(a: PrefixKey, b: PrefixKey): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The keys covering `key`, most specific first (longest-prefix match order). */
function* coveringKeys(key: PrefixKey): Generator<PrefixKey> {
  if (typeof key === 'number') {
    const addr = ipv4KeyAddr(key);
    for (let len = ipv4KeyLen(key); len >= 0; len--) yield ipv4Key((addr & ipv4Mask(len)) >>> 0, len);
    return;
  }
  const addr = ipv6KeyAddr(key);
  for (let len = ipv6KeyLen(key); len >= 0; len--) {
    maskIpv6InPlace(addr, len);
    yield ipv6Key(addr, len);
  }
}

/**
 * The routes answering `q`, in prefix order and best-first within a prefix. A generator, so the server can stream
 * a large table without building it; each prefix is read when reached (the table may change in between).
 */
export function* routesView(d: ApiDaemonView, q: RouteQuery): Generator<RouteInfo> {
  const r = resolveQuery(d, q);
  const familyName = formatFamily(r.family);
  const rowsOf = rowsFor(r, q.direction, familyName);
  if (r.key !== undefined && q.longestMatch) {
    for (const k of coveringKeys(r.key)) {
      const rows = rowsOf(k);
      if (rows.length) {
        yield* rows;
        return;
      }
    }
    return;
  }
  const keys = r.key !== undefined ? [r.key] : [...tableKeys(r, q.direction)].sort(compareKeys);
  for (const k of keys) yield* rowsOf(k);
}

function tableKeys(r: ResolvedQuery, direction: RouteQuery['direction']): Iterable<PrefixKey> {
  if (direction !== 'adj-out') return r.rib.table.keys();
  return r.peer!.exportersByFamily().get(r.family)?.adjRibOut.keys() ?? [];
}

function rowsFor(r: ResolvedQuery, direction: RouteQuery['direction'], familyName: string): (k: PrefixKey) => RouteInfo[] {
  if (direction === 'adj-out') {
    const peer = r.peer!;
    return (k) => {
      const set = peer.exportersByFamily().get(r.family)?.adjRibOut.get(k);
      if (!set) return [];
      const best = r.rib.best(k);
      return [routeInfo(k, familyName, set, {
        source: best?.source.name ?? '', sourceAddress: best?.source.address ?? '', best: false, pathId: 0, ecmp: false,
        filtered: false, stale: false, unresolved: false, peer: peer.name,
      })];
    };
  }
  const adjIn = direction === 'adj-in';
  return (k) => {
    const head = r.rib.candidates(k);
    if (!head) return [];
    const best = r.rib.best(k);
    const ecmp = ecmpSet(head, r.rib);
    const out: RouteInfo[] = [];
    for (let x: Route | null = head; x !== null; x = x.next) {
      if (r.peer && x.source !== r.peer.source) continue;
      if (adjIn ? !isBgpSource(x.source.kind) : x.attrs === null) continue;
      out.push(routeInfo(k, familyName, adjIn ? x.rawAttrs : x.attrs!, {
        source: x.source.name, sourceAddress: x.source.address, best: x === best, pathId: x.pathId,
        ecmp: ecmp.has(x), filtered: x.attrs === null, stale: (x.flags & RouteFlag.Stale) !== 0,
        unresolved: (x.flags & RouteFlag.Unresolved) !== 0, peer: '',
      }));
    }
    return out;
  };
}

/**
 * The ECMP set of a candidate list when it has more than one member (empty otherwise). `selectBest` moves the
 * members right after the best route, so they are the leading run of routes in the best route's multipath class
 * with distinct next hops, up to the limit (the same test as select.ts `gatherMultipath`).
 */
function ecmpSet(head: Route, rib: LocRib): Set<Route> {
  const set = new Set<Route>();
  const o = rib.options;
  const limit = o.multipathLimit ?? DEFAULT_BEST_PATH_OPTIONS.multipathLimit;
  if (!isEligible(head) || !o.multipath || limit < 2 || !isBgpSource(head.source.kind) || head.next === null) return set;
  const mode = o.alwaysCompareMed ? MedMode.Always : MedMode.SameNeighborAs;
  const members = [head];
  for (let r: Route | null = head.next; r !== null && members.length < limit; r = r.next) {
    const a = r.attrs;
    if (a === null || !isEligible(r) || !codeMultipath(compareCode(head, r, mode, true))) break;
    if (members.some((m) => m.attrs!.nextHop === a.nextHop && m.attrs!.nextHopLinkLocal === a.nextHopLinkLocal)) break;
    members.push(r);
  }
  if (members.length > 1) for (const m of members) set.add(m);
  return set;
}

type RouteMeta = Pick<RouteInfo, 'source' | 'sourceAddress' | 'best' | 'pathId' | 'ecmp' | 'filtered' | 'stale' | 'unresolved' | 'peer'>;

const ORIGINS = ['igp', 'egp', 'incomplete'] as const;

function routeInfo(k: PrefixKey, family: string, a: AttrSet, m: RouteMeta): RouteInfo {
  const nextHops: string[] = [];
  if (a.nextHop) nextHops.push(a.nextHop);
  if (a.nextHopLinkLocal) nextHops.push(a.nextHopLinkLocal);
  return {
    prefix: formatPrefixKey(k),
    family,
    nextHops,
    asPath: formatAsPath(a.asPath.value),
    origin: ORIGINS[a.origin] ?? 'incomplete',
    med: a.med < 0 ? null : a.med,
    localPref: a.localPref < 0 ? null : a.localPref,
    communities: a.communities ? a.communities.value.map((c) => `${c >>> 16}:${c & 0xffff}`) : [],
    largeCommunities: a.largeCommunities ? a.largeCommunities.value.map((c) => c.join(':')) : [],
    extCommunities: a.extCommunities ? [...a.extCommunities.value] : [],
    ...m,
  };
}

/** AS_PATH text: sequences space-separated, AS_SET `{a,b}`, AS_CONFED_SEQUENCE `(a b)`, AS_CONFED_SET `[a,b]`. */
export function formatAsPath(segments: readonly AsPathSegment[]): string {
  return segments
    .map((s) => {
      switch (s.type) {
        case 1: return `{${s.asns.join(',')}}`;
        case 3: return `(${s.asns.join(' ')})`;
        case 4: return `[${s.asns.join(',')}]`;
        default: return s.asns.join(' ');
      }
    })
    .filter((x) => x !== '')
    .join(' ');
}
