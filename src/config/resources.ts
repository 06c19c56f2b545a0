/**
 * DOC: the validated shapes of the configuration resources Petrel reads.
 *
 * Owns the typed, already-validated form of the Calico v3 resources relevant to BGP (api/pkg/apis/projectcalico/v3,
 * see calico-contract.md §8) plus Petrel's own `PetrelConfiguration` (apiVersion `petrel/v1`). The loader
 * (`load.ts`) produces these from YAML; `derive.ts` turns them into one node's NodeBgpConfig.
 * Invariants: every CIDR here is canonical (host bits cleared, RFC 5952 for IPv6), every AS number is a
 * plain integer 1..4294967295, durations are whole seconds, selectors are parsed. `loc` points into the source.
 */
import type { ConfigLocation } from '../util/errors';
import type { Labels, Selector } from './selector';

/** The Calico API group/version all Calico kinds must carry. */
export const CALICO_API_VERSION = 'projectcalico.org/v3';
/** The API group/version of Petrel's own daemon settings. */
export const PETREL_API_VERSION = 'petrel/v1';

/** Common to all resources: name, labels and where the resource starts in its file. */
export interface ResourceMeta {
  name: string;
  labels: Labels;
  loc: ConfigLocation;
}

/** A reference to a Kubernetes secret key (BGP MD5 passwords). Petrel records it but does not resolve it. */
export interface SecretKeyRef {
  name: string;
  key: string;
}

export type EncapMode = 'Never' | 'Always' | 'CrossSubnet';
export type ProgramClusterRoutes = 'Enabled' | 'Disabled' | 'EnabledIPIPOnly' | 'EnabledNoEncapOnly';

/** A named community (`aa:nn` or `aa:nn:mm`) from BGPConfiguration.communities. */
export interface CommunityDef {
  name: string;
  value: string;
}

/** BGPConfiguration.prefixAdvertisements entry; `communities` holds values or names of CommunityDefs. */
export interface PrefixAdvertisement {
  cidr: string;
  communities: string[];
}

/** BGPConfiguration (`default` or `node.<name>`). Unset optional fields stay undefined (Calico defaults apply later). */
export interface BgpConfiguration extends ResourceMeta {
  kind: 'BGPConfiguration';
  logSeverityScreen?: string;
  nodeToNodeMeshEnabled?: boolean;
  asNumber?: number;
  serviceClusterIPs: string[];
  serviceExternalIPs: string[];
  serviceLoadBalancerIPs: string[];
  serviceLoadBalancerAggregation?: 'Enabled' | 'Disabled';
  communities: CommunityDef[];
  prefixAdvertisements?: PrefixAdvertisement[];
  listenPort?: number;
  nodeMeshPassword?: SecretKeyRef;
  nodeMeshMaxRestartTime?: number;
  bindMode?: 'None' | 'NodeIP';
  ignoredInterfaces?: string[];
  localWorkloadPeeringIPV4?: string;
  localWorkloadPeeringIPV6?: string;
  programClusterRoutes?: ProgramClusterRoutes;
  ipv4NormalRoutePriority?: number;
  ipv6NormalRoutePriority?: number;
}

/** BGPPeer. `peerIP` is split into address and optional port. */
export interface BgpPeer extends ResourceMeta {
  kind: 'BGPPeer';
  node?: string;
  nodeSelector?: Selector;
  peerIP?: { ip: string; port?: number };
  asNumber?: number;
  localASNumber?: number;
  peerSelector?: Selector;
  keepOriginalNextHop: boolean;
  nextHopMode?: 'Auto' | 'Self' | 'Keep';
  password?: SecretKeyRef;
  sourceAddress?: 'UseNodeIP' | 'None';
  maxRestartTime?: number;
  keepaliveTime?: number;
  numAllowedLocalASNumbers?: number;
  ttlSecurity?: number;
  reachableBy?: string;
  filters: string[];
  reversePeering?: 'Auto' | 'Manual';
}

/** A node's address: the IP, its prefix length and the canonical network CIDR. */
export interface NodeAddress {
  ip: string;
  prefixLength: number;
  network: string;
}

/** Node (only the BGP-relevant parts of spec). */
export interface CalicoNode extends ResourceMeta {
  kind: 'Node';
  ipv4Address?: NodeAddress;
  ipv6Address?: NodeAddress;
  asNumber?: number;
  routeReflectorClusterID?: string;
  ipv4IPIPTunnelAddr?: string;
  /** `spec.ipv4VXLANTunnelAddr`: the address of this node's `vxlan.calico` (its VTEP's overlay IP). */
  ipv4VXLANTunnelAddr?: string;
  /** `spec.vxlanTunnelMACAddr`: the MAC of this node's `vxlan.calico`, lower-case `aa:bb:cc:dd:ee:ff`. */
  vxlanTunnelMACAddr?: string;
}

/** IPPool. */
export interface IpPool extends ResourceMeta {
  kind: 'IPPool';
  cidr: string;
  family: 'ipv4' | 'ipv6';
  ipipMode: EncapMode;
  vxlanMode: EncapMode;
  natOutgoing: boolean;
  disableBGPExport: boolean;
  disabled: boolean;
  blockSize: number;
  nodeSelector?: Selector;
}

/** BlockAffinity (IPAM: which node owns which block). */
export interface BlockAffinity extends ResourceMeta {
  kind: 'BlockAffinity';
  node: string;
  cidr: string;
  state?: 'confirmed' | 'pending' | 'pendingDeletion';
  deleted: boolean;
}

/** One BGPFilter rule. */
export interface BgpFilterRule {
  action: 'Accept' | 'Reject';
  cidr?: string;
  matchOperator?: 'Equal' | 'NotEqual' | 'In' | 'NotIn';
  prefixLength?: { min?: number; max?: number };
  source?: 'RemotePeers';
  interface?: string;
  peerType?: 'eBGP' | 'iBGP';
  communities?: { values: string[] };
  asPathPrefix?: number[];
  priority?: number;
  operations?: BgpFilterOperation[];
}

/** A BGPFilter operation (Accept rules only). */
export type BgpFilterOperation =
  | { addCommunity: { value: string } }
  | { prependASPath: { prefix: number[] } }
  | { setPriority: { value: number } };

/** BGPFilter: four ordered rule lists. */
export interface BgpFilter extends ResourceMeta {
  kind: 'BGPFilter';
  exportV4: BgpFilterRule[];
  importV4: BgpFilterRule[];
  exportV6: BgpFilterRule[];
  importV6: BgpFilterRule[];
}

/** Petrel's daemon-local settings (`kind: PetrelConfiguration`, `apiVersion: petrel/v1`), all optional. */
export interface PetrelConfiguration extends ResourceMeta {
  kind: 'PetrelConfiguration';
  spec: Partial<PetrelSettingsInput>;
}

/** The PetrelConfiguration spec fields as written (see `PetrelSettings` for the defaulted form). */
export interface PetrelSettingsInput {
  nodeName: string;
  listenAddress: string;
  listenPort: number;
  routerId: string;
  controlSocket: string;
  controlSocketV6: string;
  apiListen: string;
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  fib: Partial<{ enabled: boolean; table: number; protocol: number; mergePaths: boolean; scanTime: number; learn: boolean; nexthopObjects: boolean }>;
  timers: Partial<{
    holdTime: number;
    keepaliveTime: number;
    connectDelayTime: number;
    connectRetryTime: number;
    errorWaitMin: number;
    errorWaitMax: number;
  }>;
  gracefulRestart: Partial<{ enabled: boolean; restartTime: number; waitTime: number }>;
  /** Tunnel device management (src/config/tunnels.ts): `auto` manages a device when an IPPool uses its mode. */
  tunnels: Partial<{ ipip: 'auto' | 'off'; vxlan: 'auto' | 'off'; ipipMtu: number; vxlanMtu: number; vxlanVni: number; vxlanPort: number }>;
}

/** Any resource the loader understands. */
export type Resource =
  | BgpConfiguration
  | BgpPeer
  | CalicoNode
  | IpPool
  | BlockAffinity
  | BgpFilter
  | PetrelConfiguration;

/** A non-fatal finding (unsupported field, ignored setting), with its location. */
export interface ConfigWarning {
  message: string;
  loc: ConfigLocation;
}

/** Everything read from the configuration sources, grouped by kind. */
export interface ResourceSet {
  bgpConfigurations: BgpConfiguration[];
  bgpPeers: BgpPeer[];
  nodes: CalicoNode[];
  ipPools: IpPool[];
  blockAffinities: BlockAffinity[];
  bgpFilters: BgpFilter[];
  petrel?: PetrelConfiguration;
}
