/**
 * DOC: derivation of the advertisement inputs of one node: what it originates and how exports and kernel
 * programming are filtered — the data confd renders into bird*_aggr.cfg and bird*_ipam.cfg (contract §4.4, §4.5,
 * §5), as values.
 *
 * Rules kept from confd:
 *  - Blocks: this node's BlockAffinities; `pending` ones are dropped; `confirmed` or state-less ones get a
 *    blackhole and the aggregation rule; `pendingDeletion` keeps its blackhole but loses aggregation. /32 and
 *    /128 blocks get no blackhole. A `deleted: true` affinity is treated as gone (libcalico's KDD client
 *    reports such affinities as not found).
 *  - Pools: export `reject` when disableBGPExport, else `accept`; kernel programming per programClusterRoutes
 *    (default EnabledNoEncapOnly): VXLAN always Felix's; IPIP Petrel's only with Enabled/EnabledIPIPOnly.
 *    IPv4 kernel statements need the node's IPv4 network (CrossSubnet compares next hops to it).
 *  - Services (default BGPConfiguration only): whole ranges are blackholed/exported from every node unless it is
 *    labelled exclude-from-external-load-balancers; single-IP LB entries are per-Service (k8s API, not here);
 *    reject CIDRs are kept regardless. Route reflectors also export LB and external ranges.
 *  - Communities: node.<name> prefixAdvertisements replace the default ones wholesale; names resolve within the
 *    same resource; values are deduplicated and sorted as strings.
 */
import type {
  AddressFamily, AdvertisementInputs, BlockRoute, CommunityRule, InterfacePattern, PeerConfig, PoolAdvertisement,
  PoolKernelAction,
} from './node-config';
import type { BgpConfiguration, CalicoNode, IpPool, ProgramClusterRoutes, ResourceSet } from './resources';

const EXCLUDE_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';
const NORMAL_ROUTE_PRIORITY = 1024;

function familyOf(cidr: string): AddressFamily {
  return cidr.includes(':') ? 'ipv6' : 'ipv4';
}

function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Which pool kinds BIRD/Petrel programs (bgp_processor.go clusterRoutePolicyFromBGPConfig). */
export function clusterRoutePolicy(p: ProgramClusterRoutes): { ipip: boolean; noEncap: boolean } {
  switch (p) {
    case 'Disabled': return { ipip: false, noEncap: false };
    case 'Enabled': return { ipip: true, noEncap: true };
    case 'EnabledIPIPOnly': return { ipip: true, noEncap: false };
    case 'EnabledNoEncapOnly': return { ipip: false, noEncap: true };
  }
}

/** Builds the AdvertisementInputs of node `me`. */
export function deriveAdvertisements(
  rs: ResourceSet, me: CalicoNode, global: BgpConfiguration | undefined, nodeCfg: BgpConfiguration | undefined,
  peers: readonly PeerConfig[], env: { CALICO_ADVERTISE_CLUSTER_IPS?: string },
): AdvertisementInputs {
  const programClusterRoutes = global?.programClusterRoutes ?? 'EnabledNoEncapOnly';
  const policy = clusterRoutePolicy(programClusterRoutes);
  const pools = [...rs.ipPools].sort((a, b) => byString(a.cidr, b.cidr)).map((p) => poolAdvertisement(p, policy, me));
  const ignoredInterfaces = global?.ignoredInterfaces ?? [];
  const directInterfaces: InterfacePattern[] = [
    ...ignoredInterfaces.map((pattern) => ({ pattern, include: false })),
    { pattern: 'cali*', include: false },
    { pattern: 'kube-ipvs*', include: false },
    { pattern: '*', include: true },
  ];
  const reachable = new Map<string, { prefix: string; via: string }>();
  for (const p of peers) {
    if (p.kind === 'mesh' || p.reachableBy === undefined) continue;
    const prefix = `${p.peerIp}/${p.family === 'ipv4' ? 32 : 128}`;
    reachable.set(`${prefix} ${p.reachableBy}`, { prefix, via: p.reachableBy });
  }
  return {
    blocks: deriveBlocks(rs, me.name),
    pools,
    services: deriveServices(global, me, env),
    communities: deriveCommunities(nodeCfg?.prefixAdvertisements !== undefined ? nodeCfg : global),
    ignoredInterfaces,
    directInterfaces,
    programClusterRoutes,
    clusterRoutePolicy: policy,
    normalRoutePriority: {
      ipv4: global?.ipv4NormalRoutePriority ?? NORMAL_ROUTE_PRIORITY,
      ipv6: global?.ipv6NormalRoutePriority ?? NORMAL_ROUTE_PRIORITY,
    },
    reachableByRoutes: [...reachable.values()].sort((a, b) => byString(a.prefix, b.prefix)),
    felixTunnelInterfaces: policy.ipip ? ['*.cali', '*.calico'] : ['*.cali', '*.calico', 'tunl0'],
    felixOwnedPoolCidrs: pools.filter((p) => !p.programmedByPetrel && !p.disableBGPExport).map((p) => p.cidr).sort(byString),
  };
}

function deriveBlocks(rs: ResourceSet, nodeName: string): BlockRoute[] {
  const out: BlockRoute[] = [];
  for (const a of rs.blockAffinities) {
    if (a.node !== nodeName || a.deleted || a.state === 'pending') continue;
    const family = familyOf(a.cidr);
    const len = Number(a.cidr.slice(a.cidr.indexOf('/') + 1));
    const hostRoute = len === (family === 'ipv4' ? 32 : 128);
    const confirmed = a.state === undefined || a.state === 'confirmed';
    out.push({ cidr: a.cidr, family, state: confirmed ? 'confirmed' : 'pendingDeletion', blackhole: !hostRoute, aggregate: confirmed });
  }
  return out.sort((x, y) => byString(x.cidr, y.cidr));
}

function poolAdvertisement(p: IpPool, policy: { ipip: boolean; noEncap: boolean }, me: CalicoNode): PoolAdvertisement {
  const vxlan = p.vxlanMode !== 'Never';
  const ipip = p.ipipMode !== 'Never';
  const programmedByPetrel = !vxlan && (ipip ? policy.ipip : policy.noEncap);
  let kernel: PoolKernelAction | undefined;
  if (vxlan) kernel = { action: 'reject', reason: 'vxlan-felix' };
  else if (!programmedByPetrel) kernel = { action: 'reject', reason: 'felix-owned' };
  else if (p.family === 'ipv6' || p.ipipMode === 'Never') kernel = { action: 'accept', tunnel: 'none' };
  else if (p.ipipMode === 'Always') kernel = { action: 'accept', tunnel: 'tunl0' };
  else if (me.ipv4Address) kernel = { action: 'accept', tunnel: 'crossSubnet', localNetwork: me.ipv4Address.network };
  // confd emits no IPv4 kernel statement at all when the node has no IPv4 network.
  if (p.family === 'ipv4' && !me.ipv4Address) kernel = undefined;
  const out: PoolAdvertisement = {
    name: p.name, cidr: p.cidr, family: p.family, ipipMode: p.ipipMode, vxlanMode: p.vxlanMode, blockSize: p.blockSize,
    natOutgoing: p.natOutgoing, disabled: p.disabled, disableBGPExport: p.disableBGPExport,
    export: p.disableBGPExport ? 'reject' : 'accept', programmedByPetrel,
  };
  if (kernel) out.kernel = kernel;
  return out;
}

function deriveServices(g: BgpConfiguration | undefined, me: CalicoNode, env: { CALICO_ADVERTISE_CLUSTER_IPS?: string }): AdvertisementInputs['services'] {
  const clusterIPs = env.CALICO_ADVERTISE_CLUSTER_IPS ? [env.CALICO_ADVERTISE_CLUSTER_IPS] : [...(g?.serviceClusterIPs ?? [])];
  const externalIPs = [...(g?.serviceExternalIPs ?? [])];
  const loadBalancerIPs = [...(g?.serviceLoadBalancerIPs ?? [])];
  // Single LB addresses are advertised per Service by the route generator, not as global ranges.
  const lbRanges = loadBalancerIPs.filter((c) => !c.endsWith(c.includes(':') ? '/128' : '/32'));
  const ranges = [...new Set([...clusterIPs, ...externalIPs, ...lbRanges])].sort(byString);
  const excludedByLabel = me.labels[EXCLUDE_LABEL] === 'true';
  const rr = me.routeReflectorClusterID !== undefined;
  return {
    clusterIPs, externalIPs, loadBalancerIPs,
    loadBalancerAggregation: g?.serviceLoadBalancerAggregation ?? 'Enabled',
    staticRoutes: excludedByLabel ? [] : ranges,
    rejectCidrs: ranges,
    rrExportRanges: rr ? [...new Set([...loadBalancerIPs, ...externalIPs])].sort(byString) : [],
    excludedByLabel,
  };
}

function deriveCommunities(cfg: BgpConfiguration | undefined): CommunityRule[] {
  const out: CommunityRule[] = [];
  for (const pa of cfg?.prefixAdvertisements ?? []) {
    const values = new Set<string>();
    for (const c of pa.communities) {
      if (/^\d+(:\d+){1,2}$/.test(c)) values.add(c);
      else {
        const def = cfg?.communities.find((d) => d.name === c);
        if (def) values.add(def.value);
      }
    }
    const rule: CommunityRule = { cidr: pa.cidr, family: familyOf(pa.cidr), standard: [], large: [] };
    for (const v of [...values].sort(byString)) {
      const parts = v.split(':').map(Number);
      if (parts.length === 2) rule.standard.push([parts[0], parts[1]]);
      else rule.large.push([parts[0], parts[1], parts[2]]);
    }
    if (rule.standard.length + rule.large.length > 0) out.push(rule);
  }
  return out;
}
