/**
 * DOC: derivation of one node's NodeBgpConfig from the validated resources, the way Calico's confd does it.
 *
 * Mirrors confd (calico-contract.md §4.2, §4.3, §5): `client.go updatePeersV1` (global pass, node pass, reverse
 * pass; first key per (scope, IP, port) wins; node keys yield to a global key for the same IP/port) and
 * `bgp_processor.go` (mesh; buildPeerFromData naming, passive, RR and next-hop rules; router id; listen).
 * Local choices, each deliberate:
 *  - confd iterates Go maps (random order) where conflicts exist; we iterate BGPPeers and nodes sorted by name,
 *    so the "first key wins" outcome is deterministic.
 *  - a mesh peer without its own AS gets the *global* AS (contract §4.3 and the ≤ v3.31 templates); master's
 *    bgp_processor uses this node's AS instead, which only differs when nodes override their AS.
 *  - `calicoNode` is true for any peer IP that is a Calico node's address; the passive rule still uses confd's
 *    narrower flag (set only for peerIP-based BGPPeers), so passive flags match confd exactly.
 *  - reverse peerings (reversePeering Auto) do not inherit localASNumber, which names the forward side's AS.
 *  - confd's port check in nodesWithIPPortAndAS is reproduced as is (a node whose own listenPort matches is
 *    still rejected when a different global listenPort is set).
 * Pure: no I/O; env values are passed in.
 */
import { createHash } from 'node:crypto';
import { ConfigError } from '../util/errors';
import { parseIpv4 } from '../util/prefix';
import { deriveAdvertisements } from './advertisements';
import { ConfigErrors, type LoadedConfig } from './load';
import type { AddressFamily, ListenConfig, NodeBgpConfig, PeerConfig, PeerKind } from './node-config';
import type { BgpConfiguration, BgpFilter, BgpPeer, CalicoNode, ResourceSet } from './resources';
import { matchSelector, type Selector } from './selector';
import { resolvePetrelSettings } from './settings';
import { SecretResolver } from './secrets';
import { deriveTunnelPlan } from './tunnels';

/** The AS confd injects when no BGPConfiguration sets one. */
export const DEFAULT_AS = 64512;
const BIRD_DEFAULT_MULTIHOP = 64;
const ALL: Selector = { op: 'all' };

/** Environment inputs confd reads (contract §2.3). */
export interface DeriveEnv {
  /** An IPv4 literal, or `hash` (SHA-256 of the node name). */
  CALICO_ROUTER_ID?: string;
  /** Overrides serviceClusterIPs with one CIDR. */
  CALICO_ADVERTISE_CLUSTER_IPS?: string;
  NODENAME?: string;
  /** calico-node's namespace: picks among same-named password Secrets of several namespaces. */
  NAMESPACE?: string;
}

/** Calico's `HashToIPv4`: first 4 bytes of SHA-256(nodeName) as a dotted quad; first octet −32 if > 223. */
export function hashToIPv4(nodeName: string): string {
  const h = createHash('sha256').update(nodeName, 'utf8').digest();
  const first = h[0] > 223 ? h[0] - 32 : h[0];
  return `${first}.${h[1]}.${h[2]}.${h[3]}`;
}

/** The node name to use: env NODENAME, else PetrelConfiguration.spec.nodeName; undefined if neither. */
export function resolveNodeName(loaded: LoadedConfig, env: DeriveEnv = {}): string | undefined {
  return env.NODENAME || loaded.resources.petrel?.spec.nodeName || undefined;
}

/** A v1-style peering as updatePeersV1 emits it (the `/calico/bgp/v1/.../peer_v4|6/<ip>` value). */
interface V1Peer {
  ip: string;
  port?: number;
  asNum: number;
  rrClusterId?: string;
  /** confd's calico_node flag: set only for peerIP-based peers that match a node IP. */
  confdCalicoNode: boolean;
  res: BgpPeer;
  reverse: boolean;
}

/** Indexes over the resource set, built once per derivation. */
class Cluster {
  readonly globalAs: number;
  readonly globalCfg?: BgpConfiguration;
  readonly nodes: CalicoNode[];
  readonly nodeIps = new Set<string>();
  private readonly nodeListenPorts = new Map<string, number>();
  readonly globalListenPort: number;

  constructor(readonly rs: ResourceSet, readonly secrets: SecretResolver = new SecretResolver([])) {
    this.globalCfg = rs.bgpConfigurations.find((c) => c.name === 'default');
    this.globalAs = this.globalCfg?.asNumber ?? DEFAULT_AS;
    this.globalListenPort = this.globalCfg?.listenPort ?? 0;
    for (const c of rs.bgpConfigurations) {
      if (c.name.startsWith('node.') && c.listenPort !== undefined) this.nodeListenPorts.set(c.name.slice(5), c.listenPort);
    }
    this.nodes = [...rs.nodes].sort((a, b) => cmp(a.name, b.name));
    for (const n of this.nodes) {
      if (n.ipv4Address) this.nodeIps.add(n.ipv4Address.ip);
      if (n.ipv6Address) this.nodeIps.add(n.ipv6Address.ip);
    }
  }

  nodeAs(n: CalicoNode): number { return n.asNumber ?? this.globalAs; }

  /** A node's listen port as confd's nodeListenPorts/globalListenPort (0 = unset). */
  listenPortOf(name: string): number { return this.nodeListenPorts.get(name) ?? this.globalListenPort; }

  matching(sel: Selector): string[] { return this.nodes.filter((n) => matchSelector(sel, n.labels)).map((n) => n.name); }

  /** client.go nodesWithIPPortAndAS, including its port quirk (a matching per-node port still checks the global one). */
  nodesWithIPPortAndAS(ip: string, asNum: number | undefined, port: number): string[] {
    const want = asNum ?? this.globalAs;
    return this.nodes.filter((n) => {
      if (n.ipv4Address?.ip !== ip && n.ipv6Address?.ip !== ip) return false;
      if (this.nodeAs(n) !== want) return false;
      if (port !== 0) {
        const np = this.nodeListenPorts.get(n.name);
        if (np !== undefined && port !== np) return false;
        if (this.globalListenPort !== 0 && this.globalListenPort !== port) return false;
      }
      return true;
    }).map((n) => n.name);
  }

  /** client.go nodeAsBGPPeers. */
  nodeAsPeers(name: string, v4: boolean, v6: boolean, res: BgpPeer, reverse: boolean): V1Peer[] {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) return [];
    const out: V1Peer[] = [];
    for (const a of [v4 ? n.ipv4Address : undefined, v6 ? n.ipv6Address : undefined]) {
      if (!a) continue;
      const port = this.listenPortOf(name);
      out.push({ ip: a.ip, port: port || undefined, asNum: this.nodeAs(n), rrClusterId: n.routeReflectorClusterID, confdCalicoNode: false, res, reverse });
    }
    return out;
  }
}

function cmp(a: string, b: string): number { return a < b ? -1 : a > b ? 1 : 0; }

/**
 * Derives what `nodeName` must do: identity, listen, peers (sorted by name) and advertisement inputs.
 * @throws ConfigErrors if `loaded` has errors; ConfigError if the node is unknown or has no usable router id.
 */
export function deriveNodeConfig(loaded: LoadedConfig, nodeName: string, env: DeriveEnv = {}): NodeBgpConfig {
  if (loaded.errors.length > 0) throw new ConfigErrors(loaded.errors);
  const rs = loaded.resources;
  const secrets = new SecretResolver(loaded.secrets ?? [], env.NAMESPACE);
  const cl = new Cluster(rs, secrets);
  const me = cl.nodes.find((n) => n.name === nodeName);
  if (!me) throw new ConfigError(`no Node resource named "${nodeName}"`, { field: 'Node' });
  const daemon = resolvePetrelSettings(rs.petrel);
  const nodeCfg = rs.bgpConfigurations.find((c) => c.name === `node.${nodeName}`);
  const localAs = cl.nodeAs(me);

  const { routerId, routerIdSource } = deriveRouterId(me, daemon.routerId, env);
  const listen = deriveListen(me, cl, nodeCfg, daemon);

  const meshEnabled = cl.globalCfg?.nodeToNodeMeshEnabled !== false;
  const meshActive = meshEnabled && me.routeReflectorClusterID === undefined;
  const filterByName = new Map(rs.bgpFilters.map((f) => [f.name, f]));

  const peers: PeerConfig[] = [];
  const { globals, nodeSpecific } = v1Peerings(cl, nodeName);
  for (const family of ['ipv4', 'ipv6'] as const) {
    const myIp = family === 'ipv4' ? me.ipv4Address?.ip : me.ipv6Address?.ip;
    if (myIp === undefined) continue; // "# IPv4 disabled on this node." (bird6: IPv6)
    if (meshActive) peers.push(...meshPeers(cl, family, myIp, localAs));
    for (const [kind, list] of [['global', globals], ['node', nodeSpecific]] as const) {
      for (const v of list) {
        if (v.ip.includes(':') !== (family === 'ipv6')) continue;
        const p = buildPeer(v, kind, family, me, myIp, localAs, filterByName, secrets);
        if (p) peers.push(p);
      }
    }
  }
  peers.sort((a, b) => cmp(a.name, b.name));
  if (secrets.errors.length > 0) throw new ConfigErrors(secrets.errors);

  const bgpFilters: Record<string, BgpFilter> = {};
  for (const p of peers) for (const f of p.filters) bgpFilters[f] = filterByName.get(f) as BgpFilter;

  const sev = (nodeCfg?.logSeverityScreen ?? cl.globalCfg?.logSeverityScreen ?? 'Info').toLowerCase();
  return {
    nodeName,
    routerId,
    routerIdSource,
    localAs,
    ...(me.ipv4Address ? { ipv4: me.ipv4Address } : {}),
    ...(me.ipv6Address ? { ipv6: me.ipv6Address } : {}),
    ...(me.routeReflectorClusterID !== undefined ? { rrClusterId: me.routeReflectorClusterID } : {}),
    meshActive,
    listen,
    bgpLogLevel: sev === 'debug' ? 'debug' : sev === 'info' ? 'info' : 'none',
    peers,
    bgpFilters,
    advertisements: deriveAdvertisements(rs, me, cl.globalCfg, nodeCfg, peers, env),
    daemon,
    tunnels: deriveTunnelPlan(rs, nodeName, daemon),
  };
}

function deriveRouterId(me: CalicoNode, petrelId: string | undefined, env: DeriveEnv): Pick<NodeBgpConfig, 'routerId' | 'routerIdSource'> {
  if (petrelId !== undefined) return { routerId: petrelId, routerIdSource: 'petrel' };
  const e = env.CALICO_ROUTER_ID;
  if (e === 'hash') return { routerId: hashToIPv4(me.name), routerIdSource: 'hash' };
  if (e !== undefined && e !== '') {
    if (parseIpv4(e) === undefined) throw new ConfigError(`CALICO_ROUTER_ID must be an IPv4 address or "hash" (got "${e}")`, { field: 'env.CALICO_ROUTER_ID' });
    return { routerId: e, routerIdSource: 'env' };
  }
  if (me.ipv4Address) return { routerId: me.ipv4Address.ip, routerIdSource: 'node-ipv4' };
  throw new ConfigError(`node "${me.name}" has no IPv4 address: set CALICO_ROUTER_ID (an IPv4 address or "hash") or PetrelConfiguration.spec.routerId`, { ...me.loc, field: `Node[${me.name}].spec.bgp.ipv4Address` });
}

function deriveListen(me: CalicoNode, cl: Cluster, nodeCfg: BgpConfiguration | undefined, d: { listenAddress?: string; listenPort?: number }): ListenConfig {
  const cfgPort = d.listenPort ?? nodeCfg?.listenPort ?? cl.globalCfg?.listenPort;
  const out: ListenConfig = { port: cfgPort ?? 179, portConfigured: cfgPort !== undefined };
  if (cl.globalCfg?.bindMode === 'NodeIP') {
    if (me.ipv4Address) out.addressV4 = me.ipv4Address.ip;
    if (me.ipv6Address) out.addressV6 = me.ipv6Address.ip;
  }
  if (d.listenAddress !== undefined) {
    if (d.listenAddress.includes(':')) out.addressV6 = d.listenAddress; else out.addressV4 = d.listenAddress;
  }
  return out;
}

/** bgp_processor.go processMeshPeers for one family. */
function meshPeers(cl: Cluster, family: AddressFamily, myIp: string, localAs: number): PeerConfig[] {
  const g = cl.globalCfg;
  const out: PeerConfig[] = [];
  for (const n of cl.nodes) {
    const ip = family === 'ipv4' ? n.ipv4Address?.ip : n.ipv6Address?.ip;
    if (ip === undefined || ip === myIp || n.routeReflectorClusterID !== undefined) continue;
    const peerAs = cl.nodeAs(n);
    const port = cl.listenPortOf(n.name);
    const p: PeerConfig = {
      name: `Mesh_${peerNameIp(ip)}`, kind: 'mesh', family, peerIp: ip, peerAs, localAs,
      sourceAddress: myIp,
      // Mesh sessions are unidirectional: the higher IP, compared as strings, waits (contract §4.3).
      passive: ip > myIp,
      multihop: BIRD_DEFAULT_MULTIHOP, rrClient: false, nextHopMode: 'auto', filters: [],
      internal: peerAs === localAs, calicoNode: true, origin: 'node-to-node mesh',
    };
    if (port) p.port = port;
    if (g?.nodeMeshPassword) {
      p.password = cl.secrets.resolve(g.nodeMeshPassword, { ...g.loc, field: 'BGPConfiguration[default].spec.nodeMeshPassword.secretKeyRef' });
    }
    if (g?.nodeMeshMaxRestartTime !== undefined) p.gracefulRestartTime = g.nodeMeshMaxRestartTime;
    out.push(p);
  }
  return out;
}

/** `.` (v4) or `:` (v6) → `_`, as confd names protocols. */
export function peerNameIp(ip: string): string {
  return ip.includes(':') ? ip.replaceAll(':', '_') : ip.replaceAll('.', '_');
}

/** client.go updatePeersV1, restricted to the keys of one node: its global and node-specific peerings. */
function v1Peerings(cl: Cluster, me: string): { globals: V1Peer[]; nodeSpecific: V1Peer[] } {
  const globals = new Map<string, V1Peer>();
  const nodeSpecific = new Map<string, V1Peer>();
  const keyOf = (v: V1Peer) => `${v.ip}|${v.port ?? 0}`;
  const emitNode = (v: V1Peer) => {
    const k = keyOf(v);
    if (nodeSpecific.has(k) || globals.has(k)) return; // first wins; a global peering to the same IP/port wins
    nodeSpecific.set(k, v);
  };
  const peers = [...cl.rs.bgpPeers].sort((a, b) => cmp(a.name, b.name));
  for (const globalPass of [true, false]) {
    for (const res of peers) {
      const isGlobal = res.node === undefined && res.nodeSelector === undefined;
      if (globalPass !== isGlobal) continue;
      if (!isGlobal) {
        const locals = res.nodeSelector ? cl.matching(res.nodeSelector) : [res.node as string];
        if (!locals.includes(me)) continue;
      }
      for (const v of forwardPeers(cl, res)) {
        if (globalPass) { if (!globals.has(keyOf(v))) globals.set(keyOf(v), v); } else emitNode(v);
      }
    }
  }
  for (const res of peers) {
    if (res.reversePeering === 'Manual') continue;
    let locals: string[];
    let v4 = false, v6 = false;
    if (res.peerSelector) { locals = cl.matching(res.peerSelector); v4 = v6 = true; }
    else if (res.peerIP) {
      locals = cl.nodesWithIPPortAndAS(res.peerIP.ip, res.asNumber, res.peerIP.port ?? 0);
      if (res.peerIP.ip.includes(':')) v6 = true; else v4 = true;
    } else continue;
    if (!locals.includes(me)) continue;
    const remotes = res.nodeSelector ? cl.matching(res.nodeSelector) : res.node !== undefined ? [res.node] : cl.matching(ALL);
    for (const r of remotes) for (const v of cl.nodeAsPeers(r, v4, v6, res, true)) emitNode(v);
  }
  return { globals: [...globals.values()], nodeSpecific: [...nodeSpecific.values()] };
}

/** The peerings a BGPPeer asks for (before choosing which nodes get them). */
function forwardPeers(cl: Cluster, res: BgpPeer): V1Peer[] {
  if (res.peerSelector) return cl.matching(res.peerSelector).flatMap((n) => cl.nodeAsPeers(n, true, true, res, false));
  const pip = res.peerIP;
  if (!pip) return [];
  let port = pip.port ?? 0;
  if (port === 0) {
    // A port-less peerIP that is a Calico node (same AS) gets that node's listenPort (contract §8.2).
    const names = cl.nodesWithIPPortAndAS(pip.ip, res.asNumber, 0);
    if (names.length > 0) port = cl.listenPortOf(names[0]);
  }
  return [{ ip: pip.ip, port: port || undefined, asNum: res.asNumber as number, confdCalicoNode: cl.nodeIps.has(pip.ip), res, reverse: false }];
}

/** bgp_processor.go buildPeerFromData. Returns undefined for this node's own IP. */
function buildPeer(
  v: V1Peer, kind: Exclude<PeerKind, 'mesh'>, family: AddressFamily, me: CalicoNode, myIp: string, nodeAs: number,
  filters: ReadonlyMap<string, BgpFilter>, secrets: SecretResolver,
): PeerConfig | undefined {
  if (v.ip === myIp) return undefined;
  const r = v.res;
  const prefix = kind === 'global' ? 'Global' : 'Node';
  const localAsOverride = v.reverse ? undefined : r.localASNumber;
  const localAs = localAsOverride ?? nodeAs;
  const ttl = r.ttlSecurity;
  const internal = v.asNum === localAs;
  const p: PeerConfig = {
    name: `${prefix}_${peerNameIp(v.ip)}${v.port ? `_port_${v.port}` : ''}`,
    kind, family, peerIp: v.ip, peerAs: v.asNum, localAs,
    passive: kind === 'global' && v.confdCalicoNode && v.ip > myIp,
    multihop: ttl ?? BIRD_DEFAULT_MULTIHOP,
    rrClient: false,
    nextHopMode: r.nextHopMode === 'Self' ? 'self' : r.nextHopMode === 'Keep' ? 'keep' : 'auto',
    filters: r.filters.filter((f) => filters.has(f)),
    internal,
    // Peers built from node addresses (peerSelector or reverse) always point at a Calico node.
    calicoNode: v.confdCalicoNode || v.reverse || r.peerSelector !== undefined,
    origin: `BGPPeer/${r.name}${v.reverse ? ' (reverse)' : ''}`,
  };
  if (v.port) p.port = v.port;
  if (localAsOverride !== undefined) p.localAsOverride = localAsOverride;
  if ((r.sourceAddress ?? 'UseNodeIP') === 'UseNodeIP') p.sourceAddress = myIp;
  if (ttl !== undefined) p.ttlSecurity = ttl;
  // Legacy keepOriginalNextHop means `next hop keep` for eBGP only.
  if (r.keepOriginalNextHop && !internal) p.nextHopMode = 'keep';
  // RR: this node reflects to iBGP peers outside its cluster (contract §4.3).
  const myRr = me.routeReflectorClusterID;
  if (internal && myRr !== undefined && v.rrClusterId !== myRr) { p.rrClient = true; p.rrClusterId = myRr; }
  if (r.password) p.password = secrets.resolve(r.password, { ...r.loc, field: `BGPPeer[${r.name}].spec.password.secretKeyRef` });
  if (r.maxRestartTime !== undefined) p.gracefulRestartTime = r.maxRestartTime;
  if (r.keepaliveTime !== undefined) p.keepaliveTime = r.keepaliveTime;
  if (r.numAllowedLocalASNumbers) p.allowLocalAs = r.numAllowedLocalASNumbers;
  if (r.reachableBy !== undefined) p.reachableBy = r.reachableBy;
  return p;
}
