/**
 * DOC: the FIB's safety-net scan: one streamed dump of the kernel's routes compared with the installed table.
 *
 * The dump is streamed (no array of a million views; the event loop turns between datagrams). Each route of ours
 * in our table is compared with its installed shape by bytes (route-signature.ts; decoded only on a mismatch):
 * what differs is repaired (rewritten); after first convergence, routes of ours we do not track are deleted.
 * Installed routes missing from the kernel are found by counting matches, and only when the count falls short by
 * a second pass that collects the keys (rare: no set of a million keys otherwise). With `reload` (after a monitor
 * overrun) the next-hop resolver is rebuilt from the same dumps: one route dump serves both. The installed table
 * stays authoritative throughout: only a route seen to differ is repaired. The caller sends the batch afterwards.
 */
import type { FibWrites } from './fib-writes';
import type { InstalledView } from './installed-routes';
import type { NexthopResolver } from './nexthop-resolver';
import type { RouteShape } from './route-shape';
import { newRoutePeek, peekRoute } from './route-peek';
import { dumpRoutesRequest } from './kernel-dump';
import { Af, NlWriter, decodeAddr, decodeLink, decodeRoute, encodeAddrDump, encodeLinkDump } from './netlink/codec';
import type { NetlinkTransport } from './netlink/transport';
import type { PrefixKey } from '../util/prefix';

/** What the scan reads and changes of the FIB. */
export interface ScanHost {
  readonly transport: NetlinkTransport;
  readonly resolver: NexthopResolver;
  readonly table: number;
  readonly protocol: number;
  readonly installed: InstalledView;
  readonly adopted: ReadonlySet<PrefixKey>;
  readonly dirty: ReadonlySet<PrefixKey>;
  readonly converged: boolean;
  /** Where stale routes of ours are deleted (the caller sends the batches). */
  readonly writes: FibWrites;
  /** Whether kernel route message `m` has shape `have`. */
  sameShape(m: Buffer, have: RouteShape): boolean;
  /** Forgets `k`'s installed state so that the next pass rewrites it. */
  repair(k: PrefixKey): void;
  /** Counts a delete of a stale route. */
  deleted(): void;
}

const peek = newRoutePeek();

export async function scanKernel(h: ScanHost, reload: boolean): Promise<void> {
  const tr = h.transport;
  if (reload) {
    h.resolver.clear();
    await tr.dumpEach(dumpRequest((w) => encodeLinkDump(w, 0)), (m) => h.resolver.applyLink('new', decodeLink(m)));
    await tr.dumpEach(dumpRequest((w) => encodeAddrDump(w, 0, Af.Unspec)), (m) => h.resolver.applyAddr('new', decodeAddr(m)));
  }
  const p = peek;
  const { table, protocol, installed, adopted } = h;
  let matched = 0;
  await tr.dumpEach(dumpRoutesRequest(), (m) => {
    if (!peekRoute(m, p)) return;
    if (reload && h.resolver.wants(p.table, p.protocol)) h.resolver.applyRoute('new', decodeRoute(m));
    if (p.table !== table) return;
    const k = p.key;
    const have = installed.get(k);
    const same = have !== undefined && have.metric === p.metric;
    if (p.protocol === protocol) {
      if (same) {
        if (adopted.has(k) || h.sameShape(m, have)) matched++;
        else h.repair(k);
      } else if (h.converged && !h.dirty.has(k)) {
        h.writes.batchFor(k).removeExtra(k, p.family, table, protocol, p.metric);
        h.deleted();
      }
    } else if (same && !adopted.has(k)) h.repair(k);
  }, () => {
    matched = 0;
  });
  if (matched < installed.size) {
    const seen = new Set<PrefixKey>();
    await tr.dumpEach(dumpRoutesRequest(), (m) => {
      if (peekRoute(m, p) && p.table === table && p.protocol === protocol && installed.get(p.key)?.metric === p.metric) seen.add(p.key);
    }, () => seen.clear());
    for (const k of [...installed.keys()]) if (!seen.has(k) && !adopted.has(k)) h.repair(k);
  }
}

function dumpRequest(encode: (w: NlWriter) => void): Buffer {
  const w = new NlWriter(64);
  encode(w);
  return w.finish();
}
