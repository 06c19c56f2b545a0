/**
 * DOC: the control API's data as TypeScript sees it: what the client returns and what `petrel show --json` prints.
 *
 * These shapes are the stable JSON contract of `petrel show ... --json`: camelCase names, absent values as null
 * (never omitted), times as unix seconds. They mirror the messages of proto/petrel.proto one to one; `client.ts`
 * normalises what proto-loader decodes into exactly these fields, so the JSON does not depend on loader options.
 */
import type { FibCounters } from '../fib/fib-types';

/** Loc-RIB size of one family. */
export interface FamilyCountInfo {
  family: string;
  prefixes: number;
  paths: number;
}

/** `show status`. */
export interface StatusInfo {
  version: string;
  nodeName: string;
  routerId: string;
  localAs: number;
  /** Unix seconds. */
  startedAt: number;
  /** Unix seconds. */
  reconfiguredAt: number;
  /** Seconds since startedAt. */
  uptime: number;
  peers: number;
  peersEstablished: number;
  families: FamilyCountInfo[];
  attributeSets: number;
  /** Event-loop delay; null when the daemon runs no monitor. Always present in API output (optional for hand-built records). */
  loopLag?: LoopLagInfo | null;
  /** Update groups (shared Adj-RIB-Outs), forked ones included. Always present in API output. */
  updateGroups?: number;
  /** The kernel side: FIB, kernel/direct learning, tunnels. Always present in API output (each part null when off). */
  kernel?: KernelStatusInfo;
}

/** The kernel side of `show status`; a part is null when the daemon does not run it (or it failed to start). */
export interface KernelStatusInfo {
  fib: FibStatusInfo | null;
  learner: LearnerStatusInfo | null;
  tunnels: TunnelStatusInfo | null;
}

/** The FIB installer's counters, as `show status` carries them (fib-types.ts documents each). */
export type FibStatusInfo = Omit<FibCounters, 'writerThreads'>;

/** The kernel learner (BIRD `kernel` learn and `direct`): prefixes it feeds into the Loc-RIBs. */
export interface LearnerStatusInfo {
  /** Alien kernel routes learned (kernel1), e.g. Felix's workload routes. */
  kernelRoutes: number;
  /** Interface prefixes learned (direct1). */
  directRoutes: number;
}

/** The tunnel devices' last reconcile (src/fib/tunnels). */
export interface TunnelStatusInfo {
  /** 'ok', 'unmanaged', 'unavailable' (no kernel support) or 'error'. */
  ipip: string;
  vxlan: string;
  /** Reconciles completed. */
  reconciles: number;
  /** Requests the kernel refused in the last reconcile (`what: ERRNO`). */
  lastErrors: string[];
}

/** Event-loop delay percentiles of one window, in milliseconds. */
export interface LagFiguresInfo {
  p50: number;
  p99: number;
  max: number;
  samples: number;
}

export interface LoopLagInfo {
  sinceStart: LagFiguresInfo;
  /** The last completed interval (zeros before the first one ends). */
  lastInterval: LagFiguresInfo;
  intervalSeconds: number;
}

/** RFC 4724 helper state of one peer's routes. */
export interface GracefulRestartInfo {
  /** 'idle', 'restarting' (session down, routes stale) or 'recovering' (waiting for End-of-RIB). */
  phase: string;
  staleFamilies: string[];
  /** Unix seconds when the running restart or stale timer fires; 0 when none. */
  deadline: number;
}

/** The update group a peer's family exports through. */
export interface ExportGroupInfo {
  family: string;
  /** Peers sharing this Adj-RIB-Out and UPDATE stream. */
  members: number;
  /** Encoded octets not yet sent by the slowest member. */
  queuedBytes: number;
  /** A private group of a member that fell behind. */
  forked: boolean;
}

/** What OPEN negotiation agreed on with an established peer. */
export interface CapabilitiesInfo {
  families: string[];
  holdTime: number;
  keepaliveTime: number;
  fourOctetAs: boolean;
  routeRefresh: boolean;
  enhancedRouteRefresh: boolean;
  extendedMessage: boolean;
  extendedNextHop: string[];
  addPathRx: string[];
  addPathTx: string[];
  gracefulRestart: boolean;
  gracefulRestartTime: number;
}

export interface LastErrorInfo {
  kind: string;
  message: string;
  /** Unix seconds. */
  at: number;
}

export interface PrefixCountsInfo {
  /** Paths from the peer in the Loc-RIBs, accepted or filtered. */
  received: number;
  accepted: number;
  /** Rejected by import policy (kept for soft reconfiguration). */
  filtered: number;
  /** Prefixes in the Adj-RIB-Out. */
  advertised: number;
}

/** One row of `show peers`. */
export interface PeerInfo {
  name: string;
  address: string;
  port: number;
  localAs: number;
  /** The negotiated AS when established, else the configured one (0 = any). */
  peerAs: number;
  /** The peer's BGP identifier; '' until established. */
  routerId: string;
  type: 'ebgp' | 'ibgp';
  passive: boolean;
  /** FSM state name, or "Passive". */
  state: string;
  /** Unix seconds of the last up/down change. */
  since: number;
  /** Seconds established; 0 when not established. */
  uptime: number;
  lastError: LastErrorInfo | null;
  prefixes: PrefixCountsInfo;
  /** Null unless established. */
  capabilities: CapabilitiesInfo | null;
  updatesReceived: number;
  updatesSent: number;
  /** Always present in API output (optional for hand-built records). */
  gracefulRestart?: GracefulRestartInfo;
  /** One per established family. Always present in API output. */
  exportGroups?: ExportGroupInfo[];
}

/** Which table `show routes` reads. */
export type RouteDirection = 'loc' | 'adj-in' | 'adj-out';

/** The parameters of `show routes`. */
export interface RouteQuery {
  /** 'ipv4' / 'ipv6' (or 'ipv4-unicast'...); '' derives it from `prefix`, else ipv4. */
  family: string;
  /** '' for the whole table. */
  prefix: string;
  /** Longest-prefix match instead of an exact prefix. */
  longestMatch: boolean;
  /** Peer name; '' for every source. Required for 'adj-out'. */
  peer: string;
  direction: RouteDirection;
}

/** One path of `show routes`. */
export interface RouteInfo {
  prefix: string;
  family: string;
  /** The next hop, then the IPv6 link-local one when present; [] for local blackholes. */
  nextHops: string[];
  /** "65001 65002 {65003,65004}"; '' for an empty path. */
  asPath: string;
  origin: 'igp' | 'egp' | 'incomplete';
  med: number | null;
  localPref: number | null;
  communities: string[];
  largeCommunities: string[];
  extCommunities: string[];
  /** Source peer name or local protocol ("static1"). */
  source: string;
  sourceAddress: string;
  best: boolean;
  pathId: number;
  /** Member of the best path's ECMP set (the best path itself included when the set has more than one path). */
  ecmp: boolean;
  /** Rejected by import policy (only listed in adj-in). */
  filtered: boolean;
  stale: boolean;
  unresolved: boolean;
  /** adj-out: the peer the route is advertised to; '' otherwise. */
  peer: string;
}
