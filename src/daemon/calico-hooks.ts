/**
 * DOC: plugs Calico's generated filters (src/rib/policy/calico.ts) into the daemon's per-peer policy hooks:
 * each peer's import and export policy is the BIRD filter confd would render for it (contract §4.2), compiled
 * once per family and shared by peers with the same BGPFilter list. The FIB's kernel policy is
 * `calico_kernel_programming` of each family (CalicoPolicies.kernel).
 */
import type { NodeBgpConfig } from '../config/node-config';
import type { AttrInterner } from '../rib/attrs/intern';
import { CalicoPolicies } from '../rib/policy/calico';
import { exportPolicyOf, importPolicyOf, type RouteFacts } from '../rib/policy/adapters';
import type { DaemonHooks } from './daemon';

/**
 * `facts` supplies what policy reads beyond the attributes (a learned route's device and kernel metric: the kernel
 * learner's). Peers whose export policy is the same compiled filter list and the same `internal_peer` flag share an
 * update group (`exportPolicyKey`): Calico's filters read nothing else of the peer.
 */
export function calicoHooks(interner: AttrInterner, facts: RouteFacts = {}): DaemonHooks {
  let built: { config: NodeBgpConfig; v4: CalicoPolicies; v6: CalicoPolicies } | undefined;
  const policiesFor = (config: NodeBgpConfig) => {
    if (built?.config !== config) built = { config, v4: new CalicoPolicies(config, 'ipv4'), v6: new CalicoPolicies(config, 'ipv6') };
    return built;
  };
  const peerOf = (config: NodeBgpConfig, name: string) => config.peers.find((p) => p.name === name);
  return {
    kernelPolicy(config) {
      const pol = policiesFor(config);
      return { v4: pol.v4.kernel, v6: pol.v6.kernel };
    },
    importPolicy(config, name) {
      const p = peerOf(config, name);
      if (!p) return undefined;
      const pol = policiesFor(config)[p.family === 'ipv4' ? 'v4' : 'v6'];
      return importPolicyOf(pol.importPolicy(p), interner, { peerName: p.name, peerInternal: p.internal }, pol.functions);
    },
    exportPolicy(config, name) {
      const p = peerOf(config, name);
      if (!p) return undefined;
      const pol = policiesFor(config)[p.family === 'ipv4' ? 'v4' : 'v6'];
      return exportPolicyOf(pol.exportPolicy(p), interner, { peerName: p.name, peerInternal: p.internal }, facts, pol.functions);
    },
    exportPolicyKey(config, name) {
      const p = peerOf(config, name);
      return p ? `calico:${p.family}:${p.internal ? 'ibgp' : 'ebgp'}:${p.filters.join('\u0000')}` : undefined;
    },
  };
}
