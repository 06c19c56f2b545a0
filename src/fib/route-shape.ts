/**
 * DOC: route shapes: what a kernel route of Petrel's looks like apart from its destination, interned.
 *
 * A shape is (family, rtm_type, metric, next hops). Thousands of prefixes share a handful of shapes (one per
 * next-hop set and metric), so the FIB's installed table is `Map<PrefixKey, RouteShape>`: one pointer per route,
 * and "is the kernel route what we want?" is `===`. Shapes are built two ways that must agree exactly: from the
 * desired state (desired-route.ts) and from a kernel route (adoption at start, the periodic scan). The key is
 * canonical: next hops sorted, metric normalised (IPv6 metric 0 is the kernel's 1024), only the ONLINK bit of the
 * next-hop flags kept (LINKDOWN/DEAD are the kernel's view of the link, not part of the route we asked for).
 * Each shape carries ready-made encoding templates (gateways already binary), so encoding a route costs writing
 * its destination and copying the template: no per-route object or address parsing.
 * Refcounts: the installed table holds one reference per prefix; shapes at zero are dropped by `sweep()`, not at
 * once, so a shape can be re-acquired after a failed write without being re-interned. Each shape in the table has a
 * small integer id (reused after a drop), which is what the installed table stores per prefix.
 * Nexthop objects: `hooks` (nexthop-objects.ts) hear of every shape created and dropped, and may point a shape's
 * `add` template at a kernel nexthop object (RTA_NH_ID) instead of its inline next hops; the shape, its key and
 * what "same route" means stay the same whichever template wrote a route.
 */
import { Af, RouteFlag, RouteType, type DecodedRoute, type Route, type RouteNexthop } from './netlink/codec';
import { parseIpv4, parseIpv6 } from '../util/prefix';

/** One next hop of a shape: gateway text ('' for a device route), output ifindex, RTNH_F_ONLINK. */
export interface ShapeNexthop {
  gw: string;
  oif: number;
  onlink: boolean;
}

/** An interned kernel route shape (everything but the destination). */
export interface RouteShape {
  readonly key: string;
  /** Small integer naming the shape while it is in its table (`ShapeTable.byId`); 0 once dropped. */
  id: number;
  readonly family: Af.Inet | Af.Inet6;
  readonly type: RouteType;
  /** Effective RTA_PRIORITY (IPv6 0 is stored as the kernel's default 1024). */
  readonly metric: number;
  /** Sorted by gateway then ifindex; empty for blackhole/unreachable/prohibit. */
  readonly nexthops: readonly ShapeNexthop[];
  refs: number;
  /** RTM_NEWROUTE template; `dst`/`dstLen` are filled per route. `inline`, or one naming `nhid` (nexthop-objects.ts). */
  add: Route;
  /** RTM_NEWROUTE template with the next hops in the route itself. */
  readonly inline: Route;
  /** The kernel nexthop object `add` names, if any. */
  nhid: number | undefined;
  /** RTM_DELROUTE template matching exactly this route (table, protocol, metric). */
  readonly del: Route;
  /** The kernel's dump bytes of a route of this shape, once confirmed by a scan (route-signature.ts). */
  sig: Buffer | undefined;
}

/** Types whose next hops are meaningless to compare. */
function hasNexthops(type: RouteType): boolean {
  return type === RouteType.Unicast;
}

/** The metric the kernel stores for a requested one. */
export function effectiveMetric(family: number, metric: number): number {
  return family === Af.Inet6 && metric === 0 ? 1024 : metric;
}

function compareNexthop(a: ShapeNexthop, b: ShapeNexthop): number {
  if (a.gw !== b.gw) return a.gw < b.gw ? -1 : 1;
  return a.oif - b.oif;
}

function binaryAddr(family: number, text: string): number | Buffer {
  if (family === Af.Inet) return parseIpv4(text) ?? 0;
  return parseIpv6(text) ?? Buffer.alloc(16);
}

function sameNexthops(a: readonly ShapeNexthop[], b: readonly ShapeNexthop[], n: number): boolean {
  if (a.length !== n) return false;
  for (let i = 0; i < n; i++) if (a[i].gw !== b[i].gw || a[i].oif !== b[i].oif || a[i].onlink !== b[i].onlink) return false;
  return true;
}

/** What the nexthop-object manager hears from the shape table (nexthop-objects.ts). */
export interface ShapeHooks {
  /** A shape was interned. */
  created(s: RouteShape): void;
  /** A shape nobody referenced was dropped by `sweep()`. */
  dropped(s: RouteShape): void;
  /** The next hop of nexthop object `id`, for a kernel route that names it without its gateway (compat mode off). */
  nexthopOf(id: number): ShapeNexthop | undefined;
}

/** The interning table of shapes, for one (table, protocol). */
export class ShapeTable {
  hooks: ShapeHooks | undefined;
  private readonly shapes = new Map<string, RouteShape>();
  /** Shapes by id (index 0 unused); ids of dropped shapes are reused. */
  private readonly ids: (RouteShape | undefined)[] = [undefined];
  private readonly freeIds: number[] = [];
  private readonly scratch: ShapeNexthop[] = [];
  /** The shape `intern` answered last: consecutive prefixes mostly share one, so it is compared before a key is built. */
  private last: RouteShape | undefined;

  constructor(
    readonly table: number,
    readonly protocol: number,
  ) {}

  /** Number of shapes held (live and not yet swept). */
  get size(): number {
    return this.shapes.size;
  }

  /**
   * The shape of (family, type, metric, nexthops). `nexthops` may be a scratch array: it is sorted in place and
   * copied only when a new shape is created. No reference is taken.
   */
  intern(family: Af.Inet | Af.Inet6, type: RouteType, metric: number, nexthops: ShapeNexthop[], count = nexthops.length): RouteShape {
    const m = effectiveMetric(family, metric);
    let n = 0;
    if (hasNexthops(type)) {
      n = count;
      // Insertion sort: next-hop lists are short.
      for (let i = 1; i < n; i++) {
        const x = nexthops[i];
        let j = i - 1;
        while (j >= 0 && compareNexthop(nexthops[j], x) > 0) {
          nexthops[j + 1] = nexthops[j];
          j--;
        }
        nexthops[j + 1] = x;
      }
    }
    const last = this.last;
    if (last !== undefined && last.family === family && last.type === type && last.metric === m && sameNexthops(last.nexthops, nexthops, n)) return last;
    let key = `${family}:${type}:${m}`;
    for (let i = 0; i < n; i++) {
      const nh = nexthops[i];
      key += nh.onlink ? `|${nh.gw}%${nh.oif}o` : `|${nh.gw}%${nh.oif}`;
    }
    const found = this.shapes.get(key);
    if (found !== undefined) return (this.last = found);
    const nhs: ShapeNexthop[] = [];
    for (let i = 0; i < n; i++) nhs.push({ gw: nexthops[i].gw, oif: nexthops[i].oif, onlink: nexthops[i].onlink });
    const inline = this.addTemplate(family, type, m, nhs);
    const shape: RouteShape = {
      key, id: 0, family, type, metric: m, nexthops: nhs, refs: 0, add: inline, inline, nhid: undefined,
      del: { family, dstLen: 0, table: this.table, protocol: this.protocol, priority: m },
      sig: undefined,
    };
    this.shapes.set(key, shape);
    this.giveId(shape);
    this.hooks?.created(shape);
    return (this.last = shape);
  }

  /** The shape of a route decoded from the kernel (adoption, scan). */
  fromKernel(r: DecodedRoute): RouteShape {
    const nhs = this.scratch;
    let n = 0;
    if (r.type === RouteType.Unicast) {
      if (r.multipath !== undefined && r.multipath.length > 0) {
        for (const nh of r.multipath) nhs[n++] = { gw: nh.gateway ?? '', oif: nh.oif, onlink: (nh.flags & RouteFlag.Onlink) !== 0 };
      } else {
        const obj = r.gateway === undefined && r.nhid !== undefined ? this.hooks?.nexthopOf(r.nhid) : undefined;
        nhs[n++] = obj !== undefined ? { gw: obj.gw, oif: obj.oif, onlink: obj.onlink } : { gw: r.gateway ?? '', oif: r.oif ?? 0, onlink: (r.flags & RouteFlag.Onlink) !== 0 };
      }
    }
    return this.intern(r.family, r.type, r.priority ?? 0, nhs, n);
  }

  acquire(s: RouteShape): RouteShape {
    if (s.refs++ === 0 && !this.shapes.has(s.key)) {
      this.shapes.set(s.key, s);
      this.giveId(s);
      this.hooks?.created(s);
    }
    return s;
  }

  release(s: RouteShape): void {
    s.refs--;
  }

  /** Drops shapes nobody references. */
  sweep(): void {
    for (const [k, s] of this.shapes) {
      if (s.refs > 0) continue;
      this.shapes.delete(k);
      this.ids[s.id] = undefined;
      this.freeIds.push(s.id);
      s.id = 0;
      this.hooks?.dropped(s);
    }
    if (this.last !== undefined && this.last.refs <= 0) this.last = undefined;
  }

  /** The shape with id `id` (undefined when none). */
  byId(id: number): RouteShape | undefined {
    return this.ids[id];
  }

  private giveId(s: RouteShape): void {
    s.id = this.freeIds.pop() ?? this.ids.length;
    this.ids[s.id] = s;
  }

  private addTemplate(family: Af.Inet | Af.Inet6, type: RouteType, metric: number, nhs: ShapeNexthop[]): Route {
    const r: Route = { family, dstLen: 0, table: this.table, protocol: this.protocol, type };
    if (metric !== 0) r.priority = metric;
    if (!hasNexthops(type)) return r;
    if (nhs.length === 1) {
      const nh = nhs[0];
      if (nh.gw !== '') r.gateway = binaryAddr(family, nh.gw);
      if (nh.oif !== 0) r.oif = nh.oif;
      if (nh.onlink) r.onlink = true;
    } else {
      r.multipath = nhs.map((nh): RouteNexthop => {
        const m: RouteNexthop = { oif: nh.oif };
        if (nh.gw !== '') m.gateway = binaryAddr(family, nh.gw);
        if (nh.onlink) m.onlink = true;
        return m;
      });
    }
    return r;
  }
}
