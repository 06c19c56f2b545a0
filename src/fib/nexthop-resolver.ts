/**
 * DOC: BGP next-hop resolution through the kernel's own routing table (BIRD's `gateway recursive` over the kernel
 * and direct protocols), fed by dumps and the netlink monitor.
 *
 * Owns a copy of the main table's routes that are not Petrel's own (connected routes, static routes, routes learned
 * from other daemons or Felix), the links (name, up/carrier) and the local addresses. `resolve(nextHop)` does a
 * longest-prefix match (lowest metric among routes of one prefix) and answers the immediate next hops the kernel
 * needs: a device route (connected subnet) gives `via NH dev D`; a gateway route gives `via G dev D` (recursive:
 * an iBGP next hop behind another router resolves to that router, one level, which is all the kernel accepts).
 * A next hop that is one of our own addresses, only reachable through a blackhole/unreachable route, through a link
 * that is down, or not covered at all, is unresolved. Petrel's own routes never resolve next hops (no feedback
 * loop between what we install and what we resolve through).
 * IPv6 link-local next hops are not resolved (they need the session's interface; BGP's global next hop is used).
 *
 * Results are cached per next hop; after kernel changes `revalidate()` recomputes the cached ones and says whether
 * any answer changed, which is when the FIB re-evaluates its routes. The route store is a map per prefix length
 * (lengths present kept sorted): the table this matches against is small (Petrel's routes are excluded), so a
 * radix trie would buy nothing.
 */
import { Af, Iff, RouteFlag, RouteType, type DecodedAddress, type DecodedLink, type DecodedRoute } from './netlink/codec';
import { ipv4Key, ipv4Mask, ipv6Key, parseIpv4, parseIpv6, type PrefixKey } from '../util/prefix';
import { effectiveMetric } from './route-shape';

/** One immediate next hop for the kernel. */
export interface ResolvedNexthop {
  readonly gw: string;
  readonly oif: number;
  readonly onlink: boolean;
}

/** The answer for one BGP next hop. */
export interface Resolution {
  readonly nexthops: readonly ResolvedNexthop[];
  /** Name of the first next hop's interface (the route's `ifname` for policy). */
  readonly ifname: string | undefined;
}

interface KRoute {
  type: number;
  metric: number;
  nexthops: ResolvedNexthop[];
}

interface LinkInfo {
  name: string;
  usable: boolean;
}

interface FamilyRoutes {
  byKey: Map<PrefixKey, KRoute[]>;
  /** Prefix lengths present, longest first. */
  lengths: number[];
  lengthCount: Map<number, number>;
}

function newFamily(): FamilyRoutes {
  return { byKey: new Map(), lengths: [], lengthCount: new Map() };
}

function sameResolution(a: Resolution | null, b: Resolution | null): boolean {
  if (a === b) return true;
  if (a === null || b === null || a.nexthops.length !== b.nexthops.length || a.ifname !== b.ifname) return false;
  for (let i = 0; i < a.nexthops.length; i++) {
    const x = a.nexthops[i], y = b.nexthops[i];
    if (x.gw !== y.gw || x.oif !== y.oif || x.onlink !== y.onlink) return false;
  }
  return true;
}

/** Next-hop resolver over the kernel's main table. */
/** Whether a link with `ifi_flags` can carry traffic: administratively up and with a carrier (IFF_LOWER_UP). */
export function linkUsable(flags: number): boolean {
  return (flags & Iff.Up) !== 0 && (flags & Iff.LowerUp) !== 0;
}

export class NexthopResolver {
  private readonly v4 = newFamily();
  private readonly v6 = newFamily();
  private readonly links = new Map<number, LinkInfo>();
  private readonly linkByName = new Map<string, number>();
  private readonly localAddrs = new Set<string>();
  private readonly cache = new Map<string, Resolution | null>();
  private readonly masked = Buffer.alloc(16);

  /** `protocol`/`table`: Petrel's own routes, never used for resolution; `mainTable`: where to resolve. */
  constructor(
    private readonly protocol: number,
    private readonly table: number,
    private readonly mainTable = 254,
  ) {}

  /** Routes held, links known, next hops cached (for status). */
  stats(): { routes: number; links: number; cached: number } {
    return { routes: this.v4.byKey.size + this.v6.byKey.size, links: this.links.size, cached: this.cache.size };
  }

  /** Forgets every route, link and address (before a full reload from dumps). */
  clear(): void {
    for (const f of [this.v4, this.v6]) {
      f.byKey.clear();
      f.lengths.length = 0;
      f.lengthCount.clear();
    }
    this.links.clear();
    this.linkByName.clear();
    this.localAddrs.clear();
  }

  /** ifindex of a link by name (tunnel devices), when it exists. */
  linkIndex(name: string): number | undefined {
    return this.linkByName.get(name);
  }

  /** Applies a link notification or dump entry; returns true when it may change resolutions. */
  applyLink(op: 'new' | 'del', l: DecodedLink): boolean {
    const old = this.links.get(l.index);
    if (op === 'del') {
      if (old === undefined) return false;
      this.links.delete(l.index);
      if (this.linkByName.get(old.name) === l.index) this.linkByName.delete(old.name);
      return true;
    }
    const name = l.name ?? old?.name ?? '';
    const usable = linkUsable(l.flags);
    if (old !== undefined && old.name === name && old.usable === usable) return false;
    if (old !== undefined && old.name !== name && this.linkByName.get(old.name) === l.index) this.linkByName.delete(old.name);
    this.links.set(l.index, { name, usable });
    this.linkByName.set(name, l.index);
    return true;
  }

  /** Applies an address notification or dump entry; returns true when it may change resolutions. */
  applyAddr(op: 'new' | 'del', a: DecodedAddress): boolean {
    const addr = a.local ?? a.address;
    if (addr === undefined) return false;
    if (op === 'new') {
      if (this.localAddrs.has(addr)) return false;
      this.localAddrs.add(addr);
    } else if (!this.localAddrs.delete(addr)) return false;
    return true;
  }

  /** Whether a route message concerns the resolver (main table, not ours). */
  wants(table: number, protocol: number): boolean {
    return table === this.mainTable && !(table === this.table && protocol === this.protocol);
  }

  /** Applies a route notification or dump entry; returns true when it may change resolutions. */
  applyRoute(op: 'new' | 'del', r: DecodedRoute): boolean {
    if (!this.wants(r.table, r.protocol) || r.tos !== 0 || r.srcLen !== 0) return false;
    const fam = r.family === Af.Inet ? this.v4 : r.family === Af.Inet6 ? this.v6 : undefined;
    if (fam === undefined) return false;
    const key = this.keyOf(r.family, r.dst, r.dstLen);
    if (key === undefined) return false;
    const metric = effectiveMetric(r.family, r.priority ?? 0);
    let list = fam.byKey.get(key);
    const idx = list === undefined ? -1 : list.findIndex((x) => x.metric === metric);
    if (op === 'del') {
      if (list === undefined || idx < 0) return false;
      list.splice(idx, 1);
      if (list.length === 0) {
        fam.byKey.delete(key);
        this.countLength(fam, r.dstLen, -1);
      }
      return true;
    }
    const kr: KRoute = { type: r.type, metric, nexthops: [] };
    if (r.type === RouteType.Unicast) {
      if (r.multipath !== undefined && r.multipath.length > 0) {
        for (const nh of r.multipath) kr.nexthops.push({ gw: nh.gateway ?? '', oif: nh.oif, onlink: (nh.flags & RouteFlag.Onlink) !== 0 });
      } else {
        kr.nexthops.push({ gw: r.gateway ?? '', oif: r.oif ?? 0, onlink: (r.flags & RouteFlag.Onlink) !== 0 });
      }
    }
    if (list === undefined) {
      fam.byKey.set(key, (list = []));
      this.countLength(fam, r.dstLen, 1);
    }
    if (idx >= 0) list[idx] = kr;
    else {
      list.push(kr);
      list.sort((a, b) => a.metric - b.metric);
    }
    return true;
  }

  /** Resolves a BGP next hop (text); null when unresolvable. Cached until `revalidate`. */
  resolve(nextHop: string): Resolution | null {
    let r = this.cache.get(nextHop);
    if (r === undefined) {
      r = this.compute(nextHop);
      this.cache.set(nextHop, r);
    }
    return r;
  }

  /** Recomputes every cached answer; true when at least one changed. */
  revalidate(): boolean {
    let changed = false;
    for (const [nh, old] of this.cache) {
      const now = this.compute(nh);
      if (!sameResolution(old, now)) {
        changed = true;
        this.cache.set(nh, now);
      }
    }
    return changed;
  }

  private compute(nextHop: string): Resolution | null {
    if (nextHop === '' || this.localAddrs.has(nextHop)) return null;
    const v4 = parseIpv4(nextHop);
    let fam: FamilyRoutes;
    let addr4 = 0;
    let addr6: Buffer | undefined;
    if (v4 !== undefined) {
      fam = this.v4;
      addr4 = v4;
    } else {
      addr6 = parseIpv6(nextHop);
      if (addr6 === undefined || (addr6[0] === 0xfe && (addr6[1] & 0xc0) === 0x80)) return null;
      fam = this.v6;
    }
    for (const len of fam.lengths) {
      const key = addr6 === undefined ? ipv4Key((addr4 & ipv4Mask(len)) >>> 0, len) : this.v6Key(addr6, len);
      const list = fam.byKey.get(key);
      if (list === undefined) continue;
      for (const kr of list) {
        if (kr.type !== RouteType.Unicast) return null;
        const out: ResolvedNexthop[] = [];
        for (const nh of kr.nexthops) {
          const link = this.links.get(nh.oif);
          if (link === undefined || !link.usable) continue;
          out.push(nh.gw === '' ? { gw: nextHop, oif: nh.oif, onlink: nh.onlink } : nh);
        }
        // A route whose every next hop is down: the next metric of the same prefix may still serve.
        if (out.length > 0) return { nexthops: out, ifname: this.links.get(out[0].oif)?.name };
      }
    }
    return null;
  }

  private v6Key(addr: Buffer, len: number): string {
    const m = this.masked;
    addr.copy(m);
    const full = len >> 3;
    if (full < 16) {
      m[full] &= (0xff00 >> (len & 7)) & 0xff;
      m.fill(0, full + 1);
    }
    return ipv6Key(m, len);
  }

  private keyOf(family: number, dst: string | undefined, len: number): PrefixKey | undefined {
    if (family === Af.Inet) {
      const a = dst === undefined ? 0 : parseIpv4(dst);
      return a === undefined ? undefined : ipv4Key((a & ipv4Mask(len)) >>> 0, len);
    }
    const a = dst === undefined ? Buffer.alloc(16) : parseIpv6(dst);
    return a === undefined ? undefined : this.v6Key(a, len);
  }

  private countLength(fam: FamilyRoutes, len: number, delta: number): void {
    const n = (fam.lengthCount.get(len) ?? 0) + delta;
    if (n > 0) fam.lengthCount.set(len, n);
    else fam.lengthCount.delete(len);
    fam.lengths = [...fam.lengthCount.keys()].sort((a, b) => b - a);
  }
}
