/**
 * DOC: renders a `RouterSpec` into a BIRD config, for BIRD 2.0 (`2`), BIRD 1.6's IPv4 daemon `bird` (`1`, the
 * one Calico ships) or BIRD 1.6's IPv6 daemon `bird6` (`'1v6'`): BIRD 1.6 runs one daemon per address family, so
 * `1` accepts only IPv4 neighbors and networks and `'1v6'` only IPv6 ones (ConfigError otherwise).
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

/** Which BIRD config dialect to render: BIRD 2, BIRD 1.6 `bird` (IPv4) or BIRD 1.6 `bird6` (IPv6). */
export type BirdVersion = 1 | 2 | '1v6';

/** The families a dialect's one daemon carries. */
function dialectFamilies(version: BirdVersion): AddrFamily[] {
  return version === 2 ? ['ipv4', 'ipv6'] : version === 1 ? ['ipv4'] : ['ipv6'];
}

/** Renders bird.conf for BIRD 2, BIRD 1.6 `bird` (`1`) or BIRD 1.6 `bird6` (`'1v6'`). */
export function renderBirdConfig(spec: RouterSpec, version: BirdVersion, logFile: string): string {
  checkSpec(spec);
  const nets = spec.networks ?? [];
  if (version !== 2) {
    const only: AddrFamily = version === 1 ? 'ipv4' : 'ipv6';
    const wrong =
      nets.find((p) => familyOf(p) !== only) ??
      spec.neighbors.find((n) => familyOf(n.address) !== only || neighborFamilies(n).some((f) => f !== only))?.address;
    if (wrong) {
      const what = version === 1 ? 'the BIRD 1.6 driver is IPv4-only (bird6 is kind bird1v6)' : 'the BIRD 1.6 bird6 driver is IPv6-only';
      throw new ConfigError(`${what}: '${wrong}'`, { field: 'neighbors/networks' });
    }
  }
  const families = dialectFamilies(version);
  const out = [`router id ${spec.routerId};`, `log "${logFile}" all;`, '', 'protocol device {', '  scan time 10;', '}'];
  if (spec.fib) {
    for (const fam of families) {
      out.push(`protocol kernel kernel_${fam} {`, ...(version === 2 ? [`  ${fam} { export all; };`] : ['  export all;']), '}');
    }
  }
  for (const fam of families) {
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
