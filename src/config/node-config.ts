/**
 * DOC: NodeBgpConfig, the per-node result of configuration derivation: what this Petrel instance must do.
 *
 * This is the contract between `src/config/` and the rest of the daemon (sessions, RIB export, FIB). It holds the
 * same facts confd renders into bird.cfg / bird6.cfg / bird*_aggr.cfg / bird*_ipam.cfg (calico-contract.md §4),
 * as data instead of BIRD text. Invariants: `peers` is sorted by name (byte order, as confd's sort.Slice), names
 * are unique, every IP is canonical text, AS numbers are integers, times are whole seconds.
 */
import type {
  BgpFilter, EncapMode, NodeAddress, ProgramClusterRoutes, SecretKeyRef,
} from './resources';
import type { PetrelSettings } from './settings';
import type { TunnelPlan } from './tunnels';
import type { ResolvedPassword } from './secrets';

export type AddressFamily = 'ipv4' | 'ipv6';

/** Where a peer came from: node-to-node mesh, a global BGPPeer, or a node-specific BGPPeer. */
export type PeerKind = 'mesh' | 'global' | 'node';

/** One BGP session as confd would render a `protocol bgp <name>` stanza. */
export interface PeerConfig {
  /** BIRD protocol name: `Mesh_10_0_0_2`, `Global_10_0_0_1`, `Node_10_0_0_1_port_1790`, `Mesh_fd00__2`. */
  name: string;
  kind: PeerKind;
  family: AddressFamily;
  peerIp: string;
  /** TCP port of the peer; undefined means 179. Explicit in peerIP, or auto-filled from the peer node's listenPort. */
  port?: number;
  peerAs: number;
  /** The per-peer `local as` (BGPPeer localASNumber); undefined when the node's AS applies. */
  localAsOverride?: number;
  /** The effective local AS: localAsOverride, else the node's AS. */
  localAs: number;
  /** `source address`: this node's IP of the peer's family (sourceAddress UseNodeIP, the default); else undefined. */
  sourceAddress?: string;
  /** `passive on`: never connect, only accept. */
  passive: boolean;
  /** GTSM hop count (`ttl security on; multihop N`); undefined means `ttl security off; multihop` (64). */
  ttlSecurity?: number;
  /** The multihop TTL BIRD would use: ttlSecurity, else 64. */
  multihop: number;
  /** `rr client; rr cluster id <rrClusterId>`: this node reflects to the peer. */
  rrClient: boolean;
  rrClusterId?: string;
  /** `next hop self` / `next hop keep` / nothing. */
  nextHopMode: 'auto' | 'self' | 'keep';
  /** TCP MD5 password: the secret reference, resolved from a `kind: Secret` in the configuration (secrets.ts). */
  password?: { secretKeyRef: SecretKeyRef; resolved: false } | ResolvedPassword;
  /** `graceful restart time` in seconds (maxRestartTime / nodeMeshMaxRestartTime). */
  gracefulRestartTime?: number;
  /** `keepalive time` in seconds. */
  keepaliveTime?: number;
  /** `allow local as N`. */
  allowLocalAs?: number;
  /** BGPFilter names in application order (only filters that exist). */
  filters: string[];
  /** iBGP: peer AS equals the effective local AS (`calico_export_to_bgp_peers(true)`). */
  internal: boolean;
  /** The peer IP is a Calico node's BGP address. */
  calicoNode: boolean;
  /** Gateway of a static host route to peerIP (`route <peerIP>/32 via <reachableBy>`). */
  reachableBy?: string;
  /** Human-readable provenance: `node-to-node mesh`, `BGPPeer/<name>`, `BGPPeer/<name> (reverse)`. */
  origin: string;
}

/** Where and how to listen for BGP connections. */
export interface ListenConfig {
  /** Effective port (179 unless listenPort is configured). */
  port: number;
  /** Whether a listenPort was configured (BIRD renders `listen bgp port N` only then). */
  portConfigured: boolean;
  /** Bind address for IPv4 (bindMode NodeIP or PetrelConfiguration.listenAddress); undefined = all addresses. */
  addressV4?: string;
  /** Bind address for IPv6. */
  addressV6?: string;
}

/** One of this node's IPAM blocks. */
export interface BlockRoute {
  cidr: string;
  family: AddressFamily;
  /** `confirmed` also covers affinities with no state (implicitly confirmed). */
  state: 'confirmed' | 'pendingDeletion';
  /** Install/originate `route <cidr> blackhole` (false for /32 and /128 blocks). */
  blackhole: boolean;
  /** Emit the calico_aggr lines: export the block, suppress more-specifics unless krt_metric < normal priority. */
  aggregate: boolean;
}

/** How routes of a pool are programmed into the kernel by Petrel (calico_kernel_programming). */
export type PoolKernelAction =
  | { action: 'accept'; tunnel: 'none' }
  | { action: 'accept'; tunnel: 'tunl0' }
  | { action: 'accept'; tunnel: 'crossSubnet'; localNetwork: string }
  | { action: 'reject'; reason: 'vxlan-felix' | 'felix-owned' };

/** An IPPool as the export and kernel filters see it. */
export interface PoolAdvertisement {
  name: string;
  cidr: string;
  family: AddressFamily;
  ipipMode: EncapMode;
  vxlanMode: EncapMode;
  blockSize: number;
  natOutgoing: boolean;
  disabled: boolean;
  disableBGPExport: boolean;
  /** Export to BGP peers: `reject` when disableBGPExport, else `accept` (VXLAN pools too). */
  export: 'accept' | 'reject';
  /** Whether Petrel (not Felix) programs this pool's cluster routes, per programClusterRoutes. */
  programmedByPetrel: boolean;
  /** Kernel programming; undefined for IPv4 when the node has no IPv4 network (confd emits nothing then). */
  kernel?: PoolKernelAction;
}

/** Communities added on export to routes within `cidr` (BGPConfiguration.prefixAdvertisements). */
export interface CommunityRule {
  cidr: string;
  family: AddressFamily;
  standard: [number, number][];
  large: [number, number, number][];
}

/** An interface glob of the `direct` protocol, first match wins. */
export interface InterfacePattern {
  pattern: string;
  include: boolean;
}

/** Service advertisement from BGPConfiguration (whole ranges; per-Service /32s need the k8s API and are not here). */
export interface ServiceAdvertisement {
  clusterIPs: string[];
  externalIPs: string[];
  loadBalancerIPs: string[];
  loadBalancerAggregation: 'Enabled' | 'Disabled';
  /** Ranges this node blackholes and exports (empty when the node is excluded by label). */
  staticRoutes: string[];
  /** Ranges never programmed into the kernel (always, even when excluded). */
  rejectCidrs: string[];
  /** On a route reflector: LB and external ranges it also exports. Empty elsewhere. */
  rrExportRanges: string[];
  /** The node has `node.kubernetes.io/exclude-from-external-load-balancers=true`. */
  excludedByLabel: boolean;
}

/** Everything that decides what this node originates and how exports/kernel programming are filtered. */
export interface AdvertisementInputs {
  blocks: BlockRoute[];
  pools: PoolAdvertisement[];
  services: ServiceAdvertisement;
  communities: CommunityRule[];
  ignoredInterfaces: string[];
  directInterfaces: InterfacePattern[];
  programClusterRoutes: ProgramClusterRoutes;
  /** Which pool kinds Petrel programs (derived from programClusterRoutes). */
  clusterRoutePolicy: { ipip: boolean; noEncap: boolean };
  normalRoutePriority: { ipv4: number; ipv6: number };
  /** `route <peer>/32 via <gw>` for peers with reachableBy. */
  reachableByRoutes: { prefix: string; via: string }[];
  /** iBGP export rejects routes leaving via these interfaces (Felix-programmed tunnels). */
  felixTunnelInterfaces: string[];
  /** iBGP export rejects kernel-learned routes with a next hop into these pools (Felix-owned, exportable pools). */
  felixOwnedPoolCidrs: string[];
}

/** The derived BGP configuration of one node. */
export interface NodeBgpConfig {
  nodeName: string;
  routerId: string;
  /** What decided the router id. */
  routerIdSource: 'petrel' | 'env' | 'hash' | 'node-ipv4';
  /** The node's AS: Node spec.bgp.asNumber, else BGPConfiguration default asNumber, else 64512. */
  localAs: number;
  ipv4?: NodeAddress;
  ipv6?: NodeAddress;
  /** Set when this node is a route reflector. */
  rrClusterId?: string;
  /** Whether mesh peers were generated (mesh enabled and this node not an RR). */
  meshActive: boolean;
  listen: ListenConfig;
  /** confd's BIRD debug level from logSeverityScreen: debug → `debug all`, info → states, none. */
  bgpLogLevel: 'debug' | 'info' | 'none';
  peers: PeerConfig[];
  /** The BGPFilters referenced by peers, by name. */
  bgpFilters: Record<string, BgpFilter>;
  advertisements: AdvertisementInputs;
  daemon: PetrelSettings;
  /** Tunnel devices to manage (src/config/tunnels.ts); optional so hand-built configs may omit it. */
  tunnels?: TunnelPlan;
}
