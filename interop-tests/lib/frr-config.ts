/**
 * DOC: renders a `RouterSpec` into the two FRR 8.x config files the FRR driver runs with (zebra.conf and
 * bgpd.conf; one file per daemon, no integrated config).
 *
 * Settings every test relies on: `frr defaults datacenter` (fast timers); `no bgp ebgp-requires-policy`
 * (RFC 8212 default-deny would otherwise drop every eBGP route); `no bgp network import-check` (originate
 * `network` statements without a matching route in zebra, since staticd is not run); `no bgp default
 * ipv4-unicast` with explicit `activate` per family, so each neighbor carries exactly its families;
 * `route-reflector-client` per family for neighbors with `rrClient`.
 */
import { checkSpec } from './spec-check.js';
import { DEFAULT_TIMERS, familyOf, neighborFamilies, type AddrFamily, type RouterSpec } from './types.js';

/** Renders zebra.conf. */
export function renderFrrZebra(spec: RouterSpec, logFile: string): string {
  checkSpec(spec);
  return [`hostname ${spec.name}`, `log file ${logFile}`, ''].join('\n');
}

/** Renders bgpd.conf. */
export function renderFrrBgpd(spec: RouterSpec, logFile: string): string {
  checkSpec(spec);
  const out = [
    'frr defaults datacenter',
    `hostname ${spec.name}`,
    `log file ${logFile}`,
    '!',
    `router bgp ${spec.localAs}`,
    ` bgp router-id ${spec.routerId}`,
    ' no bgp ebgp-requires-policy',
    ' no bgp network import-check',
    ' no bgp default ipv4-unicast',
  ];
  for (const n of spec.neighbors) {
    out.push(` neighbor ${n.address} remote-as ${n.remoteAs}`);
    out.push(
      ` neighbor ${n.address} timers ${n.keepaliveTime ?? DEFAULT_TIMERS.keepaliveTime} ${n.holdTime ?? DEFAULT_TIMERS.holdTime}`,
    );
    out.push(` neighbor ${n.address} timers connect ${n.connectRetryTime ?? DEFAULT_TIMERS.connectRetryTime}`);
    if (n.passive) out.push(` neighbor ${n.address} passive`);
  }
  for (const fam of ['ipv4', 'ipv6'] as AddrFamily[]) {
    const nets = (spec.networks ?? []).filter((p) => familyOf(p) === fam);
    const nbrs = spec.neighbors.filter((n) => neighborFamilies(n).includes(fam));
    if (nets.length === 0 && nbrs.length === 0) continue;
    out.push(' !', ` address-family ${fam} unicast`);
    for (const p of nets) out.push(`  network ${p}`);
    for (const n of nbrs) {
      out.push(`  neighbor ${n.address} activate`);
      if (n.rrClient) out.push(`  neighbor ${n.address} route-reflector-client`);
    }
    out.push(' exit-address-family');
  }
  out.push('!', '');
  return out.join('\n');
}
