/**
 * DOC: turns FRR vtysh JSON into the normalized shapes of `types.ts`.
 *
 * Routes come from `show bgp <afi> unicast json detail`. FRR 8.x gives, per prefix, an array whose first
 * element is a header (`prefix`, `advertisedTo`) followed by one object per path (`aspath.segments`,
 * `nexthops`, `locPrf`, `metric`, `community.list`, `largeCommunity.list`, `bestpath.overall`, `peer`);
 * newer FRR gives `{ paths: [...] }` per prefix, and the non-detail form gives `path` as a string: all three
 * are accepted. Neighbors come from `show bgp neighbors json` (`bgpState`, `remoteAs`).
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
