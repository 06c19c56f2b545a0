/**
 * DOC: address families as one packed number, `afi << 8 | safi`, and the table of which ones Petrel routes.
 *
 * Families Petrel routes are IPv4 unicast and IPv6 unicast. Others (flowspec, VPN, EVPN, BGP-LS, ...) are
 * recognised by name so that messages carrying them are reported as unsupported rather than crashed on.
 */
import { Afi, Safi } from './constants';

/** A packed (AFI, SAFI) pair: `afi << 8 | safi`. */
export type Family = number;

export function family(afi: number, safi: number): Family {
  return (afi << 8) | safi;
}
export function familyAfi(f: Family): number {
  return f >>> 8;
}
export function familySafi(f: Family): number {
  return f & 0xff;
}

export const IPV4_UNICAST: Family = (Afi.Ipv4 << 8) | Safi.Unicast;
export const IPV6_UNICAST: Family = (Afi.Ipv6 << 8) | Safi.Unicast;

/** The families whose NLRI Petrel decodes into prefix keys and routes. */
export function isSupportedFamily(f: Family): boolean {
  return f === IPV4_UNICAST || f === IPV6_UNICAST;
}

const AFI_NAMES: Record<number, string> = { 1: 'ipv4', 2: 'ipv6', 25: 'l2vpn', 16388: 'bgp-ls' };
const SAFI_NAMES: Record<number, string> = {
  1: 'unicast', 2: 'multicast', 4: 'nlri-mpls', 5: 'mcast-vpn', 65: 'vpls', 70: 'evpn', 71: 'bgp-ls',
  72: 'bgp-ls-vpn', 73: 'sr-policy', 128: 'mpls-vpn', 132: 'rtc', 133: 'flow', 134: 'flow-vpn',
};

/** `ipv4-unicast`, `ipv6-flow`, or `afi-X-safi-Y` for numbers without a name. */
export function formatFamily(f: Family): string {
  const afi = familyAfi(f);
  const safi = familySafi(f);
  const a = AFI_NAMES[afi];
  const s = SAFI_NAMES[safi];
  return a && s ? `${a}-${s}` : `afi-${afi}-safi-${safi}`;
}

/** Parses `ipv4`, `ipv6`, `ipv4-unicast`, `ipv6-unicast` (the families a user may name). */
export function parseFamily(text: string): Family | undefined {
  switch (text.trim().toLowerCase()) {
    case 'ipv4': case 'ipv4-unicast': case 'ipv4/unicast': return IPV4_UNICAST;
    case 'ipv6': case 'ipv6-unicast': case 'ipv6/unicast': return IPV6_UNICAST;
    default: return undefined;
  }
}
