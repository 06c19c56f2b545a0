/**
 * DOC: renders a `RouterSpec` into a BIRD config, for BIRD 2.0 (`version: 2`) or BIRD 1.6 (`version: 1`,
 * the IPv4-only `bird` binary Calico ships; IPv6 would need the separate `bird6`).
 *
 * Shape: `protocol device` (interface state, needed to resolve direct next hops); one `protocol static` per
 * family holding the originated networks as blackhole routes (announce/withdraw rewrite this and run
 * `birdc configure`); one `protocol bgp` per neighbor named by {@link birdProtocolName}, importing and
 * exporting everything. No `protocol kernel` unless `spec.fib`, so by default nothing reaches the kernel.
 * `error wait time 1,5` keeps BIRD from idling 60 s after a failed session in tests.
 */
import { ConfigError } from '../../src/util/errors.js';
import { checkSpec } from './spec-check.js';
import { DEFAULT_TIMERS, familyOf, neighborFamilies, type AddrFamily, type NeighborSpec, type RouterSpec } from './types.js';

/** BIRD protocol name used for a neighbor: `peer_` + the address with `.`/`:` as `_`. */
export function birdProtocolName(address: string): string {
  return `peer_${address.replace(/[.:]/g, '_')}`;
}

function sessionLines(n: NeighborSpec, localAs: number): string[] {
  const out = [
    `  local as ${localAs};`,
    `  neighbor ${n.address} as ${n.remoteAs};`,
    `  hold time ${n.holdTime ?? DEFAULT_TIMERS.holdTime};`,
    `  keepalive time ${n.keepaliveTime ?? DEFAULT_TIMERS.keepaliveTime};`,
    `  connect retry time ${n.connectRetryTime ?? DEFAULT_TIMERS.connectRetryTime};`,
    '  error wait time 1, 5;',
  ];
  if (n.passive) out.push('  passive on;');
  return out;
}

/** Renders bird.conf for BIRD `version` 2 or 1 (1.6). */
export function renderBirdConfig(spec: RouterSpec, version: 1 | 2, logFile: string): string {
  checkSpec(spec);
  const nets = spec.networks ?? [];
  if (version === 1) {
    const v6 =
      nets.find((p) => familyOf(p) === 'ipv6') ??
      spec.neighbors.find((n) => familyOf(n.address) === 'ipv6' || neighborFamilies(n).includes('ipv6'))?.address;
    if (v6) throw new ConfigError(`the BIRD 1.6 driver is IPv4-only (bird6 is not driven): '${v6}'`, { field: 'neighbors/networks' });
  }
  const out = [`router id ${spec.routerId};`, `log "${logFile}" all;`, '', 'protocol device {', '  scan time 10;', '}'];
  if (spec.fib) {
    for (const fam of version === 2 ? (['ipv4', 'ipv6'] as AddrFamily[]) : ['ipv4']) {
      out.push(`protocol kernel kernel_${fam} {`, ...(version === 2 ? [`  ${fam} { export all; };`] : ['  export all;']), '}');
    }
  }
  for (const fam of version === 2 ? (['ipv4', 'ipv6'] as AddrFamily[]) : ['ipv4']) {
    out.push('', `protocol static static_${fam} {`);
    if (version === 2) out.push(`  ${fam};`);
    for (const p of nets.filter((x) => familyOf(x) === fam)) out.push(`  route ${p} blackhole;`);
    out.push('}');
  }
  for (const n of spec.neighbors) {
    out.push('', `protocol bgp ${birdProtocolName(n.address)} {`);
    out.push(...sessionLines(n, spec.localAs));
    if (version === 2) {
      for (const fam of neighborFamilies(n)) {
        const ext = fam === 'ipv4' && familyOf(n.address) === 'ipv6' ? ' extended next hop on;' : '';
        out.push(`  ${fam} { import all; export all;${ext} };`);
      }
    } else {
      out.push('  import all;', '  export all;');
    }
    out.push('}');
  }
  out.push('');
  return out.join('\n');
}
