/**
 * DOC: the kernel FIB: a Loc-RIB journal consumer that keeps Petrel's routes in the kernel equal to the desired
 * ones (BIRD's kernel protocol with `persist`, `graceful restart`, `merge paths` and `scan time`, but driven by
 * events: the netlink monitor reacts within milliseconds; the periodic scan is only a safety net).
 *
 * Owns: the installed table (installed-routes.ts: what we believe the kernel has of ours, one interned shape
 * pointer per prefix, indexed by the Loc-RIB's prefix slot), the adopted set, the dirty/failed/unresolved sets, one NetlinkTransport and one
 * monitor subscription (links, addresses, IPv4/IPv6 routes). Everything is written into `table` with `protocol`.
 *
 * Work loop (one at a time, sliced with setImmediate so keepalives keep flowing): take up to SLICE prefixes from,
 * in order, the dirty set (repairs, retries, convergence), the re-feed iterators (start, next-hop or policy
 * change: the whole Loc-RIB), and each Loc-RIB journal through our own cursor; compute each prefix's desired shape
 * (desired-route.ts) and compare it with the installed one (`===`); encode the differences into one FibBatch and
 * send it (fib-writes.ts: up to MAX_IN_FLIGHT batches out, so the next slice is evaluated while the kernel installs
 * the previous one) to the route writer: for a bulk install a writer thread (netlink/route-writer.ts: native in our addon, else a worker_thread), because the kernel
 * runs the inserts inside sendmsg, in the caller's thread, ≈ 4 s of CPU for a million routes that would otherwise
 * stall BGP on the event loop. Per-message failures are settled when the batch's answer comes back. A slice ends
 * after SLICE prefixes or SLICE_MS of evaluation, whichever first.
 * The installed table is updated when a message is encoded (optimistically) and is authoritative: nothing but a
 * failure answer, or a kernel route seen to differ, changes it. A failure restores the previous state and queues the
 * prefix for retry with back-off. Our own writes never come back: the transport is opened with `silenceEchoes`, so
 * the monitor process drops their notifications (they carry our socket's port) before they reach us.
 *
 * Persistence (BIRD persist + graceful restart, contract §7): `stop()` leaves every route in the kernel. `start()`
 * dumps the kernel, adopts the routes with our protocol in our table into the installed table (so an unchanged
 * route is never rewritten) and marks them adopted. Until first convergence (`converged()` true: every peer is
 * established and sent End-of-RIB; or `convergenceTimeoutMs`), an adopted prefix that is not (yet) desired is left
 * alone and not repaired; a prefix desired in this run is fully ours. At convergence, adopted prefixes still not
 * desired are deleted and a scan removes any other stale route of ours. A kill -9 therefore never removes a route
 * that is still valid: it is either re-desired (kept, unchanged) or deleted only after convergence.
 *
 * Repair: a monitor notification in our table for a prefix we installed (same metric) that deletes it, replaces it
 * with a route of another protocol, or rewrites it with our protocol but another shape, makes us forget the installed
 * state and rewrite the prefix (rate-limited per prefix; beyond that the scan takes over). The scan dumps the kernel
 * every `scanTime` seconds (at least 20 times the last scan's duration, so a large table does not spend its time
 * scanning), streamed, compares each route of ours with its installed shape by bytes (route-signature.ts; decoding
 * only on a mismatch), rewrites what differs or is missing and, after convergence, deletes routes of ours we do not
 * want (fib-scan.ts). A monitor overrun (ENOBUFS; the monitor process is restarted) is answered, once the work
 * queue is empty and no batch is in flight, by one scan that also rebuilds the next-hop resolver from the same dumps.
 */
import { OpFlag, type FibBatch } from './fib-batch';
import { FibWrites } from './fib-writes';
import { scanKernel, type ScanHost } from './fib-scan';
import { DesiredRoutes, UNRESOLVED } from './desired-route';
import { NexthopResolver, linkUsable } from './nexthop-resolver';
import { NexthopObjects } from './nexthop-objects';
import { ShapeTable, type RouteShape } from './route-shape';
import { newRoutePeek, peekRoute } from './route-peek';
import { matchesSignature, routeSignature } from './route-signature';
import { Errno, RtmType, RtnlGroup, decodeAddr, decodeLink, decodeRoute, errnoName } from './netlink/codec';
import { NetlinkTransport, subscribe, type BatchResult, type Monitor } from './netlink/transport';
import { WriterThreads } from './writer-threads';
import type { FibCounters, FibOptions, KernelPolicies } from './fib-types';

export type { FibCounters, FibOptions, KernelPolicies } from './fib-types';
import { loadKernelState } from './kernel-dump';
import { IPV4_UNICAST, IPV6_UNICAST, type Family } from '../bgp/family';
import type { LocRib } from '../rib/loc-rib';
import type { AttrInterner } from '../rib/attrs/intern';
import type { JournalCursor } from '../util/journal';
import { formatPrefixKey, type PrefixKey } from '../util/prefix';
import { PrefixSet } from '../util/prefix-map';
import { InstalledRoutes } from './installed-routes';

const MAIN_TABLE = 254;
const MONITOR_GROUPS = [RtnlGroup.Link, RtnlGroup.Ipv4Ifaddr, RtnlGroup.Ipv6Ifaddr, RtnlGroup.Ipv4Route, RtnlGroup.Ipv6Route];
const REPAIRS_PER_SECOND = 5;
/** Safety-net scan period while the netlink monitor works (scheduleScan). */
const SAFETY_NET_SCAN_MS = 60_000;
/** Milliseconds of route evaluation per slice before the batch is sent and the event loop gets a turn. */
const SLICE_MS = 8;
/**
 * Route writes per sendmsg when writing on the event loop's thread (`writerThreads: 0`): the kernel runs a whole
 * sendmsg inside the syscall (≈ 5 ms for 1024 routes). Writer threads use the transport's default (as many
 * as the receive buffer can answer).
 */
const INLINE_CHUNK_MESSAGES = 1024;
/** Batches out at once per writer: one being installed, one queued behind it. */
const MAX_IN_FLIGHT = 2;

interface Feed {
  rib: LocRib;
  cursor: JournalCursor;
  refeed: Iterator<PrefixKey> | undefined;
  unsubscribe: () => void;
}

/** The kernel FIB of one network namespace. */
export class Fib {
  private readonly shapes: ShapeTable;
  readonly resolver: NexthopResolver;
  private readonly desired: DesiredRoutes;
  private writes: FibWrites | undefined;
  /** Starts writer threads for large backlogs and ends them when idle (writer-threads.ts). */
  private threads: WriterThreads | undefined;
  /** Slot-indexed (installed-routes.ts); the sets hold IPv4 keys unboxed (util/prefix-map.ts). */
  private readonly installed: InstalledRoutes;
  private readonly adopted = new PrefixSet();
  private readonly unresolved = new PrefixSet();
  private readonly dirty = new PrefixSet();
  private readonly failed = new Map<PrefixKey, number>();
  private readonly repairCount = new Map<PrefixKey, number>();
  private readonly feeds: Feed[] = [];
  private readonly slots = new Int32Array(512);
  private readonly peek = newRoutePeek();
  private transport: NetlinkTransport | undefined;
  /** Kernel nexthop objects for single-next-hop routes (nexthop-objects.ts), unless `nexthopObjects` is false. */
  private nexthops: NexthopObjects | undefined;
  private monitor: Monitor | undefined;
  private early: Buffer[] | undefined = [];
  private running = false;
  private scheduled = false;
  private stopped = false;
  private scanWanted = false;
  private resyncWanted = false;
  private revalidateWanted = false;
  private refeedWanted = false;
  private isConverged = false;
  private monitorFailed = false;
  /** Routes of ours found at start beyond the one per prefix we adopted (removed by the convergence scan). */
  private startExtras = 0;
  private deadline = 0;
  private lastScanMs = 0;
  private retryRound = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private retryTimer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];
  private readonly stats = { replaces: 0, deletes: 0, repairs: 0, scans: 0 };
  private readonly slice: number;
  private readonly v4: LocRib | undefined;
  private readonly v6: LocRib | undefined;

  constructor(
    ribs: ReadonlyMap<Family, LocRib>,
    interner: AttrInterner,
    private readonly opts: FibOptions,
  ) {
    this.shapes = new ShapeTable(opts.table, opts.protocol);
    this.resolver = new NexthopResolver(opts.protocol, opts.table, MAIN_TABLE);
    this.desired = new DesiredRoutes(this.shapes, this.resolver, interner, opts.kernelPolicies ?? {}, opts.mergePaths);
    this.slice = opts.sliceSize ?? 8192;
    this.v4 = ribs.get(IPV4_UNICAST);
    this.v6 = ribs.get(IPV6_UNICAST);
    this.installed = new InstalledRoutes(this.v4, this.v6, this.shapes);
  }

  /** Opens the netlink sockets, adopts our routes left in the kernel, and starts following the Loc-RIBs. */
  async start(): Promise<void> {
    this.transport = NetlinkTransport.open({ maxChunkMessages: INLINE_CHUNK_MESSAGES, silenceEchoes: true, ...this.opts.transport });
    this.writes = new FibWrites([this.transport], MAX_IN_FLIGHT, (b, res, err) => this.settle(b, res, err));
    const o = this.opts;
    this.threads = new WriterThreads(this.writes, this.transport, { threads: o.writerThreads, backlog: o.writerThreadBacklog, idleMs: o.writerThreadIdleMs, transport: o.transport, log: o.log });
    this.monitor = await subscribe(MONITOR_GROUPS, {
      onMessage: (m) => this.onKernelMessage(m),
      onResync: () => {
        this.resyncWanted = true;
        this.kick();
      },
      onError: (e) => {
        this.monitorFailed = true;
        this.opts.log?.error({ err: e.message }, 'kernel monitor stopped; relying on periodic scans');
      },
    });
    if (o.nexthopObjects !== false) {
      const nexthops = new NexthopObjects(this.transport, o.protocol, o.log);
      if (await nexthops.load()) this.shapes.hooks = this.nexthops = nexthops;
    }
    const adopted = await loadKernelState(this.transport, this.resolver, this.opts.table, this.opts.protocol, (k, r) => {
      if (this.installed.has(k)) {
        this.startExtras++; // a second route of ours for the prefix (another metric): the convergence scan removes it
        return;
      }
      this.installed.set(k, this.shapes.acquire(this.shapes.fromKernel(r)));
      this.adopted.add(k);
    });
    const early = this.early ?? [];
    this.early = undefined;
    for (const m of early) this.onKernelMessage(m);
    for (const rib of [this.v4, this.v6]) {
      if (rib === undefined) continue;
      this.feeds.push({ rib, cursor: rib.journal.openCursor('fib'), refeed: rib.table.keys(), unsubscribe: rib.journal.onAppend(() => this.kick()) });
    }
    this.opts.log?.info({ adopted, table: this.opts.table, protocol: this.opts.protocol }, 'FIB started; kept the routes of ours found in the kernel');
    this.deadline = Date.now() + this.opts.convergenceTimeoutMs;
    this.pollConvergence();
    this.scheduleScan();
    this.kick();
  }

  /** Stops following the RIB; every installed route stays in the kernel (persist). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.monitor?.close();
    for (const f of this.feeds) {
      f.unsubscribe();
      f.rib.journal.closeCursor(f.cursor);
    }
    this.threads?.stop();
    this.nexthops?.close();
    this.writes?.close();
    this.transport?.close();
    for (const w of this.idleWaiters) w();
    this.idleWaiters = [];
  }

  get counters(): FibCounters {
    let pending = this.dirty.size + (this.writes?.ops ?? 0);
    for (const f of this.feeds) pending += f.rib.journal.lag(f.cursor) + (f.refeed !== undefined ? f.rib.table.size : 0);
    return {
      installed: this.installed.size, pending, failed: this.failed.size, unresolved: this.unresolved.size,
      adopted: this.adopted.size, converged: this.isConverged, writerThreads: this.threads?.running ?? 0, nexthopObjects: this.nexthops?.count ?? 0, ...this.stats,
    };
  }

  /** New kernel policies (configuration reload): every prefix is re-evaluated. */
  setKernelPolicies(p: KernelPolicies): void {
    this.desired.policies = p;
    this.refeedWanted = true;
    this.kick();
  }

  /** Ends the wait for first convergence now (stale adopted routes are then removed). */
  markConverged(reason = 'requested'): void {
    if (this.isConverged || this.stopped) return;
    this.isConverged = true;
    for (const k of this.adopted) this.dirty.add(k);
    // Stale routes of ours that the installed table does not track exist only if the start found some: then a scan
    // removes them. Otherwise there is nothing to find (the periodic scan still runs), and a million-route dump
    // right after the initial install is saved.
    if (this.startExtras > 0) this.scanWanted = true;
    this.opts.log?.info({ reason, adopted: this.adopted.size }, 'FIB converged: removing stale routes of ours');
    this.kick();
  }

  /** Resolves once nothing is pending (tests, benchmarks). */
  whenIdle(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Asks for a safety-net scan now. */
  requestScan(): void {
    this.scanWanted = true;
    this.kick();
  }

  private idle(): boolean {
    if (this.stopped) return true;
    if (this.running || this.scheduled || this.dirty.size > 0 || (this.writes?.ops ?? 0) > 0 || this.scanWanted || this.resyncWanted || this.revalidateWanted || this.refeedWanted) return false;
    for (const f of this.feeds) if (f.refeed !== undefined || f.rib.journal.lag(f.cursor) > 0) return false;
    return true;
  }

  private kick(): void {
    if (this.running || this.scheduled || this.stopped || this.transport === undefined) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.work();
    });
  }

  private timer(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private pollConvergence(): void {
    if (this.isConverged || this.stopped) return;
    if (Date.now() >= this.deadline) this.markConverged('timeout');
    else if (this.opts.converged?.() ?? true) this.markConverged('end-of-rib');
    else this.timer(200, () => this.pollConvergence());
  }

  /**
   * The safety-net scan's period: `scanTime` (BIRD's kernel `scan time`, 2 s in Calico's config) only while the
   * monitor is down; while it works, changes arrive as events and the scan runs at most once a minute (at 2 s a
   * node's idle CPU was mostly route dumps). Never more often than 20 × the last scan's duration.
   */
  private scheduleScan(): void {
    if (this.opts.scanTime <= 0 || this.stopped) return;
    const period = this.monitorFailed ? this.opts.scanTime * 1000 : Math.max(this.opts.scanTime * 1000, SAFETY_NET_SCAN_MS);
    this.timer(Math.max(period, 20 * this.lastScanMs), () => {
      this.requestScan();
      this.scheduleScan();
    });
  }

  private async work(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      for (;;) {
        if (this.stopped) return;
        if (this.revalidateWanted) {
          this.revalidateWanted = false;
          if (this.resolver.revalidate()) this.refeedWanted = true;
        }
        if (this.refeedWanted) {
          this.refeedWanted = false;
          for (const f of this.feeds) f.refeed = f.rib.table.keys();
        }
        const writes = this.writes!;
        await this.threads!.maybeStart(this.backlog());
        const took = this.fill();
        if (writes.queued > 0) {
          writes.send();
          await writes.room();
        } else if (took === 0) {
          if (writes.inFlight > 0) {
            await writes.drained();
            continue;
          }
          // Resync and scan wait for a quiet moment: during a bulk install the monitor overruns again and again,
          // and one reload after the burst serves them all.
          if (this.resyncWanted) {
            this.resyncWanted = false;
            this.scanWanted = false;
            await this.scan(true);
            this.revalidateWanted = true;
            continue;
          }
          if (!this.scanWanted) break;
          this.scanWanted = false;
          await this.scan(false);
          continue;
        }
        await new Promise<void>((r) => setImmediate(r));
      }
    } catch (e) {
      if (!this.stopped) {
        this.opts.log?.error({ err: e instanceof Error ? e.message : String(e) }, 'FIB work failed; retrying');
        this.timer(1000, () => {
          this.scanWanted = true;
          this.kick();
        });
      }
    } finally {
      this.running = false;
      if (this.idle()) {
        this.threads?.retireLater(() => this.idle());
        const ws = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of ws) w();
      } else if (!this.stopped) this.kick();
    }
  }

  /** Prefixes waiting to be evaluated. */
  private backlog(): number {
    let n = this.dirty.size;
    for (const f of this.feeds) n += f.rib.journal.lag(f.cursor) + (f.refeed !== undefined ? f.rib.table.size : 0);
    return n;
  }

  /** Evaluates up to one slice of prefixes into the batch; returns how many were taken. */
  private fill(): number {
    let budget = this.slice;
    const until = performance.now() + SLICE_MS;
    for (const k of this.dirty) {
      if (budget <= 0) break;
      this.dirty.delete(k);
      this.process(k);
      if ((--budget & 255) === 0 && performance.now() > until) budget = 0;
    }
    for (const f of this.feeds) {
      while (budget > 0 && f.refeed !== undefined) {
        const n = f.refeed.next();
        if (n.done) f.refeed = undefined;
        else {
          this.process(n.value);
          if ((--budget & 255) === 0 && performance.now() > until) budget = 0;
        }
      }
    }
    const slots = this.slots;
    for (const f of this.feeds) {
      while (budget > 0) {
        const n = f.rib.journal.readSlots(f.cursor, Math.min(budget, slots.length), slots);
        if (n === 0) break;
        for (let i = 0; i < n; i++) this.processAt(f.rib, slots[i], f.rib.keyOf(slots[i]));
        budget -= n;
        if (performance.now() > until) budget = 0;
      }
    }
    return this.slice - budget;
  }

  /** Brings one prefix's kernel route toward its desired state (encodes into the batch when they differ). */
  private process(k: PrefixKey): void {
    const rib = typeof k === 'number' ? this.v4 : this.v6;
    if (rib !== undefined) this.processAt(rib, rib.slotOf(k), k);
    else {
      // A family without a Loc-RIB: only routes of ours adopted at start, which are not wanted.
      const have = this.installed.get(k);
      if (have === undefined || (!this.isConverged && this.adopted.has(k))) return;
      this.adopted.delete(k);
      this.installed.delete(k);
      this.shapes.release(have);
      this.writes!.batchFor(k).remove(k, have);
      this.stats.deletes++;
    }
  }

  /** `process` for the prefix `k` at `slot` of `rib`. */
  private processAt(rib: LocRib, slot: number, k: PrefixKey): void {
    const want = this.desired.compute(rib, slot, k);
    if (want === UNRESOLVED) this.unresolved.add(k);
    else if (this.unresolved.size > 0) this.unresolved.delete(k);
    const shape = want === UNRESOLVED ? null : want;
    const have = this.installed.getAt(rib, slot);
    if (shape !== null && this.adopted.size > 0) this.adopted.delete(k);
    if (shape === have) return;
    if (shape === null) {
      if (have === undefined) return;
      if (!this.isConverged && this.adopted.has(k)) return;
      this.adopted.delete(k);
      this.installed.deleteAt(rib, slot);
      this.shapes.release(have);
      this.writes!.batchFor(k).remove(k, have);
      this.stats.deletes++;
      return;
    }
    this.installed.setAt(rib, slot, this.shapes.acquire(shape));
    if (have !== undefined) this.shapes.release(have);
    this.writes!.batchFor(k).replace(k, have, shape);
    this.stats.replaces++;
  }

  /** Settles a batch's answer: failed messages restore their previous state and are retried with back-off. */
  private settle(b: FibBatch, res: BatchResult, err?: Error): void {
    if (err !== undefined && !this.stopped) this.opts.log?.error({ err: err.message }, 'netlink batch failed');
    let refused = 0;
    let example: { prefix: string; errno: string } | undefined;
    for (const f of res.failed) {
      if (this.settleFailure(b, f.index, f.errno)) {
        refused++;
        example ??= { prefix: formatPrefixKey(b.keyAt(b.msgOp[f.index])), errno: errnoName(f.errno) };
      }
    }
    for (const i of res.unknown) this.settleFailure(b, i, 0);
    if (refused > 0) this.opts.log?.warn({ refused, example }, 'kernel refused route writes; retrying them with back-off');
    if (this.failed.size > 0) this.armRetry();
  }

  /** Undoes the optimistic installed state of a failed message; returns true when it is a real refusal. */
  private settleFailure(b: FibBatch, msg: number, errno: number): boolean {
    const op = b.msgOp[msg];
    const k = b.keyAt(op);
    const isDel = b.msgDel[msg] === 1;
    if (isDel && (errno === Errno.ESRCH || errno === Errno.ENOENT)) return false; // already gone
    if (b.flags[op] & OpFlag.Extra) return false; // the next scan tries again
    if (isDel && b.next[op] !== null) {
      // The old metric's route could not be deleted: the scan removes it once we are converged.
      this.scanWanted = true;
      return errno !== 0;
    }
    const cur = this.installed.get(k);
    if (!isDel && cur === b.next[op]) {
      this.installed.delete(k);
      this.shapes.release(cur);
    }
    const prev = b.prev[op];
    if (prev !== undefined && !this.installed.has(k) && (isDel || !(b.flags[op] & OpFlag.MetricChange))) {
      this.installed.set(k, this.shapes.acquire(prev)); // the kernel still has the previous route
    }
    this.failed.set(k, errno);
    return errno !== 0;
  }

  private armRetry(): void {
    if (this.retryTimer !== undefined || this.stopped) return;
    const ms = Math.min(30_000, 500 * 2 ** this.retryRound);
    this.retryRound = Math.min(this.retryRound + 1, 10);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      for (const k of this.failed.keys()) this.dirty.add(k);
      this.failed.clear();
      this.kick();
      // A round that ends without new failures resets the back-off.
      void this.whenIdle().then(() => {
        if (this.failed.size === 0) this.retryRound = 0;
      });
    }, ms);
    this.retryTimer.unref();
  }

  /** Forgets the installed state of `k` so that the next pass rewrites it. */
  private repair(k: PrefixKey, limited: boolean): void {
    if (limited) {
      const n = (this.repairCount.get(k) ?? 0) + 1;
      if (this.repairCount.size === 0) this.timer(1000, () => this.repairCount.clear());
      this.repairCount.set(k, n);
      if (n > REPAIRS_PER_SECOND) {
        this.scanWanted = true;
        return;
      }
    }
    const have = this.installed.get(k);
    if (have !== undefined) {
      this.installed.delete(k);
      this.shapes.release(have);
    }
    this.dirty.add(k);
    this.stats.repairs++;
    this.kick();
  }

  private onKernelMessage(m: Buffer): void {
    if (this.stopped) return;
    if (this.early !== undefined) {
      this.early.push(Buffer.from(m));
      return;
    }
    const type = m.readUInt16LE(4);
    try {
      if (type === RtmType.NewRoute || type === RtmType.DelRoute) {
        const p = this.peek;
        if (!peekRoute(m, p)) return;
        const op = type === RtmType.NewRoute ? 'new' : 'del';
        if (p.table === this.opts.table) this.checkOwn(op, p.key, p.protocol, p.metric, m);
        if (this.resolver.wants(p.table, p.protocol) && this.resolver.applyRoute(op, decodeRoute(m))) this.revalidateSoon();
      } else if (type === RtmType.NewLink || type === RtmType.DelLink) {
        const l = decodeLink(m);
        const usable = type === RtmType.NewLink && linkUsable(l.flags);
        if (this.nexthops?.linkChanged(l.index, usable)) {
          // The kernel flushed our nexthop objects on that link with their routes, silently: look for what is missing.
          this.scanWanted = true;
          this.kick();
        }
        if (this.resolver.applyLink(type === RtmType.NewLink ? 'new' : 'del', l)) {
          this.revalidateSoon();
          if (l.name !== undefined && this.desired.tunnelNames.has(l.name)) this.refeedWanted = true;
        }
      } else if (type === RtmType.NewAddr || type === RtmType.DelAddr) {
        if (this.resolver.applyAddr(type === RtmType.NewAddr ? 'new' : 'del', decodeAddr(m))) this.revalidateSoon();
      }
    } catch (e) {
      this.opts.log?.warn({ err: e instanceof Error ? e.message : String(e) }, 'undecodable kernel notification; scanning');
      this.scanWanted = true;
      this.kick();
    }
  }

  private revalidateSoon(): void {
    this.revalidateWanted = true;
    this.kick();
  }

  /**
   * A notification in our table, rarely one of our own writes (the monitors drop those: `silenceEchoes`): put our
   * route back if someone else removed it, replaced it with another protocol's, or rewrote it with ours.
   */
  private checkOwn(op: 'new' | 'del', k: PrefixKey, protocol: number, metric: number, m: Buffer): void {
    const have = this.installed.get(k);
    if (have === undefined || have.metric !== metric || this.adopted.has(k)) return;
    if (op === 'new' && protocol === this.opts.protocol && this.sameShape(m, have)) return;
    this.repair(k, true);
  }

  /** Whether the kernel route message `m` is a route of shape `have` (bytes first, decoding when they differ). */
  private sameShape(m: Buffer, have: RouteShape): boolean {
    if (have.sig !== undefined && matchesSignature(m, have.sig)) return true;
    if (this.shapes.fromKernel(decodeRoute(m)) !== have) return false;
    have.sig ??= routeSignature(m);
    return true;
  }

  /** The safety-net scan (fib-scan.ts), then its deletes are sent and settled. */
  private async scan(reload: boolean): Promise<void> {
    const t0 = Date.now();
    await scanKernel(this.scanHost(), reload);
    this.shapes.sweep();
    this.stats.scans++;
    this.lastScanMs = Date.now() - t0;
    this.writes!.send();
    await this.writes!.drained();
    // Deleting a previous run's unused nexthop object also deletes any route still naming it: scan again for those.
    if (this.isConverged && this.nexthops !== undefined && (await this.nexthops.sweep()) > 0) this.scanWanted = true;
  }

  private scanHost(): ScanHost {
    const fib = this;
    return {
      transport: this.transport!, resolver: this.resolver, table: this.opts.table, protocol: this.opts.protocol,
      installed: this.installed, adopted: this.adopted, dirty: this.dirty, writes: this.writes!,
      get converged() {
        return fib.isConverged;
      },
      sameShape: (m, have) => this.sameShape(m, have),
      repair: (k) => this.repair(k, false),
      deleted: () => this.stats.deletes++,
    };
  }
}
