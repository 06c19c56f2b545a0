/**
 * DOC: conversions between the `types.ts` records and the objects proto-loader (de)serialises.
 *
 * Both use camelCase names; the differences are nullability (proto3 `optional` fields and sub-messages are absent
 * rather than null), enums (`ADJ_IN` on the wire, 'adj-in' in TypeScript) and defaults. The `from*` functions
 * rebuild every field explicitly, so what the client hands to `--json` has exactly the documented fields in the
 * documented order, whatever the loader filled in.
 */
import type {
  CapabilitiesInfo, FibStatusInfo, KernelStatusInfo, LagFiguresInfo, LastErrorInfo, LearnerStatusInfo, LoopLagInfo, PeerInfo,
  PrefixCountsInfo, RouteDirection, RouteInfo, RouteQuery, StatusInfo, TunnelStatusInfo,
} from './types';

/** A ListRoutesRequest as decoded (enums as names). */
export interface ProtoRouteQuery {
  family?: string;
  prefix?: string;
  lookup?: string;
  peer?: string;
  direction?: string;
}

type Obj = Record<string, unknown>;

const DIRECTIONS: Record<RouteDirection, string> = { loc: 'LOC', 'adj-in': 'ADJ_IN', 'adj-out': 'ADJ_OUT' };

export function toProtoQuery(q: RouteQuery): ProtoRouteQuery {
  return {
    family: q.family, prefix: q.prefix, lookup: q.longestMatch ? 'LONGEST_MATCH' : 'EXACT', peer: q.peer,
    direction: DIRECTIONS[q.direction],
  };
}

export function fromProtoQuery(p: ProtoRouteQuery): RouteQuery {
  const direction = (Object.keys(DIRECTIONS) as RouteDirection[]).find((d) => DIRECTIONS[d] === p.direction) ?? 'loc';
  return { family: p.family ?? '', prefix: p.prefix ?? '', longestMatch: p.lookup === 'LONGEST_MATCH', peer: p.peer ?? '', direction };
}

export function toProtoStatus(s: StatusInfo): Obj {
  const k = s.kernel;
  const kernel = k && { fib: k.fib ?? undefined, learner: k.learner ?? undefined, tunnels: k.tunnels ?? undefined };
  return { ...s, loopLag: s.loopLag ?? undefined, kernel };
}

export function toProtoPeer(p: PeerInfo): Obj {
  return { ...p, lastError: p.lastError ?? undefined, capabilities: p.capabilities ?? undefined };
}

export function toProtoRoute(r: RouteInfo): Obj {
  return { ...r, med: r.med ?? undefined, localPref: r.localPref ?? undefined };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const bool = (v: unknown): boolean => v === true;
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(str) : []);
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' ? (v as Obj) : {});

export function fromProtoStatus(v: unknown): StatusInfo {
  const o = obj(v);
  return {
    version: str(o.version), nodeName: str(o.nodeName), routerId: str(o.routerId), localAs: num(o.localAs),
    startedAt: num(o.startedAt), reconfiguredAt: num(o.reconfiguredAt), uptime: num(o.uptime), peers: num(o.peers),
    peersEstablished: num(o.peersEstablished),
    families: (Array.isArray(o.families) ? o.families : []).map((f) => {
      const x = obj(f);
      return { family: str(x.family), prefixes: num(x.prefixes), paths: num(x.paths) };
    }),
    attributeSets: num(o.attributeSets),
    loopLag: fromProtoLoopLag(o.loopLag),
    updateGroups: num(o.updateGroups),
    kernel: fromProtoKernel(o.kernel),
  };
}

/** A daemon without the kernel side (or an older one that does not send it) reads as every part off. */
function fromProtoKernel(v: unknown): KernelStatusInfo {
  const o = obj(v);
  return { fib: fromProtoFib(o.fib), learner: fromProtoLearner(o.learner), tunnels: fromProtoTunnels(o.tunnels) };
}

function fromProtoFib(v: unknown): FibStatusInfo | null {
  if (v === null || v === undefined) return null;
  const o = obj(v);
  return {
    installed: num(o.installed), pending: num(o.pending), failed: num(o.failed), unresolved: num(o.unresolved),
    adopted: num(o.adopted), converged: bool(o.converged), replaces: num(o.replaces), deletes: num(o.deletes),
    repairs: num(o.repairs), scans: num(o.scans), nexthopObjects: num(o.nexthopObjects),
  };
}

function fromProtoLearner(v: unknown): LearnerStatusInfo | null {
  if (v === null || v === undefined) return null;
  const o = obj(v);
  return { kernelRoutes: num(o.kernelRoutes), directRoutes: num(o.directRoutes) };
}

function fromProtoTunnels(v: unknown): TunnelStatusInfo | null {
  if (v === null || v === undefined) return null;
  const o = obj(v);
  return { ipip: str(o.ipip), vxlan: str(o.vxlan), reconciles: num(o.reconciles), lastErrors: strs(o.lastErrors) };
}

function fromProtoLag(v: unknown): LagFiguresInfo {
  const o = obj(v);
  return { p50: num(o.p50), p99: num(o.p99), max: num(o.max), samples: num(o.samples) };
}

function fromProtoLoopLag(v: unknown): LoopLagInfo | null {
  if (v === null || v === undefined) return null;
  const o = obj(v);
  return { sinceStart: fromProtoLag(o.sinceStart), lastInterval: fromProtoLag(o.lastInterval), intervalSeconds: num(o.intervalSeconds) };
}

function fromProtoCapabilities(v: unknown): CapabilitiesInfo | null {
  if (v === null || v === undefined) return null;
  const o = obj(v);
  return {
    families: strs(o.families), holdTime: num(o.holdTime), keepaliveTime: num(o.keepaliveTime),
    fourOctetAs: bool(o.fourOctetAs), routeRefresh: bool(o.routeRefresh), enhancedRouteRefresh: bool(o.enhancedRouteRefresh),
    extendedMessage: bool(o.extendedMessage), extendedNextHop: strs(o.extendedNextHop), addPathRx: strs(o.addPathRx),
    addPathTx: strs(o.addPathTx), gracefulRestart: bool(o.gracefulRestart), gracefulRestartTime: num(o.gracefulRestartTime),
  };
}

function fromProtoLastError(v: unknown): LastErrorInfo | null {
  if (v === null || v === undefined) return null;
  const o = obj(v);
  return { kind: str(o.kind), message: str(o.message), at: num(o.at) };
}

export function fromProtoPeer(v: unknown): PeerInfo {
  const o = obj(v);
  const c = obj(o.prefixes);
  const prefixes: PrefixCountsInfo = { received: num(c.received), accepted: num(c.accepted), filtered: num(c.filtered), advertised: num(c.advertised) };
  return {
    name: str(o.name), address: str(o.address), port: num(o.port), localAs: num(o.localAs), peerAs: num(o.peerAs),
    routerId: str(o.routerId), type: o.type === 'ibgp' ? 'ibgp' : 'ebgp', passive: bool(o.passive), state: str(o.state),
    since: num(o.since), uptime: num(o.uptime), lastError: fromProtoLastError(o.lastError), prefixes,
    capabilities: fromProtoCapabilities(o.capabilities), updatesReceived: num(o.updatesReceived), updatesSent: num(o.updatesSent),
    gracefulRestart: {
      phase: str(obj(o.gracefulRestart).phase) || 'idle', staleFamilies: strs(obj(o.gracefulRestart).staleFamilies),
      deadline: num(obj(o.gracefulRestart).deadline),
    },
    exportGroups: (Array.isArray(o.exportGroups) ? o.exportGroups : []).map((g) => {
      const x = obj(g);
      return { family: str(x.family), members: num(x.members), queuedBytes: num(x.queuedBytes), forked: bool(x.forked) };
    }),
  };
}

export function fromProtoRoute(v: unknown): RouteInfo {
  const o = obj(v);
  const origin = o.origin === 'egp' || o.origin === 'incomplete' ? o.origin : 'igp';
  return {
    prefix: str(o.prefix), family: str(o.family), nextHops: strs(o.nextHops), asPath: str(o.asPath), origin,
    med: typeof o.med === 'number' ? o.med : null, localPref: typeof o.localPref === 'number' ? o.localPref : null,
    communities: strs(o.communities), largeCommunities: strs(o.largeCommunities), extCommunities: strs(o.extCommunities),
    source: str(o.source), sourceAddress: str(o.sourceAddress), best: bool(o.best), pathId: num(o.pathId), ecmp: bool(o.ecmp),
    filtered: bool(o.filtered), stale: bool(o.stale), unresolved: bool(o.unresolved), peer: str(o.peer),
  };
}
