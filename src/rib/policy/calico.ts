/**
 * DOC: Calico's BIRD filters as policies: what confd renders into bird.cfg / bird_aggr.cfg / bird_ipam.cfg
 * (calico-contract.md §4.2–§4.5), built from the derived NodeBgpConfig instead of text.
 *
 * Functions (one FunctionTable per family, shared by every peer's policy):
 *  - `reject_local_routes`: `ifname ~ "bpf*.cali"` → reject;
 *  - `apply_communities`: per prefixAdvertisement, `net ~ cidr` → add its communities;
 *  - `calico_aggr`: per confirmed block, `net = block` accept, `net ~ block && krt_metric < normal` accept,
 *    `net ~ block` reject;
 *  - `calico_export_to_bgp_peers` (its bool `internal_peer` is the context's `peerInternal`), first match:
 *    disabled pools reject; iBGP: routes via Felix tunnel devices reject; reject_local_routes; apply_communities;
 *    calico_aggr; static/service routes accept; RR service ranges accept; exportable pools accept;
 *  - each BGPFilter's `bgp_<name>_{import,export}FilterV{4,6}` (bgp-filter.ts).
 * Policies:
 *  - per-peer import: BGPFilter import calls in `filters` order, then `local_pref > MAX - normal → preference
 *    200`, accept;
 *  - per-peer export: the krt_metric/local_pref prelude, BGPFilter export calls, calico_export_to_bgp_peers, reject;
 *  - kernel `calico_kernel_programming`: service reject CIDRs; BGP routes without krt_metric get it from local_pref
 *    (preference 200 when elevated); WireGuard next hops reject; pools in config order (IPIP → krt_tunnel,
 *    CrossSubnet by next hop in the node subnet, no-encap accept, Felix-owned/VXLAN reject); accept.
 * "1024" in the contract is the family's `normalRoutePriority` (ipv4/ipv6NormalRoutePriority, default 1024).
 * Import and export policies depend only on the peer's filter list (iBGP-ness is a context value), so peers with
 * the same filters share one compiled policy: the natural update-group key.
 */
import type { AddressFamily, AdvertisementInputs } from '../../config/node-config';
import type { BgpFilter } from '../../config/resources';
import { bgpFilterFunction, bgpFilterFunctionName, filterRules } from './bgp-filter';
import { compilePolicy, FunctionTable, type CompiledPolicy } from './policy';
import { BIRD_INT_MAX, type Action, type Condition, type FunctionDef, type PolicyDef, type Rule } from './types';

/**
 * The parts of NodeBgpConfig the Calico policies read (NodeBgpConfig satisfies it as is). `wireguardNextHops` is
 * not in NodeBgpConfig yet: the remote nodes' WireGuard addresses, only when this node has one (master).
 */
export interface CalicoPolicyInput {
  advertisements: Pick<
    AdvertisementInputs, 'blocks' | 'pools' | 'services' | 'communities' | 'normalRoutePriority' | 'felixTunnelInterfaces'
  >;
  bgpFilters: Record<string, BgpFilter>;
  wireguardNextHops?: { ipv4: string[]; ipv6: string[] };
}

/** The parts of PeerConfig a peer's policies depend on. */
export interface CalicoPeerInput {
  name: string;
  /** BGPFilter names in application order. */
  filters: readonly string[];
}

export const FN_REJECT_LOCAL_ROUTES = 'reject_local_routes';
export const FN_APPLY_COMMUNITIES = 'apply_communities';
export const FN_CALICO_AGGR = 'calico_aggr';
export const FN_EXPORT_TO_BGP_PEERS = 'calico_export_to_bgp_peers';
export const KERNEL_FILTER_NAME = 'calico_kernel_programming';

const within = (prefix: string): Condition => ({ kind: 'prefix', op: 'within', prefix });
const ofFamily = <T extends { family: AddressFamily }>(xs: readonly T[], f: AddressFamily): T[] => xs.filter((x) => x.family === f);
const cidrsOf = (xs: readonly string[], f: AddressFamily): string[] => xs.filter((c) => c.includes(':') === (f === 'ipv6'));

function normalPriority(input: CalicoPolicyInput, family: AddressFamily): number {
  return input.advertisements.normalRoutePriority[family];
}

/** `reject_local_routes()` (bird_ipam.cfg). */
export function rejectLocalRoutesDef(): FunctionDef {
  return {
    name: FN_REJECT_LOCAL_ROUTES,
    rules: [{ match: [{ kind: 'defined', attr: 'ifname' }, { kind: 'ifname', glob: 'bpf*.cali' }], actions: [{ kind: 'reject' }] }],
  };
}

/** `apply_communities()` (bird.cfg): BGPConfiguration.prefixAdvertisements. */
export function applyCommunitiesDef(input: CalicoPolicyInput, family: AddressFamily): FunctionDef {
  const rules: Rule[] = ofFamily(input.advertisements.communities, family).map((c) => ({
    match: [within(c.cidr)],
    actions: [
      ...c.standard.map((v): Action => ({ kind: 'addCommunity', value: [v[0], v[1]] })),
      ...c.large.map((v): Action => ({ kind: 'addLargeCommunity', value: [v[0], v[1], v[2]] })),
    ],
  }));
  return { name: FN_APPLY_COMMUNITIES, rules };
}

/** `calico_aggr()` (bird_aggr.cfg): three lines per confirmed block of this node. */
export function calicoAggrDef(input: CalicoPolicyInput, family: AddressFamily): FunctionDef {
  const normal = normalPriority(input, family);
  const rules: Rule[] = [];
  for (const b of ofFamily(input.advertisements.blocks, family)) {
    if (!b.aggregate) continue;
    const comment = `Block ${b.cidr} is confirmed`;
    rules.push(
      { match: [{ kind: 'prefix', op: 'equal', prefix: b.cidr }], actions: [{ kind: 'accept' }], comment },
      { match: [within(b.cidr), { kind: 'krtMetric', op: '<', value: normal }], actions: [{ kind: 'accept' }] },
      { match: [within(b.cidr)], actions: [{ kind: 'reject' }] },
    );
  }
  return { name: FN_CALICO_AGGR, rules };
}

/** `calico_export_to_bgp_peers(internal_peer)` (bird_ipam.cfg); the bool is `ctx.peerInternal`. */
export function exportToBgpPeersDef(input: CalicoPolicyInput, family: AddressFamily): FunctionDef {
  const a = input.advertisements;
  const pools = ofFamily(a.pools, family);
  const rules: Rule[] = [];
  for (const p of pools) {
    if (p.disableBGPExport) rules.push({ match: [within(p.cidr)], actions: [{ kind: 'reject' }], comment: 'BGP export is disabled.' });
  }
  if (a.felixTunnelInterfaces.length > 0) {
    rules.push({
      match: [
        { kind: 'peerType', internal: true }, { kind: 'defined', attr: 'ifname' },
        { kind: 'any', conds: a.felixTunnelInterfaces.map((glob): Condition => ({ kind: 'ifname', glob })) },
      ],
      actions: [{ kind: 'reject' }],
      comment: 'iBGP: routes via tunnel devices programmed by Felix',
    });
  }
  rules.push(
    { actions: [{ kind: 'call', fn: FN_REJECT_LOCAL_ROUTES }] },
    { actions: [{ kind: 'call', fn: FN_APPLY_COMMUNITIES }] },
    { actions: [{ kind: 'call', fn: FN_CALICO_AGGR }] },
  );
  for (const c of cidrsOf(a.services.staticRoutes, family)) rules.push({ match: [within(c)], actions: [{ kind: 'accept' }], comment: 'static route' });
  for (const c of cidrsOf(a.services.rrExportRanges, family)) rules.push({ match: [within(c)], actions: [{ kind: 'accept' }], comment: 'route reflector service range' });
  for (const p of pools) {
    if (p.export === 'accept') rules.push({ match: [within(p.cidr)], actions: [{ kind: 'accept' }], comment: `IP pool ${p.name}` });
  }
  return { name: FN_EXPORT_TO_BGP_PEERS, rules };
}

/** Every function of one family: Calico's four plus each BGPFilter's non-empty directions. */
export function calicoFunctionDefs(input: CalicoPolicyInput, family: AddressFamily): FunctionDef[] {
  const defs = [
    applyCommunitiesDef(input, family), calicoAggrDef(input, family), rejectLocalRoutesDef(), exportToBgpPeersDef(input, family),
  ];
  for (const name of Object.keys(input.bgpFilters).sort()) {
    const f = input.bgpFilters[name];
    for (const dir of ['import', 'export'] as const) {
      const fn = bgpFilterFunction(f, dir, family);
      if (fn) defs.push(fn);
    }
  }
  return defs;
}

/** Calls of the peer's BGPFilter functions for one direction, in `filters` order (filters without rules skipped). */
function filterCalls(input: CalicoPolicyInput, peer: CalicoPeerInput, dir: 'import' | 'export', family: AddressFamily): Rule[] {
  const out: Rule[] = [];
  for (const name of peer.filters) {
    const f = input.bgpFilters[name];
    if (!f || filterRules(f, dir, family).length === 0) continue;
    out.push({ actions: [{ kind: 'call', fn: bgpFilterFunctionName(f.name, dir, family) }] });
  }
  return out;
}

/** The peer's inline import filter. */
export function calicoImportPolicyDef(input: CalicoPolicyInput, peer: CalicoPeerInput, family: AddressFamily): PolicyDef {
  return {
    name: `import:${peer.name}`,
    default: 'accept',
    rules: [
      ...filterCalls(input, peer, 'import', family),
      {
        match: [{ kind: 'defined', attr: 'localPref' }, { kind: 'localPref', op: '>', value: BIRD_INT_MAX - normalPriority(input, family) }],
        actions: [{ kind: 'setPreference', value: 200 }],
        comment: 'elevated priority (KubeVirt live migration) wins over local routes',
      },
      { actions: [{ kind: 'accept' }] },
    ],
  };
}

/** The peer's inline export filter. */
export function calicoExportPolicyDef(input: CalicoPolicyInput, peer: CalicoPeerInput, family: AddressFamily): PolicyDef {
  const normal = normalPriority(input, family);
  return {
    name: `export:${peer.name}`,
    default: 'reject',
    rules: [
      {
        match: [{ kind: 'defined', attr: 'source' }, { kind: 'source', is: 'bgp' }, { kind: 'defined', attr: 'localPref' }],
        actions: [{ kind: 'krtMetricFromLocalPref' }],
        else: [
          { kind: 'if', match: [{ kind: 'not', cond: { kind: 'defined', attr: 'krtMetric' } }], then: [{ kind: 'setKrtMetric', value: normal }] },
          { kind: 'localPrefFromKrtMetric' },
        ],
        comment: 'priority ↔ local_pref prelude',
      },
      ...filterCalls(input, peer, 'export', family),
      { actions: [{ kind: 'call', fn: FN_EXPORT_TO_BGP_PEERS }] },
      { actions: [{ kind: 'reject' }] },
    ],
  };
}

/** `filter calico_kernel_programming` (bird_ipam.cfg). */
export function calicoKernelPolicyDef(input: CalicoPolicyInput, family: AddressFamily): PolicyDef {
  const a = input.advertisements;
  const normal = normalPriority(input, family);
  const rules: Rule[] = [];
  for (const c of cidrsOf(a.services.rejectCidrs, family)) rules.push({ match: [within(c)], actions: [{ kind: 'reject' }], comment: 'service range' });
  rules.push({
    match: [{ kind: 'defined', attr: 'source' }, { kind: 'source', is: 'bgp' }, { kind: 'not', cond: { kind: 'defined', attr: 'krtMetric' } }],
    actions: [
      { kind: 'setKrtMetric', value: normal },
      { kind: 'if', match: [{ kind: 'defined', attr: 'localPref' }], then: [{ kind: 'krtMetricFromLocalPref' }] },
      { kind: 'if', match: [{ kind: 'krtMetric', op: '<', value: normal }], then: [{ kind: 'setPreference', value: 200 }] },
    ],
  });
  for (const nh of input.wireguardNextHops?.[family] ?? []) {
    rules.push({
      match: [{ kind: 'defined', attr: 'nextHop' }, { kind: 'nextHop', op: 'equal', value: nh }],
      actions: [{ kind: 'reject' }], comment: 'WireGuard routes handled by Felix.',
    });
  }
  for (const p of ofFamily(a.pools, family)) {
    const k = p.kernel;
    if (!k) continue;
    if (k.action === 'reject') {
      rules.push({ match: [within(p.cidr)], actions: [{ kind: 'reject' }], comment: k.reason === 'vxlan-felix' ? 'VXLAN routes are handled by Felix.' : 'Cluster routes are handled by Felix.' });
    } else if (family === 'ipv6') {
      // bird6: only reject statements are emitted (accept is the default).
      continue;
    } else if (k.tunnel === 'crossSubnet') {
      rules.push({
        match: [within(p.cidr)],
        actions: [
          {
            kind: 'if',
            match: [{ kind: 'defined', attr: 'nextHop' }, { kind: 'nextHop', op: 'within', value: k.localNetwork }],
            then: [{ kind: 'setKrtTunnel', value: '' }],
            else: [{ kind: 'setKrtTunnel', value: 'tunl0' }],
          },
          { kind: 'accept' },
        ],
        comment: 'IPIP CrossSubnet',
      });
    } else if (k.tunnel === 'tunl0') {
      rules.push({ match: [within(p.cidr)], actions: [{ kind: 'setKrtTunnel', value: 'tunl0' }, { kind: 'accept' }], comment: 'IPIP Always' });
    } else {
      rules.push({ match: [within(p.cidr)], actions: [{ kind: 'accept' }], comment: 'no encapsulation' });
    }
  }
  rules.push({ actions: [{ kind: 'accept' }] });
  return { name: KERNEL_FILTER_NAME, default: 'accept', rules };
}

/**
 * The compiled Calico policies of one family, with compiled functions shared and per-peer policies cached by
 * filter list. Build a new instance when the configuration changes (policies are immutable).
 */
export class CalicoPolicies {
  readonly functions: FunctionTable;
  readonly kernel: CompiledPolicy;
  private readonly imports = new Map<string, CompiledPolicy>();
  private readonly exports = new Map<string, CompiledPolicy>();

  constructor(private readonly input: CalicoPolicyInput, readonly family: AddressFamily) {
    this.functions = new FunctionTable(calicoFunctionDefs(input, family));
    this.kernel = compilePolicy(calicoKernelPolicyDef(input, family), this.functions);
  }

  /** The import policy for `peer` (shared by peers with the same filter list). */
  importPolicy(peer: CalicoPeerInput): CompiledPolicy {
    return this.cached(this.imports, peer, (shared) => calicoImportPolicyDef(this.input, shared, this.family));
  }

  /** The export policy for `peer` (shared by peers with the same filter list; set ctx.peerInternal per peer). */
  exportPolicy(peer: CalicoPeerInput): CompiledPolicy {
    return this.cached(this.exports, peer, (shared) => calicoExportPolicyDef(this.input, shared, this.family));
  }

  private cached(m: Map<string, CompiledPolicy>, peer: CalicoPeerInput, make: (shared: CalicoPeerInput) => PolicyDef): CompiledPolicy {
    const key = peer.filters.join('\u0000');
    let p = m.get(key);
    // Named after the filter list, not the first peer: the policy is shared.
    if (!p) m.set(key, (p = compilePolicy(make({ name: `filters[${peer.filters.join(',')}]`, filters: peer.filters }), this.functions)));
    return p;
  }
}
