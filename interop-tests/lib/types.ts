/**
 * DOC: the contract between interop tests and peer daemons: `PeerDriver`, the typed router description the
 * config renderers take (`RouterSpec`), and the normalized views of a daemon's RIB (`RouteEntry`) and of its
 * sessions (`NeighborStatus`). Every driver (FRR, BIRD 2, BIRD 1.6; later GoBGP, ExaBGP, Petrel itself)
 * produces exactly these shapes so one test can assert against any daemon.
 *
 * Invariants: AS paths are flattened AS numbers in wire order (AS_SET members inline, in the order shown);
 * a locally originated route has `asPath: []`, no `learnedFrom`, and next hop `0.0.0.0` / `::`; communities
 * are `"asn:value"` strings and large communities `"a:b:c"`, in the daemon's order.
 */
import { parsePrefix } from '../../src/util/prefix.js';

/** Address family of a session or route (unicast only). */
export type AddrFamily = 'ipv4' | 'ipv6';

/** One configured BGP neighbor. Timers default to 9 s hold / 3 s keepalive / 2 s connect retry. */
export interface NeighborSpec {
  /** Neighbor address (IPv4 or IPv6); the session runs over this address family. */
  address: string;
  remoteAs: number;
  /** Wait for the neighbor to connect; never connect out. */
  passive?: boolean;
  holdTime?: number;
  keepaliveTime?: number;
  connectRetryTime?: number;
  /** Families carried on the session (default: the family of `address`). */
  families?: AddrFamily[];
  /** The neighbor is this router's route-reflector client (iBGP; rendered by the FRR driver only). */
  rrClient?: boolean;
}

/** A small typed description of one router, rendered into each daemon's config syntax. */
export interface RouterSpec {
  /** Used as hostname / in file names; letters, digits and `-` only. */
  name: string;
  routerId: string;
  localAs: number;
  neighbors: NeighborSpec[];
  /** Prefixes this router originates (IPv4 and IPv6 mixed), e.g. `10.1.0.0/24`. */
  networks?: string[];
  /** Install learned routes into the namespace's kernel FIB (default false). */
  fib?: boolean;
}

/** One path of a daemon's BGP RIB, normalized. */
export interface RouteEntry {
  prefix: string;
  nextHop: string;
  asPath: number[];
  localPref?: number;
  med?: number;
  communities?: string[];
  largeCommunities?: string[];
  /** The daemon selected this path as best. */
  best: boolean;
  /** Neighbor address the path came from; absent for locally originated routes. */
  learnedFrom?: string;
}

/** RFC 4271 §8.2.2 session states (daemon-specific extra states map to Idle). */
export type BgpState = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';

/** One neighbor's session, normalized. */
export interface NeighborStatus {
  address: string;
  remoteAs?: number;
  state: BgpState;
}

/** Which daemon a driver runs (`bird1v6`: BIRD 1.6's IPv6 daemon `bird6`). */
export type PeerKind = 'frr' | 'bird2' | 'bird1' | 'bird1v6';

/** Drives one real BGP daemon inside one network namespace. */
export interface PeerDriver {
  readonly kind: PeerKind;
  /** Namespace the daemon runs in. */
  readonly netns: string;
  /** The running configuration description (networks follow announce/withdraw). */
  readonly spec: RouterSpec;
  /** Writes the config under a fresh temp dir and starts the daemon(s); resolves once they answer queries. */
  start(): Promise<void>;
  /** Kills the daemon(s) and removes the temp dir; safe to call twice and before start. */
  stop(): Promise<void>;
  /** Resolves once the session with `peerIp` is Established. @throws WaitTimeoutError */
  waitEstablished(peerIp: string, timeoutMs: number): Promise<void>;
  /** The BGP RIB of one family, sorted by prefix then source. */
  getRoutes(family: AddrFamily): Promise<RouteEntry[]>;
  /** Starts originating `prefix` at runtime. */
  announce(prefix: string): Promise<void>;
  /** Stops originating `prefix` at runtime. */
  withdraw(prefix: string): Promise<void>;
  neighbors(): Promise<NeighborStatus[]>;
  /** Pids of the daemon processes while running (for leak checks). */
  pids(): number[];
  /** Daemon version string, e.g. `8.4.4`. */
  version(): Promise<string>;
}

/** Defaults applied by every renderer. */
export const DEFAULT_TIMERS = { holdTime: 9, keepaliveTime: 3, connectRetryTime: 2 } as const;

/** Family of an address or prefix text. */
export function familyOf(addrOrPrefix: string): AddrFamily {
  return addrOrPrefix.includes(':') ? 'ipv6' : 'ipv4';
}

/** Families a neighbor carries. */
export function neighborFamilies(n: NeighborSpec): AddrFamily[] {
  return n.families ?? [familyOf(n.address)];
}

/** RFC 4271 state names plus daemon-specific ones, mapped to {@link BgpState}. */
export function normalizeState(s: string): BgpState {
  switch (s.toLowerCase()) {
    case 'established':
      return 'Established';
    case 'connect':
      return 'Connect';
    case 'active':
      return 'Active';
    case 'opensent':
      return 'OpenSent';
    case 'openconfirm':
      return 'OpenConfirm';
    default:
      return 'Idle';
  }
}

function prefixOrder(a: string, b: string): number {
  const ka = parsePrefix(a);
  const kb = parsePrefix(b);
  if (ka === undefined || kb === undefined || typeof ka !== typeof kb) return a < b ? -1 : a > b ? 1 : 0;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * Sorts routes in place by prefix in address order (then length), then by source (local first); returns
 * the array.
 */
export function sortRoutes(routes: RouteEntry[]): RouteEntry[] {
  return routes.sort((a, b) => prefixOrder(a.prefix, b.prefix) || (a.learnedFrom ?? '').localeCompare(b.learnedFrom ?? ''));
}
