/**
 * DOC: loading the kernel's state into the FIB: links, addresses and routes dumped over rtnetlink, fed to the
 * next-hop resolver, and Petrel's own routes (our protocol in our table) handed to an adoption callback.
 *
 * Used at start (adoption: BIRD's persist + graceful restart); after a monitor overrun the FIB's scan reloads the
 * resolver from its own streamed dumps instead (fib.ts).
 * Dumps cannot overrun (the kernel fills them as we read: transport.ts); the monitor is subscribed before the
 * dumps so nothing that changes meanwhile is missed.
 */
import { Af, NlWriter, decodeAddr, decodeLink, decodeRoute, encodeAddrDump, encodeLinkDump, encodeRouteDump, type DecodedRoute } from './netlink/codec';
import type { NetlinkTransport } from './netlink/transport';
import type { NexthopResolver } from './nexthop-resolver';
import { newRoutePeek, peekRoute } from './route-peek';
import type { PrefixKey } from '../util/prefix';

function request(encode: (w: NlWriter) => void): Buffer {
  const w = new NlWriter(64);
  encode(w);
  return w.finish();
}

/** An RTM_GETROUTE dump request for both families (every table). */
export function dumpRoutesRequest(): Buffer {
  return request((w) => encodeRouteDump(w, 0, Af.Unspec));
}

/**
 * Dumps links, addresses and routes into `resolver`; calls `adopt` for each route with `protocol` in `table`.
 * Returns how many routes were offered for adoption.
 */
export async function loadKernelState(
  transport: NetlinkTransport, resolver: NexthopResolver, table: number, protocol: number,
  adopt?: (key: PrefixKey, route: DecodedRoute) => void,
): Promise<number> {
  for (const m of await transport.dump(request((w) => encodeLinkDump(w, 0)))) resolver.applyLink('new', decodeLink(m));
  for (const m of await transport.dump(request((w) => encodeAddrDump(w, 0, Af.Unspec)))) resolver.applyAddr('new', decodeAddr(m));
  const p = newRoutePeek();
  let adopted = 0;
  for (const m of await transport.dump(dumpRoutesRequest())) {
    if (!peekRoute(m, p)) continue;
    if (adopt !== undefined && p.table === table && p.protocol === protocol) {
      adopt(p.key, decodeRoute(m));
      adopted++;
    }
    if (resolver.wants(p.table, p.protocol)) resolver.applyRoute('new', decodeRoute(m));
  }
  return adopted;
}
