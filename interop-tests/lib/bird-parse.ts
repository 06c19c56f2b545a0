/**
 * DOC: turns `birdc` text output (BIRD 2.0 and 1.6; BIRD has no JSON) into the normalized shapes of
 * `types.ts`.
 *
 * `show route all` blocks: a header line per path (`PREFIX  unicast [proto time] * (pref) [ASi]` in BIRD 2,
 * `PREFIX  via GW on IF [proto time] * (pref) [ASi]` in 1.6; a further path of the same prefix repeats the
 * header without the prefix, indented by spaces), then tab-indented attribute lines (`Type:`, `via`,
 * `BGP.as_path:`, `BGP.next_hop:`, `BGP.local_pref:`, `BGP.med:`, `BGP.community: (a,b) ...`,
 * `BGP.large_community: (a, b, c) ...`). Only `Type: BGP` paths count as learned; other sources (the static
 * protocol holding originated networks) are local routes with an unspecified next hop.
 * `show protocols all` blocks: a line starting at column 0 per protocol, with `BGP state:`,
 * `Neighbor address:` and `Neighbor AS:` lines for BGP protocols.
 */
import { normalizeState, sortRoutes, type NeighborStatus, type RouteEntry } from './types.js';

const HEADER = /^(\S+)?\s+.*?\[(\S+)[^\]]*\]\s*(\*)?\s*\(\d+\)/;

interface Pending {
  route: RouteEntry;
  proto: string;
  bgp: boolean;
  gateway?: string;
}

/**
 * Parses `show route all` output. `peerOfProtocol` maps a BGP protocol name to the neighbor address
 * reported as `learnedFrom` (unmapped names are reported as they are).
 */
export function parseBirdRoutes(text: string, peerOfProtocol: ReadonlyMap<string, string> = new Map()): RouteEntry[] {
  const out: RouteEntry[] = [];
  let prefix = '';
  let cur: Pending | undefined;
  const flush = (): void => {
    if (!cur) return;
    const r = cur.route;
    if (cur.bgp) {
      if (!r.nextHop && cur.gateway) r.nextHop = cur.gateway;
      r.learnedFrom = peerOfProtocol.get(cur.proto) ?? cur.proto;
    } else {
      r.nextHop = prefix.includes(':') ? '::' : '0.0.0.0';
      r.asPath = [];
      delete r.localPref;
    }
    out.push(r);
    cur = undefined;
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('\t')) {
      if (cur) attribute(cur, line.slice(1));
      continue;
    }
    const m = HEADER.exec(line);
    if (!m) continue;
    flush();
    if (m[1]) prefix = m[1];
    cur = { route: { prefix, nextHop: '', asPath: [], best: m[3] === '*' }, proto: m[2]!, bgp: false };
    const via = /\bvia (\S+)/.exec(line);
    if (via) cur.gateway = via[1];
  }
  flush();
  return sortRoutes(out);
}

function pairs(v: string, arity: number): string[] | undefined {
  const re = arity === 2 ? /\((\d+),\s*(\d+)\)/g : /\((\d+),\s*(\d+),\s*(\d+)\)/g;
  const list = [...v.matchAll(re)].map((m) => m.slice(1).join(':'));
  return list.length ? list : undefined;
}

function attribute(cur: Pending, a: string): void {
  const r = cur.route;
  const colon = a.indexOf(':');
  const key = colon > 0 ? a.slice(0, colon) : '';
  const val = colon > 0 ? a.slice(colon + 1).trim() : '';
  if (a.startsWith('via ')) {
    cur.gateway = a.split(/\s+/)[1];
  } else if (key === 'Type') {
    cur.bgp = val.startsWith('BGP');
  } else if (key === 'BGP.as_path') {
    r.asPath = val
      .replace(/[{}]/g, ' ')
      .split(/\s+/)
      .filter((x) => /^\d+$/.test(x))
      .map(Number);
  } else if (key === 'BGP.next_hop') {
    r.nextHop = val.split(/\s+/)[0] ?? '';
  } else if (key === 'BGP.local_pref') {
    r.localPref = Number(val);
  } else if (key === 'BGP.med') {
    r.med = Number(val);
  } else if (key === 'BGP.community') {
    const c = pairs(val, 2);
    if (c) r.communities = c;
  } else if (key === 'BGP.large_community') {
    const c = pairs(val, 3);
    if (c) r.largeCommunities = c;
  }
}

/** Parses `show protocols all` output: the BGP protocols' neighbor states, sorted by address. */
export function parseBirdProtocols(text: string): NeighborStatus[] {
  const out: NeighborStatus[] = [];
  let state: string | undefined;
  let address: string | undefined;
  let remoteAs: number | undefined;
  const flush = (): void => {
    if (state !== undefined && address !== undefined) {
      const n: NeighborStatus = { address, state: normalizeState(state) };
      if (remoteAs !== undefined) n.remoteAs = remoteAs;
      out.push(n);
    }
    state = address = remoteAs = undefined;
  };
  for (const line of text.split('\n')) {
    if (/^\S/.test(line)) {
      flush();
      continue;
    }
    const m = /^\s+(BGP state|Neighbor address|Neighbor AS):\s+(\S+)/.exec(line);
    if (!m) continue;
    if (m[1] === 'BGP state') state = m[2];
    else if (m[1] === 'Neighbor address') address = m[2];
    else remoteAs = Number(m[2]);
  }
  flush();
  return out.sort((a, b) => a.address.localeCompare(b.address));
}
