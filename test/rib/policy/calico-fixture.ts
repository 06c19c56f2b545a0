/**
 * DOC: a Calico policy input shaped like the contract's example (calico-contract.md §4.4/§4.5): this node owns
 * block 192.168.10.0/26 (confirmed) and 192.168.10.64/26 (pendingDeletion); pools 10.9.0.0/16 (BGP export
 * disabled), 10.244.0.0/16 (VXLAN), 172.16.0.0/16 (IPIP CrossSubnet, node subnet 10.192.0.0/16),
 * 172.17.0.0/16 (no encapsulation), 192.168.0.0/16 (IPIP Always), fd00:10::/48 (IPv6, no encapsulation);
 * service range 10.101.0.0/16; communities for 192.168.0.0/16.
 */
import type { PoolAdvertisement, PoolKernelAction } from '../../../src/config/node-config';
import type { BgpFilter } from '../../../src/config/resources';
import type { CalicoPolicyInput } from '../../../src/rib/policy/calico';

export function pool(name: string, cidr: string, over: Partial<PoolAdvertisement>, kernel?: PoolKernelAction): PoolAdvertisement {
  const p: PoolAdvertisement = {
    name, cidr, family: cidr.includes(':') ? 'ipv6' : 'ipv4', ipipMode: 'Never', vxlanMode: 'Never', blockSize: 26,
    natOutgoing: false, disabled: false, disableBGPExport: false, export: 'accept', programmedByPetrel: true, ...over,
  };
  if (kernel) p.kernel = kernel;
  return p;
}

export function filter(name: string, over: Partial<BgpFilter>): BgpFilter {
  return {
    kind: 'BGPFilter', name, labels: {}, loc: {}, exportV4: [], importV4: [], exportV6: [], importV6: [], ...over,
  };
}

export function calicoInput(over: { felixTunnelInterfaces?: string[]; bgpFilters?: Record<string, BgpFilter>; rrExportRanges?: string[] } = {}): CalicoPolicyInput {
  return {
    advertisements: {
      blocks: [
        { cidr: '192.168.10.0/26', family: 'ipv4', state: 'confirmed', blackhole: true, aggregate: true },
        { cidr: '192.168.10.64/26', family: 'ipv4', state: 'pendingDeletion', blackhole: true, aggregate: false },
        { cidr: 'fd00:10:0:1::/122', family: 'ipv6', state: 'confirmed', blackhole: true, aggregate: true },
      ],
      pools: [
        pool('disabled', '10.9.0.0/16', { disableBGPExport: true, export: 'reject' }, { action: 'accept', tunnel: 'none' }),
        pool('vxlan', '10.244.0.0/16', { vxlanMode: 'Always', programmedByPetrel: false }, { action: 'reject', reason: 'vxlan-felix' }),
        pool('cross', '172.16.0.0/16', { ipipMode: 'CrossSubnet' }, { action: 'accept', tunnel: 'crossSubnet', localNetwork: '10.192.0.0/16' }),
        pool('plain', '172.17.0.0/16', {}, { action: 'accept', tunnel: 'none' }),
        pool('ipip', '192.168.0.0/16', { ipipMode: 'Always' }, { action: 'accept', tunnel: 'tunl0' }),
        pool('v6', 'fd00:10::/48', { blockSize: 122 }, { action: 'accept', tunnel: 'none' }),
        pool('v6vxlan', 'fd00:20::/48', { vxlanMode: 'Always', programmedByPetrel: false, blockSize: 122 }, { action: 'reject', reason: 'vxlan-felix' }),
      ],
      services: {
        clusterIPs: ['10.101.0.0/16'], externalIPs: [], loadBalancerIPs: [], loadBalancerAggregation: 'Enabled',
        staticRoutes: ['10.101.0.0/16'], rejectCidrs: ['10.101.0.0/16'], rrExportRanges: over.rrExportRanges ?? [], excludedByLabel: false,
      },
      communities: [{ cidr: '192.168.0.0/16', family: 'ipv4', standard: [[100, 6532]], large: [[100, 555, 107]] }],
      normalRoutePriority: { ipv4: 1024, ipv6: 1024 },
      felixTunnelInterfaces: over.felixTunnelInterfaces ?? ['*.cali', '*.calico', 'tunl0'],
    },
    bgpFilters: over.bgpFilters ?? {},
  };
}
