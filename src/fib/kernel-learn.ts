/**
 * DOC: the kernel side's inputs to the RIB: BIRD's `protocol kernel { learn; }` (source `kernel1`) and
 * `protocol direct` (source `direct1`), fed from rtnetlink dumps and a multicast monitor.
 *
 * Start: subscribe to links, IPv4/IPv6 addresses and routes first (nothing is missed), then dump links, addresses
 * and routes and reconcile; notifications arriving meanwhile are queued and replayed in order afterwards, so the
 * final state is the kernel's. Which routes are learned is `kernel-learn-table.ts`; which prefixes are connected
 * is `interface-routes.ts`. The kernel flushes routes of a deleted or downed device without notifications
 * (IPv4 `fib_sync_down_dev`), and a monitor overrun loses notifications, so those events schedule a full resync
 * (debounced); `scanMs` adds BIRD's periodic scan (`scan time`) as a backstop, off by default.
 * RIB side: a learned prefix is originated with empty attributes under its source (preference kernel 10, direct
 * 240); the device name and metric are route facts, read by policy through `ifnameOf` / `krtMetricOf` (pass
 * `learner.facts` to `exportPolicyOf`). When only facts change the prefix is appended to the journal so exporters
 * re-run policy. Learned routes are never to be installed back: the FIB skips sources of kind Kernel and Direct.
 * Owns: its netlink transport and monitor, the two local sources and what they put in the Loc-RIBs; `stop()`
 * withdraws them (the kernel is never written).
 */
import type { Family } from '../bgp/family';
import { IPV4_UNICAST, IPV6_UNICAST } from '../bgp/family';
import type { InterfacePattern } from '../config/node-config';
import type { AttrInterner } from '../rib/attrs/intern';
import { emptyAttrFields } from '../rib/attrs/intern';
import type { LocRib } from '../rib/loc-rib';
import { localSource, originate } from '../rib/local-routes';
import type { RouteFacts } from '../rib/policy/adapters';
import { SourceKind, type Route, type RouteSource } from '../rib/types';
import type { PrefixKey } from '../util/prefix';
import { Af, Iff, NlWriter, RtnlGroup, decodeMessage, encodeAddrDump, encodeLinkDump, encodeRouteDump } from './netlink/codec';
import type { FibError } from './netlink/errors';
import { NetlinkTransport, subscribe, type Monitor } from './netlink/transport';
import { InterfaceFilter, InterfaceRoutes, calicoDirectPatterns, type LinkState } from './interface-routes';
import { KernelRouteTable, accumulate, altOf, learnableKey, type KernelAlt, type LearnFilter } from './kernel-learn-table';

/** The subset of a pino logger the kernel side uses. */
export interface FibLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Options of `KernelLearner`. */
export interface KernelLearnerOptions {
  /** Our own rtm_protocol, never learned (PetrelSettings.fib.protocol). Default 12. */
  protocol?: number;
  /** The table learned from (PetrelSettings.fib.table). Default 254. */
  table?: number;
  /** The direct protocol's interface patterns (AdvertisementInputs.directInterfaces). Default Calico's. */
  directInterfaces?: readonly InterfacePattern[];
  /** Device filter for learned kernel routes; default none (Calico's kernel protocol has no interface list). */
  kernelInterfaces?: readonly InterfacePattern[];
  /** Run the direct protocol. Default true. */
  direct?: boolean;
  /** Periodic full rescan in ms (BIRD `scan time`); 0 (default) relies on the monitor. */
  scanMs?: number;
  /** Debounce of event-triggered resyncs. Default 100 ms. */
  resyncDelayMs?: number;
  log?: FibLogger;
}

/** The Loc-RIBs and interner the learner feeds (the Daemon's). */
export interface RibHandles {
  ribs: ReadonlyMap<Family, LocRib>;
  interner: AttrInterner;
}

const GROUPS = [RtnlGroup.Link, RtnlGroup.Ipv4Ifaddr, RtnlGroup.Ipv6Ifaddr, RtnlGroup.Ipv4Route, RtnlGroup.Ipv6Route];

/** Learns kernel routes (`kernel1`) and interface routes (`direct1`) into the Loc-RIBs. */
export class KernelLearner {
  readonly kernelSource: RouteSource = localSource('kernel1', SourceKind.Kernel);
  readonly directSource: RouteSource = localSource('direct1', SourceKind.Direct);
  /** Route facts for policy adapters (`exportPolicyOf(..., learner.facts)`). */
  readonly facts: RouteFacts = { ifnameOf: (r) => this.ifnameOf(r), krtMetricOf: (r) => this.krtMetricOf(r) };

  private readonly filter: LearnFilter;
  private readonly kernelFilter?: InterfaceFilter;
  private readonly links = new Map<number, LinkState>();
  private readonly kernel: KernelRouteTable;
  private direct: InterfaceRoutes;
  private rib?: RibHandles;
  private readonly fields = emptyAttrFields();
  private transport?: NetlinkTransport;
  private monitor?: Monitor;
  private syncing = false;
  private queued: Buffer[] = [];
  private resyncTimer?: NodeJS.Timeout;
  private scanTimer?: NodeJS.Timeout;
  private stopped = false;
  /** Completed full dumps (for tests and `petrel show`). */
  syncs = 0;

  constructor(private readonly opts: KernelLearnerOptions = {}) {
    this.filter = { protocol: opts.protocol ?? 12, table: opts.table ?? 254 };
    if (opts.kernelInterfaces) this.kernelFilter = new InterfaceFilter(opts.kernelInterfaces);
    this.kernel = new KernelRouteTable((p, best) => this.onKernel(p, best));
    this.direct = new InterfaceRoutes(opts.directInterfaces ?? calicoDirectPatterns(), (p, i) => this.onDirect(p, i));
  }

  /** Subscribes, dumps, and starts feeding `rib`. Resolves after the first full sync. */
  async start(rib: RibHandles): Promise<void> {
    this.rib = rib;
    this.transport = NetlinkTransport.open();
    this.syncing = true;
    this.monitor = await subscribe(GROUPS, {
      onMessage: (m) => this.onMessage(m),
      onResync: () => this.scheduleResync(0),
      onError: (err: FibError) => this.opts.log?.error({ err: err.message }, 'kernel monitor failed; learned routes may go stale'),
    });
    this.syncing = false;
    await this.resync();
    if (this.opts.scanMs) this.scanTimer = setInterval(() => this.scheduleResync(0), this.opts.scanMs).unref();
  }

  /** Applies a new direct-protocol pattern list (BGPConfiguration.ignoredInterfaces changed) and resyncs. */
  async setDirectInterfaces(patterns: readonly InterfacePattern[]): Promise<void> {
    for (const p of [...this.direct.routes.keys()]) this.withdraw(p, this.directSource);
    this.direct = new InterfaceRoutes(patterns, (p, i) => this.onDirect(p, i));
    await this.resync();
  }

  /** Stops listening and withdraws everything learned from the Loc-RIBs (the kernel is left as it is). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.resyncTimer) clearTimeout(this.resyncTimer);
    if (this.scanTimer) clearInterval(this.scanTimer);
    this.monitor?.close();
    this.transport?.close();
    if (this.rib) {
      for (const p of this.kernel.routes.keys()) this.withdraw(p, this.kernelSource);
      for (const p of this.direct.routes.keys()) this.withdraw(p, this.directSource);
    }
    this.kernel.routes.clear();
    this.direct.routes.clear();
  }

  /** The device of a kernel1/direct1 route (`ifname` in filters); undefined for other sources and blackholes. */
  ifnameOf(route: Route): string | undefined {
    if (route.source === this.kernelSource) {
      const oif = this.kernel.best(route.prefix)?.oif;
      return oif ? this.links.get(oif)?.name : undefined;
    }
    if (route.source === this.directSource) return this.direct.ifnameOf(route.prefix);
    return undefined;
  }

  /** The kernel metric of a kernel1 route (`krt_metric`). */
  krtMetricOf(route: Route): number | undefined {
    return route.source === this.kernelSource ? this.kernel.best(route.prefix)?.metric : undefined;
  }

  /** The learned kernel prefixes with their announced route (diagnostics, tests). */
  kernelRoutes(): ReadonlyMap<PrefixKey, readonly KernelAlt[]> {
    return this.kernel.routes;
  }

  /** The direct prefixes with the ifindex each names (diagnostics, tests). */
  directRoutes(): ReadonlyMap<PrefixKey, number> {
    return this.direct.routes;
  }

  private ribFor(p: PrefixKey): LocRib | undefined {
    return this.rib?.ribs.get(typeof p === 'number' ? IPV4_UNICAST : IPV6_UNICAST);
  }

  private announce(p: PrefixKey, source: RouteSource): void {
    const rib = this.ribFor(p);
    if (!rib || this.stopped) return;
    let present = false;
    for (let r = rib.candidates(p) ?? null; r !== null; r = r.next) if (r.source === source) present = true;
    originate(rib, this.rib!.interner, source, p, this.fields);
    // Same attributes: upsert was a no-op, but the facts (device, metric) may differ: let exporters re-run policy.
    if (present) rib.journal.append(p);
  }

  private withdraw(p: PrefixKey, source: RouteSource): void {
    this.ribFor(p)?.withdraw(p, source, 0);
  }

  private onKernel(p: PrefixKey, best: KernelAlt | undefined): void {
    if (best === undefined) this.withdraw(p, this.kernelSource);
    else this.announce(p, this.kernelSource);
  }

  private onDirect(p: PrefixKey, ifindex: number): void {
    if (ifindex === 0) this.withdraw(p, this.directSource);
    else this.announce(p, this.directSource);
  }

  private passesKernelFilter(oif: number): boolean {
    if (!this.kernelFilter || oif === 0) return true;
    const name = this.links.get(oif)?.name;
    return name === undefined || this.kernelFilter.matches(name);
  }

  private onMessage(m: Buffer): void {
    if (this.stopped) return;
    if (this.syncing) {
      this.queued.push(Buffer.from(m));
      return;
    }
    this.handle(m);
  }

  private handle(m: Buffer): void {
    let msg;
    try {
      msg = decodeMessage(m);
    } catch (err) {
      this.opts.log?.warn({ err: (err as Error).message }, 'undecodable kernel notification ignored');
      return;
    }
    switch (msg.kind) {
      case 'route': {
        const key = learnableKey(msg.route, this.filter);
        if (key === undefined) return;
        const alt = altOf(msg.route);
        if (msg.op === 'new' && !this.passesKernelFilter(alt.oif)) return;
        this.kernel.apply(msg.op, key, alt);
        return;
      }
      case 'link': {
        const l = msg.link;
        const old = this.links.get(l.index);
        if (msg.op === 'del') {
          this.links.delete(l.index);
          this.kernel.dropOif(l.index);
          this.direct.deleteLink(l.index);
          this.scheduleResync();
          return;
        }
        const up = (l.flags & Iff.Up) !== 0;
        const name = l.name ?? old?.name ?? '';
        this.links.set(l.index, { name, up });
        if (this.opts.direct !== false) this.direct.setLink(l.index, name, up);
        if (old && ((old.up && !up) || old.name !== name)) {
          this.scheduleResync();
          if (old.name !== name) for (const p of this.kernel.prefixesVia(l.index)) this.announce(p, this.kernelSource);
        }
        return;
      }
      case 'addr': {
        if (this.opts.direct === false) return;
        const a = msg.addr;
        const address = a.address ?? a.local;
        if (address === undefined) return;
        const fam = a.family === Af.Inet ? 4 : 6;
        if (msg.op === 'new') this.direct.addAddress(a.index, fam, address, a.prefixLen, a.scope);
        else this.direct.deleteAddress(a.index, address, a.prefixLen);
        return;
      }
      default:
        return;
    }
  }

  private scheduleResync(delay = this.opts.resyncDelayMs ?? 100): void {
    if (this.stopped || this.resyncTimer) return;
    this.resyncTimer = setTimeout(() => {
      this.resyncTimer = undefined;
      this.resync().catch((err: Error) => this.opts.log?.warn({ err: err.message }, 'kernel resync failed; retrying'));
    }, delay);
  }

  /** Dumps links, addresses and routes and reconciles; queued notifications are replayed afterwards. */
  private async resync(): Promise<void> {
    if (this.stopped || !this.transport) return;
    this.syncing = true;
    try {
      const t = this.transport;
      const one = (fn: (w: NlWriter) => void): Buffer => {
        const w = new NlWriter(64);
        fn(w);
        return w.finish();
      };
      const linkMsgs = await t.dump(one((w) => encodeLinkDump(w, 0)));
      const addrMsgs = this.opts.direct === false ? [] : await t.dump(one((w) => encodeAddrDump(w, 0, Af.Unspec)));
      const routeMsgs = await t.dump(one((w) => encodeRouteDump(w, 0, Af.Unspec)));
      this.links.clear();
      for (const m of linkMsgs) {
        const d = decodeMessage(m);
        if (d.kind === 'link') this.links.set(d.link.index, { name: d.link.name ?? '', up: (d.link.flags & Iff.Up) !== 0 });
      }
      const addrs: { index: number; family: 4 | 6; address: string; prefixLen: number; scope: number }[] = [];
      for (const m of addrMsgs) {
        const d = decodeMessage(m);
        if (d.kind !== 'addr') continue;
        const address = d.addr.address ?? d.addr.local;
        if (address !== undefined) addrs.push({ index: d.addr.index, family: d.addr.family === Af.Inet ? 4 : 6, address, prefixLen: d.addr.prefixLen, scope: d.addr.scope });
      }
      const next = new Map<PrefixKey, KernelAlt[]>();
      for (const m of routeMsgs) {
        const d = decodeMessage(m);
        if (d.kind !== 'route') continue;
        const key = learnableKey(d.route, this.filter);
        if (key === undefined) continue;
        const alt = altOf(d.route);
        if (this.passesKernelFilter(alt.oif)) accumulate(next, key, alt);
      }
      if (this.opts.direct !== false) this.direct.reset(this.links, addrs);
      this.kernel.reset(next);
      this.syncs++;
    } finally {
      this.syncing = false;
      const q = this.queued;
      this.queued = [];
      for (const m of q) this.handle(m);
    }
  }
}
