/**
 * DOC: kernel nexthop objects for the FIB's single-next-hop routes (Linux ≥ 5.3; FRR's zebra does the same).
 *
 * Why: a route written with its own gateway makes the kernel validate that gateway (a FIB lookup), allocate a
 * per-CPU route cache and a fib_info it then finds it already has and frees (RCU), for every route. A route naming
 * a nexthop object (RTA_NH_ID) skips all of that: `node dist/bench/fib.js --nexthop nhid` installs a million /24s
 * in 2.8 s of kernel time against 4.1 s with `via GW`. Thousands of prefixes share a handful of next hops, so one
 * object per (family, gateway, oif) serves them all.
 *
 * Owns: the objects Petrel made (`nh_protocol` = the FIB's protocol, ids from ID_BASE up, skipping ids others
 * use), which route shapes (route-shape.ts) use which object, and swapping a shape's `add` template between its
 * inline next hop and the object. Eligible shapes: unicast, one next hop with a gateway and a known oif, not onlink
 * (Calico's tunnel routes, which Felix inspects, stay as they were). Everything else keeps inline next hops.
 * An object is created (NLM_F_EXCL, so another daemon's id is never taken over) when the first shape needs it; until
 * the kernel answers, that shape's routes are written inline, which is the same route, so nothing is rewritten later.
 * A refused object (the gateway unreachable, say) leaves its shapes inline.
 * At start the objects of ours left by a previous run are adopted, so adopted routes naming them keep working.
 * The kernel removes an object, and every route naming it, without a notification when its link goes down or loses
 * its carrier (nexthop.c nexthop_flush_dev): `linkChanged` forgets such objects and sends their shapes back inline;
 * the next-hop resolver already sees the link unusable, so those routes are re-desired when it returns, and the
 * shapes are attached to new objects then. An object no shape uses is deleted by `sweep()` (after the FIB's scan,
 * once converged); deleting an object also deletes routes naming it (silently), so when a previous run's object
 * goes the FIB scans again and rewrites any route of ours that went with it.
 */
import type { Logger } from 'pino';
import { Errno, FibError, NEXTHOP_CREATE_FLAGS, NlWriter, RouteFlag, RouteType, decodeNexthop, encodeNexthop, encodeNexthopDelete, encodeNexthopDump, type Route } from './netlink/codec';
import type { NetlinkTransport } from './netlink/transport';
import type { RouteShape, ShapeHooks, ShapeNexthop } from './route-shape';
import { parseIpv4, parseIpv6 } from '../util/prefix';

/** First id tried for our objects: far above the small ids `ip nexthop` users and FRR's zebra pick. */
export const NEXTHOP_ID_BASE = 0x70000000;
const CREATE_ATTEMPTS = 16;

interface Entry {
  key: string;
  id: number;
  family: 2 | 10;
  nh: ShapeNexthop;
  state: 'creating' | 'ready' | 'failed' | 'gone';
  shapes: Set<RouteShape>;
  /** Found at start (a previous run's): routes we do not track may name it. */
  adopted: boolean;
}

function eligible(s: RouteShape): boolean {
  if (s.type !== RouteType.Unicast || s.nexthops.length !== 1) return false;
  const nh = s.nexthops[0];
  return nh.gw !== '' && nh.oif !== 0 && !nh.onlink;
}

function entryKey(family: number, nh: ShapeNexthop): string {
  return `${family}|${nh.gw}%${nh.oif}`;
}

function message(encode: (w: NlWriter) => void): Buffer {
  const w = new NlWriter(64);
  encode(w);
  return w.finish();
}

/** The nexthop objects of one FIB (one table and protocol of one network namespace). */
export class NexthopObjects implements ShapeHooks {
  private supported = false;
  private readonly byKey = new Map<string, Entry>();
  private readonly byId = new Map<number, Entry>();
  /** Ids the kernel has that are not ours. */
  private readonly foreign = new Set<number>();
  /** Shapes sent back inline because their link went away, by ifindex: attached again when it is usable. */
  private readonly detached = new Map<number, Set<RouteShape>>();
  private nextId = NEXTHOP_ID_BASE;
  private closed = false;

  constructor(
    private readonly transport: NetlinkTransport,
    private readonly protocol: number,
    private readonly log?: Logger,
  ) {}

  /** Objects in use (created and confirmed by the kernel). */
  get count(): number {
    let n = 0;
    for (const e of this.byId.values()) if (e.state === 'ready') n++;
    return n;
  }

  /** Whether the kernel has nexthop objects (known after `load`). */
  get available(): boolean {
    return this.supported;
  }

  /** Dumps the kernel's nexthop objects: learns which ids are taken and adopts ours. False: no kernel support. */
  async load(): Promise<boolean> {
    let msgs: Buffer[];
    try {
      msgs = await this.transport.dump(message((w) => encodeNexthopDump(w, 0)));
    } catch (e) {
      this.log?.info({ err: e instanceof Error ? e.message : String(e) }, 'no kernel nexthop objects: routes carry their own next hops');
      return false;
    }
    this.supported = true;
    for (const m of msgs) {
      const o = decodeNexthop(m);
      if (o.protocol !== this.protocol || o.group !== undefined || o.blackhole || o.fdb || o.gateway === undefined || o.oif === undefined || (o.family !== 2 && o.family !== 10)) {
        this.foreign.add(o.id);
        continue;
      }
      const nh: ShapeNexthop = { gw: o.gateway, oif: o.oif, onlink: (o.flags & RouteFlag.Onlink) !== 0 };
      const key = entryKey(o.family, nh);
      const e: Entry = { key, id: o.id, family: o.family, nh, state: 'ready', shapes: new Set(), adopted: true };
      this.byId.set(o.id, e);
      // A second object of ours for one next hop (never made by us, but possible by hand): unused, swept later.
      if (!nh.onlink && !this.byKey.has(key)) this.byKey.set(key, e);
    }
    return true;
  }

  /** Stops creating objects (the FIB stopped); the kernel keeps the ones it has, as it keeps our routes. */
  close(): void {
    this.closed = true;
  }

  created(s: RouteShape): void {
    if (!this.supported || this.closed || !eligible(s)) return;
    const nh = s.nexthops[0];
    const key = entryKey(s.family, nh);
    let e = this.byKey.get(key);
    if (e === undefined) {
      e = { key, id: 0, family: s.family, nh: { gw: nh.gw, oif: nh.oif, onlink: false }, state: 'creating', shapes: new Set(), adopted: false };
      this.byKey.set(key, e);
      void this.create(e);
    }
    e.shapes.add(s);
    if (e.state === 'ready') useObject(s, e.id);
  }

  dropped(s: RouteShape): void {
    const e = s.nexthops.length === 1 ? this.byKey.get(entryKey(s.family, s.nexthops[0])) : undefined;
    e?.shapes.delete(s);
    for (const set of this.detached.values()) set.delete(s);
    useInline(s);
  }

  nexthopOf(id: number): ShapeNexthop | undefined {
    return this.byId.get(id)?.nh;
  }

  /**
   * A link changed. Unusable (down, no carrier, deleted): the kernel has flushed our objects on it, and their routes;
   * forget them and send their shapes back inline. Returns true when objects were lost that way. Usable again:
   * attach the shapes that were sent back.
   */
  linkChanged(ifindex: number, usable: boolean): boolean {
    if (!this.supported) return false;
    if (usable) {
      const set = this.detached.get(ifindex);
      if (set !== undefined) {
        this.detached.delete(ifindex);
        for (const s of set) this.created(s);
      }
      return false;
    }
    let lost = false;
    for (const e of [...this.byKey.values()]) {
      if (e.nh.oif !== ifindex) continue;
      lost ||= e.state === 'ready';
      this.forget(e);
      let set = this.detached.get(ifindex);
      if (set === undefined) this.detached.set(ifindex, (set = new Set()));
      for (const s of e.shapes) {
        useInline(s);
        set.add(s);
      }
    }
    return lost;
  }

  /**
   * Deletes our objects no shape uses. Returns how many of them were a previous run's: only those can still be
   * named by routes we do not track (a route of a shape names only that shape's object), which went with them.
   */
  async sweep(): Promise<number> {
    if (!this.supported || this.closed) return 0;
    let n = 0;
    for (const e of [...this.byId.values()]) {
      if (e.shapes.size > 0 || e.state !== 'ready') continue;
      this.forget(e);
      try {
        await this.transport.request(message((w) => encodeNexthopDelete(w, 0, e.id)));
        if (e.adopted) n++;
      } catch (err) {
        if (!(err instanceof FibError && err.errno === Errno.ENOENT)) this.log?.warn({ id: e.id, err: err instanceof Error ? err.message : String(err) }, 'could not delete an unused nexthop object');
      }
    }
    return n;
  }

  private forget(e: Entry): void {
    e.state = 'gone';
    if (this.byKey.get(e.key) === e) this.byKey.delete(e.key);
    if (this.byId.get(e.id) === e) this.byId.delete(e.id);
  }

  private allocateId(): number {
    while (this.byId.has(this.nextId) || this.foreign.has(this.nextId)) this.nextId = this.nextId >= 0xfffffffe ? NEXTHOP_ID_BASE : this.nextId + 1;
    return this.nextId++;
  }

  private async create(e: Entry): Promise<void> {
    const gateway = e.family === 2 ? (parseIpv4(e.nh.gw) ?? 0) : (parseIpv6(e.nh.gw) ?? Buffer.alloc(16));
    for (let attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
      e.id = this.allocateId();
      this.byId.set(e.id, e);
      try {
        await this.transport.request(message((w) => encodeNexthop(w, NEXTHOP_CREATE_FLAGS, 0, { id: e.id, family: e.family, gateway, oif: e.nh.oif, protocol: this.protocol })));
      } catch (err) {
        if (this.byId.get(e.id) === e) this.byId.delete(e.id);
        if (err instanceof FibError && err.errno === Errno.EEXIST) {
          this.foreign.add(e.id); // someone else's id: try the next
          continue;
        }
        if (e.state === 'creating') e.state = 'failed';
        if (!this.closed) this.log?.warn({ gateway: e.nh.gw, oif: e.nh.oif, err: err instanceof Error ? err.message : String(err) }, 'kernel refused a nexthop object; its routes carry their next hop');
        return;
      }
      if (e.state === 'gone') {
        // Its link went away while the kernel created it: the kernel flushed it too, or will be told to.
        void this.transport.request(message((w) => encodeNexthopDelete(w, 0, e.id))).catch(() => undefined);
        return;
      }
      e.state = 'ready';
      for (const s of e.shapes) useObject(s, e.id);
      return;
    }
    e.state = 'failed';
  }
}

/** Points `s`'s route template at nexthop object `id`. */
function useObject(s: RouteShape, id: number): void {
  if (s.nhid === id) return;
  const t = s.inline;
  const add: Route = { family: t.family, dstLen: 0, table: t.table, protocol: t.protocol, type: t.type, nhid: id };
  if (t.priority !== undefined) add.priority = t.priority;
  s.add = add;
  s.nhid = id;
}

/** Back to the route's own next hop. */
function useInline(s: RouteShape): void {
  s.add = s.inline;
  s.nhid = undefined;
}
