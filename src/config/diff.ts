/**
 * DOC: reload planning: compare two NodeBgpConfigs and say, per peer, what a SIGHUP must do.
 *
 * Follows BIRD 1.6 reconfiguration (calico-contract.md §4.7, `proto_reconfigure` / `bgp_reconfigure`), the way
 * OpenBGPD's merge_config sorts peers into KEEP / REINIT / DELETE:
 *  - a peer only in the new config is `add`, only in the old one `remove`;
 *  - a change to any session option (address, port, AS, local AS, source address, passive, TTL/multihop, RR,
 *    next hop, password, GR/keepalive time, allow-local-as) is `reset` of that peer only (Cease, "other
 *    configuration change");
 *  - a change that only touches filters (its BGPFilter list, a referenced BGPFilter's rules, or the export inputs
 *    every peer's filter calls: blocks, pools, services, communities, route priorities) is `soft`: re-export and
 *    ROUTE-REFRESH the import side, no session reset;
 *  - otherwise `keep`.
 * Local choices: a router-id change or a change of the daemon's session timers / graceful-restart settings resets
 * every surviving peer (the OPEN contents change); a listen change is only flagged (`listenChanged`): BIRD cannot
 * rebind on reconfigure, Petrel may. Peer `origin` (which BGPPeer produced it) is not a session option.
 */
import type { AdvertisementInputs, NodeBgpConfig, PeerConfig } from './node-config';

/** What to do with one peer on reload. */
export type PeerAction = 'keep' | 'soft' | 'reset' | 'add' | 'remove';

export interface PeerChange {
  name: string;
  action: PeerAction;
  /** Why (empty for keep/add/remove): changed field names or filter/advertisement reasons. */
  reasons: string[];
}

/** The reload plan. All name lists are sorted. */
export interface ConfigDiff {
  peers: PeerChange[];
  added: string[];
  removed: string[];
  reset: string[];
  soft: string[];
  kept: string[];
  /** Keys of AdvertisementInputs that changed (e.g. `blocks`, `pools`, `services`). */
  advertisementsChanged: (keyof AdvertisementInputs)[];
  /** Names of BGPFilters whose rules changed (referenced in either config). */
  filtersChanged: string[];
  routerIdChanged: boolean;
  listenChanged: boolean;
  /** Top-level PetrelSettings keys that changed (`fib`, `timers`, `logLevel`, ...). */
  daemonChanged: string[];
}

/** PeerConfig fields that are BGP session options; a change resets the session. */
const SESSION_FIELDS = [
  'family', 'peerIp', 'port', 'peerAs', 'localAsOverride', 'localAs', 'sourceAddress', 'passive', 'ttlSecurity',
  'multihop', 'rrClient', 'rrClusterId', 'nextHopMode', 'password', 'gracefulRestartTime', 'keepaliveTime',
  'allowLocalAs',
] as const satisfies readonly (keyof PeerConfig)[];

/** Advertisement inputs that BGP export filters read (the others feed static/direct/kernel only). */
const EXPORT_INPUTS: readonly (keyof AdvertisementInputs)[] = [
  'blocks', 'pools', 'services', 'communities', 'clusterRoutePolicy', 'normalRoutePriority', 'felixTunnelInterfaces',
  'felixOwnedPoolCidrs',
];

/** Daemon settings whose change alters every session's OPEN or timers. */
const SESSION_WIDE_SETTINGS = ['timers', 'gracefulRestart'];

/** JSON with sorted keys and without `loc` (source positions are not configuration). */
export function stableJson(v: unknown): string {
  return JSON.stringify(v, (k, val: unknown) => {
    if (k === 'loc') return undefined;
    if (val && typeof val === 'object' && !Array.isArray(val)) {
      return Object.fromEntries(Object.keys(val).sort().map((key) => [key, (val as Record<string, unknown>)[key]]));
    }
    return val;
  });
}

function changedKeys<T extends object>(a: T, b: T, keys: readonly (keyof T)[]): string[] {
  return keys.filter((k) => stableJson(a[k]) !== stableJson(b[k])).map(String);
}

/** Plans a reload from `old` to `next` (both for the same node). */
export function diffConfig(old: NodeBgpConfig, next: NodeBgpConfig): ConfigDiff {
  const advertisementsChanged = (Object.keys(next.advertisements) as (keyof AdvertisementInputs)[])
    .filter((k) => stableJson(old.advertisements[k]) !== stableJson(next.advertisements[k])).sort();
  const exportInputsChanged = advertisementsChanged.filter((k) => EXPORT_INPUTS.includes(k));
  const filterNames = [...new Set([...Object.keys(old.bgpFilters), ...Object.keys(next.bgpFilters)])].sort();
  const filtersChanged = filterNames.filter((n) => {
    const a = old.bgpFilters[n], b = next.bgpFilters[n];
    return a !== undefined && b !== undefined && stableJson(a) !== stableJson(b);
  });
  const daemonChanged = (Object.keys(next.daemon) as (keyof NodeBgpConfig['daemon'])[])
    .concat((Object.keys(old.daemon) as (keyof NodeBgpConfig['daemon'])[]).filter((k) => !(k in next.daemon)))
    .filter((k, i, all) => all.indexOf(k) === i && stableJson(old.daemon[k]) !== stableJson(next.daemon[k]))
    .map(String).sort();
  const routerIdChanged = old.routerId !== next.routerId;
  const globalReset: string[] = [];
  if (routerIdChanged) globalReset.push('routerId');
  globalReset.push(...daemonChanged.filter((k) => SESSION_WIDE_SETTINGS.includes(k)).map((k) => `daemon.${k}`));

  const oldPeers = new Map(old.peers.map((p) => [p.name, p]));
  const newPeers = new Map(next.peers.map((p) => [p.name, p]));
  const names = [...new Set([...oldPeers.keys(), ...newPeers.keys()])].sort();
  const peers: PeerChange[] = names.map((name) => {
    const a = oldPeers.get(name), b = newPeers.get(name);
    if (!a) return { name, action: 'add', reasons: [] };
    if (!b) return { name, action: 'remove', reasons: [] };
    const session = [...changedKeys(a, b, SESSION_FIELDS), ...globalReset];
    if (session.length > 0) return { name, action: 'reset', reasons: session };
    const soft: string[] = [];
    if (stableJson(a.filters) !== stableJson(b.filters)) soft.push('filters');
    for (const f of b.filters) if (filtersChanged.includes(f)) soft.push(`BGPFilter/${f}`);
    for (const k of exportInputsChanged) soft.push(`advertisements.${k}`);
    return soft.length > 0 ? { name, action: 'soft', reasons: soft } : { name, action: 'keep', reasons: [] };
  });
  const pick = (act: PeerAction) => peers.filter((p) => p.action === act).map((p) => p.name);
  return {
    peers,
    added: pick('add'),
    removed: pick('remove'),
    reset: pick('reset'),
    soft: pick('soft'),
    kept: pick('keep'),
    advertisementsChanged,
    filtersChanged,
    routerIdChanged,
    listenChanged: stableJson(old.listen) !== stableJson(next.listen),
    daemonChanged,
  };
}
