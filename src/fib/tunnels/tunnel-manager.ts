/**
 * DOC: the tunnel device driver: keeps `tunl0` and `vxlan.calico` (and VXLAN's neighbours, FDB entries and block
 * routes) as the TunnelPlan says, and puts them back when someone changes or deletes them.
 *
 * Loop: snapshot the kernel (dumps of links, IPv4 addresses, neighbours, FDB, IPv4 routes), compute the requests
 * (`reconcile.ts`), send them as one batch, and repeat while a pass created a device (its follow-ups need its
 * index), at most four passes. Reconciles are serialized; requests arriving meanwhile coalesce into one more run.
 * A link/address/neighbour/route monitor schedules a reconcile (debounced) when something touches our devices or
 * our routes, so a deleted device is recreated and a changed MTU fixed within the debounce.
 * IPIP without the `ipip` module: the create fails with EOPNOTSUPP ("Unknown device type"); that is reported once
 * (error log and `status().ipip = 'unavailable'`) and IPIP is skipped while VXLAN goes on; `update()` retries
 * quietly. Other refused requests are logged (each distinct failure once until it succeeds) and retried on the
 * next reconcile. `stop()` closes the sockets and leaves devices, entries and routes in place (persist, as BIRD).
 */
import type { TunnelPlan } from '../../config/tunnels';
import type { FibLogger } from '../kernel-learn';
import {
  Af, NlWriter, RtnlGroup, decodeMessage, encodeAddrDump, encodeLinkDump, encodeNeighDump, encodeRouteDump, errnoName,
} from '../netlink/codec';
import { NetlinkTransport, subscribe, type Monitor } from '../netlink/transport';
import { reconcileActions, type TunnelAction, type TunnelSnapshot } from './reconcile';

/** Options of `TunnelManager`. */
export interface TunnelManagerOptions {
  /**
   * rtm_protocol of the routes we program and own. It must differ from the FIB's (PetrelSettings.fib.protocol):
   * the FIB, like BIRD's kernel protocol, deletes every route of its own protocol it does not want, so sharing it
   * makes the FIB and this manager delete and re-add the VXLAN routes on every FIB scan. The daemon passes
   * {@link TUNNEL_ROUTE_PROTOCOL}. Default 12 (kept for the unit tests' fixtures).
   */
  protocol?: number;
  /** Routing table (PetrelSettings.fib.table). Default 254. */
  table?: number;
  /** Watch the kernel and repair (default true). */
  monitor?: boolean;
  /** Debounce of monitor-triggered reconciles. Default 50 ms. */
  debounceMs?: number;
  log?: FibLogger;
}

/** Per device: 'ok' (matches the plan), 'unmanaged' (not in the plan), 'unavailable' (no kernel support), 'error'. */
export type TunnelDeviceStatus = 'ok' | 'unmanaged' | 'unavailable' | 'error';

/** What the last reconcile did. */
export interface TunnelStatus {
  ipip: TunnelDeviceStatus;
  vxlan: TunnelDeviceStatus;
  /** Reconciles completed. */
  reconciles: number;
  /** Requests sent by the last reconcile (descriptions). */
  lastActions: string[];
  /** Requests the kernel refused in the last reconcile (`what: ERRNO`). */
  lastErrors: string[];
}

/**
 * The rtm_protocol the daemon programs tunnel routes with: Felix's default route protocol (80), since these routes
 * are Felix's in Calico. BIRD (and our kernel learner) learn them as alien routes, as they learn Felix's.
 */
export const TUNNEL_ROUTE_PROTOCOL = 80;

const EOPNOTSUPP = 95;
const MAX_PASSES = 4;
const GROUPS = [RtnlGroup.Link, RtnlGroup.Ipv4Ifaddr, RtnlGroup.Neigh, RtnlGroup.Ipv4Route];

function dumpMsg(fn: (w: NlWriter) => void): Buffer {
  const w = new NlWriter(64);
  fn(w);
  return w.finish();
}

/** Reads the kernel state `reconcile.ts` needs through `t`. */
export async function readTunnelSnapshot(t: NetlinkTransport): Promise<TunnelSnapshot> {
  const snap: TunnelSnapshot = { links: [], addrs: [], neighs: [], fdb: [], routes: [] };
  for (const m of await t.dump(dumpMsg((w) => encodeLinkDump(w, 0)))) {
    const d = decodeMessage(m);
    if (d.kind === 'link') snap.links.push(d.link);
  }
  for (const m of await t.dump(dumpMsg((w) => encodeAddrDump(w, 0, Af.Inet)))) {
    const d = decodeMessage(m);
    if (d.kind === 'addr') snap.addrs.push(d.addr);
  }
  for (const m of await t.dump(dumpMsg((w) => encodeNeighDump(w, 0, Af.Inet)))) {
    const d = decodeMessage(m);
    if (d.kind === 'neigh') snap.neighs.push(d.neigh);
  }
  for (const m of await t.dump(dumpMsg((w) => encodeNeighDump(w, 0, Af.Bridge)))) {
    const d = decodeMessage(m);
    if (d.kind === 'neigh') snap.fdb.push(d.neigh);
  }
  for (const m of await t.dump(dumpMsg((w) => encodeRouteDump(w, 0, Af.Inet)))) {
    const d = decodeMessage(m);
    if (d.kind === 'route') snap.routes.push(d.route);
  }
  return snap;
}

/** Keeps the tunnel devices, VTEP entries and VXLAN block routes as the plan says. */
export class TunnelManager {
  private plan: TunnelPlan = { notes: [] };
  private transport?: NetlinkTransport;
  private monitor?: Monitor;
  private running?: Promise<void>;
  private again = false;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private ipipUnavailable = false;
  private ipipReported = false;
  private readonly reported = new Set<string>();
  private ourIndexes = new Set<number>();
  private readonly st: TunnelStatus = { ipip: 'unmanaged', vxlan: 'unmanaged', reconciles: 0, lastActions: [], lastErrors: [] };

  constructor(private readonly opts: TunnelManagerOptions = {}) {}

  /** Opens the netlink sockets, starts the monitor and applies `plan`. Resolves after the first reconcile. */
  async start(plan: TunnelPlan): Promise<void> {
    this.plan = plan;
    this.transport = NetlinkTransport.open();
    if (this.opts.monitor !== false) {
      this.monitor = await subscribe(GROUPS, {
        onMessage: (m) => this.onMessage(m),
        onResync: () => this.schedule(),
        onError: (err) => this.opts.log?.error({ err: err.message }, 'tunnel monitor failed; devices are no longer repaired'),
      });
    }
    await this.reconcile();
  }

  /** Applies a new plan (configuration reload). Retries IPIP creation if the module was missing. */
  async update(plan: TunnelPlan): Promise<void> {
    this.plan = plan;
    this.ipipUnavailable = false;
    await this.reconcile();
  }

  /** Closes the sockets; devices, entries and routes stay as they are. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.monitor?.close();
    this.transport?.close();
  }

  /** The outcome of the last reconcile. */
  status(): Readonly<TunnelStatus> {
    return this.st;
  }

  /** Runs a reconcile now (or once more after the running one). */
  reconcile(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.runOnce();
        } while (this.again && !this.stopped);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.reconcile().catch((err: Error) => this.opts.log?.warn({ err: err.message }, 'tunnel reconcile failed'));
    }, this.opts.debounceMs ?? 50);
  }

  private onMessage(m: Buffer): void {
    if (this.stopped) return;
    let d;
    try {
      d = decodeMessage(m);
    } catch {
      return;
    }
    const names = [this.plan.ipip?.device, this.plan.vxlan?.device];
    const ours = (i: number | undefined): boolean => i !== undefined && this.ourIndexes.has(i);
    let relevant = false;
    if (d.kind === 'link') relevant = ours(d.link.index) || names.includes(d.link.name);
    else if (d.kind === 'addr') relevant = ours(d.addr.index);
    else if (d.kind === 'neigh') relevant = ours(d.neigh.index);
    else if (d.kind === 'route') relevant = d.route.protocol === (this.opts.protocol ?? 12) && (ours(d.route.oif) || d.op === 'del');
    if (relevant) this.schedule();
  }

  private async runOnce(): Promise<void> {
    const t = this.transport;
    if (!t || this.stopped) return;
    const opts = { protocol: this.opts.protocol ?? 12, table: this.opts.table ?? 254 };
    const actions: string[] = [];
    const errors: string[] = [];
    let ipipFailed = false, vxlanFailed = false;
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const snap = await readTunnelSnapshot(t);
      this.ourIndexes = new Set(snap.links.filter((l) => l.name === this.plan.ipip?.device || l.name === this.plan.vxlan?.device).map((l) => l.index));
      const todo = reconcileActions(this.plan, snap, opts, { ipip: this.ipipUnavailable });
      if (todo.length === 0) break;
      const res = await t.batch(Buffer.concat(todo.map((a) => a.msg)), { acks: 'errors' });
      for (const a of todo) actions.push(a.what);
      const failed = new Set<number>();
      for (const f of res.failed) {
        const a = todo[f.index];
        failed.add(f.index);
        if (a.device === 'ipip') ipipFailed = true;
        else vxlanFailed = true;
        if (a.device === 'ipip' && a.op === 'create-link' && f.errno === EOPNOTSUPP) {
          this.ipipUnavailable = true;
          if (!this.ipipReported) {
            this.ipipReported = true;
            this.opts.log?.error({ device: this.plan.ipip?.device }, 'the ipip kernel module is not available (modprobe ipip): tunl0 is not managed; VXLAN and routing go on');
          }
          continue;
        }
        const text = `${a.what}: ${errnoName(f.errno)}${f.extMessage ? ` (${f.extMessage})` : ''}`;
        errors.push(text);
        if (!this.reported.has(text)) {
          this.reported.add(text);
          this.opts.log?.warn({ request: a.what, errno: errnoName(f.errno) }, 'tunnel request refused; retried on the next reconcile');
        }
      }
      for (const u of res.unknown) failed.add(u);
      if (!todo.some((a, i) => a.op === 'create-link' && !failed.has(i)) && !hasDeleteThenRetry(todo, failed)) break;
    }
    if (errors.length === 0) this.reported.clear();
    this.st.ipip = !this.plan.ipip ? 'unmanaged' : this.ipipUnavailable ? 'unavailable' : ipipFailed ? 'error' : 'ok';
    this.st.vxlan = !this.plan.vxlan ? 'unmanaged' : vxlanFailed ? 'error' : 'ok';
    this.st.lastActions = actions;
    this.st.lastErrors = errors;
    this.st.reconciles++;
  }
}

/** A pass that only deleted a wrong device still needs the pass that creates it. */
function hasDeleteThenRetry(todo: TunnelAction[], failed: Set<number>): boolean {
  return todo.some((a, i) => a.op === 'delete-link' && !failed.has(i));
}
