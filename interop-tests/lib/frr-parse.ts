/**
 * DOC: turns FRR vtysh JSON into the normalized shapes of `types.ts`.
 *
 * Routes come from `show bgp <afi> unicast json detail`. FRR 8.x gives, per prefix, an array whose first
 * element is a header (`prefix`, `advertisedTo`) followed by one object per path (`aspath.segments`,
 * `nexthops`, `locPrf`, `metric`, `community.list`, `largeCommunity.list`, `bestpath.overall`, `peer`);
 * newer FRR gives `{ paths: [...] }` per prefix, and the non-detail form gives `path` as a string: all three
 * are accepted. Neighbors come from `show bgp neighbors json` (`bgpState`, `remoteAs`). A single-prefix query
 * (`show bgp <afi> unicast PREFIX json`) gives `{ prefix, paths: [...] }`, read for ORIGINATOR_ID/CLUSTER_LIST.
 */
import { InteropError } from './errors.js';
import { normalizeState, sortRoutes, type NeighborStatus, type RouteEntry } from './types.js';

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJson(text: string, what: string): Json {
  try {
    const v: unknown = JSON.parse(text);
    if (isObj(v)) return v;
  } catch (err) {
    throw new InteropError(`FRR ${what}: not JSON: ${text.slice(0, 200)}`, { cause: err });
  }
  throw new InteropError(`FRR ${what}: not a JSON object: ${text.slice(0, 200)}`);
}

function asPathOf(p: Json): number[] {
  const ap = p['aspath'];
  if (isObj(ap) && Array.isArray(ap['segments'])) {
    return ap['segments'].flatMap((s: unknown) => (isObj(s) && Array.isArray(s['list']) ? s['list'].map(Number) : []));
  }
  const str = typeof p['path'] === 'string' ? p['path'] : isObj(ap) && typeof ap['string'] === 'string' ? ap['string'] : '';
  return str
    .replace(/[{}()[\]]/g, ' ')
    .split(/[\s,]+/)
    .filter((x) => /^\d+$/.test(x))
    .map(Number);
}

function listOf(v: unknown): string[] | undefined {
  return isObj(v) && Array.isArray(v['list']) && v['list'].length > 0 ? v['list'].map(String) : undefined;
}

function pathToRoute(prefix: string, p: Json): RouteEntry {
  const nhs = Array.isArray(p['nexthops']) ? p['nexthops'].filter(isObj) : [];
  const nh = nhs.find((n) => n['scope'] !== 'link-local') ?? nhs[0];
  const peer = isObj(p['peer']) ? p['peer'] : undefined;
  const peerId = typeof p['peerId'] === 'string' ? p['peerId'] : typeof peer?.['peerId'] === 'string' ? peer['peerId'] : '';
  const local = p['local'] === true || p['sourced'] === true || peerId === '(unspec)' || peerId === '0.0.0.0' || peerId === '';
  const bp = p['bestpath'];
  const r: RouteEntry = {
    prefix,
    nextHop: typeof nh?.['ip'] === 'string' ? nh['ip'] : '',
    asPath: asPathOf(p),
    best: bp === true || (isObj(bp) && bp['overall'] === true),
  };
  const lp = p['locPrf'] ?? p['localpref'] ?? p['localPref'];
  if (typeof lp === 'number') r.localPref = lp;
  if (typeof p['metric'] === 'number' && !local) r.med = p['metric'];
  const comms = listOf(p['community']);
  if (comms) r.communities = comms;
  const large = listOf(p['largeCommunity']);
  if (large) r.largeCommunities = large;
  if (!local) r.learnedFrom = peerId;
  return r;
}

/** Parses `show bgp <afi> unicast json [detail]` output into sorted routes. */
export function parseFrrRoutes(text: string): RouteEntry[] {
  const doc = parseJson(text, 'routes');
  const routes = doc['routes'];
  if (routes === undefined) return [];
  if (!isObj(routes)) throw new InteropError('FRR routes: "routes" is not an object');
  const out: RouteEntry[] = [];
  for (const [prefix, v] of Object.entries(routes)) {
    const paths = isObj(v) && Array.isArray(v['paths']) ? v['paths'] : Array.isArray(v) ? v : [];
    for (const p of paths) {
      if (isObj(p) && ('aspath' in p || 'path' in p)) out.push(pathToRoute(prefix, p));
    }
  }
  return sortRoutes(out);
}

/** Parses `show bgp neighbors json` into neighbor states, sorted by address. */
export function parseFrrNeighbors(text: string): NeighborStatus[] {
  const doc = parseJson(text, 'neighbors');
  const out: NeighborStatus[] = [];
  for (const [address, v] of Object.entries(doc)) {
    if (!isObj(v) || typeof v['bgpState'] !== 'string') continue;
    const n: NeighborStatus = { address, state: normalizeState(v['bgpState']) };
    if (typeof v['remoteAs'] === 'number') n.remoteAs = v['remoteAs'];
    out.push(n);
  }
  return out.sort((a, b) => a.address.localeCompare(b.address));
}

/** One path of a single-prefix query as route reflection shows it (RFC 4456 attributes). */
export interface FrrReflectedPath {
  learnedFrom: string;
  nextHop: string;
  /** ORIGINATOR_ID; '' when absent. */
  originatorId: string;
  /** CLUSTER_LIST, first (most recent) cluster first; [] when absent. */
  clusterList: string[];
  asPath: number[];
}

/** Parses `show bgp <afi> unicast PREFIX json` (`paths[].originatorId`, `paths[].clusterList.list`). */
export function parseFrrReflectedPaths(text: string): FrrReflectedPath[] {
  const doc = parseJson(text, 'prefix');
  const paths = Array.isArray(doc['paths']) ? doc['paths'].filter(isObj) : [];
  return paths.map((p) => {
    const r = pathToRoute(String(doc['prefix'] ?? ''), p);
    return {
      learnedFrom: r.learnedFrom ?? '',
      nextHop: r.nextHop,
      originatorId: typeof p['originatorId'] === 'string' ? p['originatorId'] : '',
      clusterList: listOf(p['clusterList']) ?? [],
      asPath: r.asPath,
    };
  });
}

/** Why FRR last reset a neighbor, from `show bgp neighbors json`. */
export interface FrrNeighborError {
  address: string;
  state: string;
  /** `lastResetDueTo`, e.g. "Notification received (OPEN Message Error/Bad Peer AS)"; '' when none. */
  lastResetDueTo: string;
  /** `lastNotificationReason`, e.g. "OPEN Message Error/Bad Peer AS"; '' when none. */
  lastNotification: string;
  /** `lastErrorCodeSubcode` as four hex digits, e.g. "0202"; '' when none. */
  lastErrorCodeSubcode: string;
  /** `connectionsEstablished` and `connectionsDropped` counters. */
  established: number;
  dropped: number;
}

/** Parses `show bgp neighbors json` into each neighbor's last reset/notification, sorted by address. */
export function parseFrrNeighborErrors(text: string): FrrNeighborError[] {
  const doc = parseJson(text, 'neighbors');
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const out: FrrNeighborError[] = [];
  for (const [address, v] of Object.entries(doc)) {
    if (!isObj(v) || typeof v['bgpState'] !== 'string') continue;
    out.push({
      address,
      state: v['bgpState'],
      lastResetDueTo: str(v['lastResetDueTo']),
      lastNotification: str(v['lastNotificationReason']),
      lastErrorCodeSubcode: str(v['lastErrorCodeSubcode']),
      established: typeof v['connectionsEstablished'] === 'number' ? v['connectionsEstablished'] : 0,
      dropped: typeof v['connectionsDropped'] === 'number' ? v['connectionsDropped'] : 0,
    });
  }
  return out.sort((a, b) => a.address.localeCompare(b.address));
}

/** One NOTIFICATION bgpd logged (`%NOTIFICATION: sent to|received from neighbor A C/S (REASON) N bytes`). */
export interface FrrLoggedNotification {
  direction: 'sent' | 'received';
  neighbor: string;
  code: number;
  subcode: number;
  reason: string;
}

/**
 * Parses the NOTIFICATIONs out of bgpd's log. FRR 8.4's `show bgp neighbors json` keeps no trace of a
 * NOTIFICATION exchanged before Established (it lives on the transient accept-side peer), but bgpd logs each.
 */
export function parseFrrNotificationLog(log: string): FrrLoggedNotification[] {
  const re = /%NOTIFICATION: (sent to|received from) neighbor (\S+) (\d+)\/(\d+) \(([^)]*)\)/g;
  const out: FrrLoggedNotification[] = [];
  for (const m of log.matchAll(re)) {
    out.push({ direction: m[1] === 'sent to' ? 'sent' : 'received', neighbor: m[2]!, code: Number(m[3]), subcode: Number(m[4]), reason: m[5]! });
  }
  return out;
}
