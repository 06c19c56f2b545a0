/**
 * DOC: graceful restart, receiving-speaker ("helper") side (RFC 4724 §4.2, RFC 8538): one helper per peer.
 *
 * When a session with a peer that advertised the Graceful Restart capability ends without a NOTIFICATION, the
 * peer's routes are kept and marked `RouteFlag.Stale` instead of being flushed; they stay eligible and installed,
 * so forwarding continues. The restart timer (the peer's Restart Time) runs until the session returns; when it
 * fires first, every stale route is removed. On re-establishment:
 * - no GR capability in the new OPEN: every stale route goes at once;
 * - a family missing from the new capability, or without the F (forwarding state) bit: its stale routes go at once;
 * - other families wait for the peer's End-of-RIB, or for the stale timer (`staleTime`, Petrel's
 *   `gracefulRestart.waitTime`), whichever is first; then the routes still stale are removed.
 * A route the peer re-sends replaces the stale one through the normal import path (`LocRib.upsert` writes the new
 * flags, which have no Stale bit), so "still stale" means "not re-sent".
 *
 * Triggers (`retainsRoutes`): TCP loss, and hold timer expiry (the peer is gone and cannot read our NOTIFICATION:
 * treated like TCP loss, as the issue asks; RFC 8538 §4 makes this standard when the N bit is negotiated). With the
 * N bit negotiated in both directions (RFC 8538 §2) any NOTIFICATION keeps the routes except Cease/Hard Reset
 * (RFC 8538 §3). A session we stop ourselves (deconfigured peer, shutdown) never keeps them.
 *
 * Marking, sweeping and flushing walk the Loc-RIB tables in slices (`SLICE` prefixes per turn of the event loop).
 * Invariant: no sliced job of the previous phase is left half-done when a new phase starts (`finishJobs` runs the
 * rest synchronously), so a route received in a new session is never marked stale by an old marking walk.
 */
import type { Logger } from 'pino';
import type { PrefixKey } from '../util/prefix';
import type { LocRib } from '../rib/loc-rib';
import { RouteFlag, type Route, type RouteSource } from '../rib/types';
import type { NegotiatedSession, PeerGracefulRestart } from './codec/session-codec';
import { CeaseSubcode, ErrCode } from './constants';
import { formatFamily, type Family } from './family';
import type { DownReason } from './fsm/types';

/** Prefixes visited per slice when marking, sweeping or flushing. */
const SLICE = 20000;

export type GracefulRestartPhase = 'idle' | 'restarting' | 'recovering';

/** What `petrel show peers` reports about the helper. */
export interface GracefulRestartStatus {
  phase: GracefulRestartPhase;
  /** Families whose stale routes are kept (waiting for the session, or for End-of-RIB). */
  staleFamilies: Family[];
  /** ms since epoch when the running timer (restart or stale) fires; 0 when none runs. */
  deadline: number;
}

/** RFC 4724 §4.2 / RFC 8538 §3: whether a session end keeps the peer's routes as stale. */
export function retainsRoutes(reason: DownReason, gr: PeerGracefulRestart | undefined, localNotificationBit: boolean): boolean {
  if (!gr) return false;
  switch (reason.kind) {
    case 'ConnectionClosed':
      return true;
    case 'Stopped':
      return false;
    case 'NotificationSent':
    case 'NotificationReceived':
      if (reason.kind === 'NotificationSent' && reason.code === ErrCode.HoldTimerExpired) return true;
      return gr.notification && localNotificationBit && !(reason.code === ErrCode.Cease && reason.subcode === CeaseSubcode.HardReset);
  }
}

interface Job {
  rib: LocRib;
  it: Iterator<[PrefixKey, Route]>;
  kind: 'mark' | 'sweep';
}

export class GracefulRestartHelper {
  private phaseValue: GracefulRestartPhase = 'idle';
  private readonly stale = new Set<Family>();
  private timer: NodeJS.Timeout | null = null;
  private deadline = 0;
  private jobs: Job[] = [];
  private running = false;

  /** `staleTime`: seconds to wait for End-of-RIB after the session returns. */
  constructor(
    private readonly source: RouteSource,
    private readonly ribs: ReadonlyMap<Family, LocRib>,
    private readonly log: Logger,
    private readonly staleTime: number,
  ) {}

  get phase(): GracefulRestartPhase {
    return this.phaseValue;
  }

  status(): GracefulRestartStatus {
    return { phase: this.phaseValue, staleFamilies: [...this.stale], deadline: this.deadline };
  }

  /**
   * The session went down keeping the routes (`retainsRoutes` said so): marks the families of the peer's GR
   * capability stale and starts the restart timer. Returns the families the caller must flush (negotiated but not
   * covered by the capability, RFC 4724 §4.2).
   */
  sessionDown(n: NegotiatedSession, reason: DownReason): Family[] {
    const gr = n.gracefulRestart!;
    this.finishJobs();
    this.cancelTimer();
    const covered = new Set(gr.families.map((g) => g.family));
    for (const f of covered) {
      const rib = this.ribs.get(f);
      if (!rib) continue;
      this.stale.add(f);
      this.jobs.push({ rib, it: rib.table.entries(), kind: 'mark' });
    }
    this.phaseValue = 'restarting';
    this.log.info({ reason: reason.kind, restartTime: gr.restartTime, families: [...this.stale].map(formatFamily) },
      'graceful restart: keeping the peer\'s routes as stale (RFC 4724 §4.2)');
    this.arm(gr.restartTime, () => {
      this.log.warn({ restartTime: gr.restartTime }, 'graceful restart: restart timer expired, removing stale routes');
      this.sweepAll();
    });
    this.runJobs();
    return n.families.filter((f) => !covered.has(f));
  }

  /** The session is back (RFC 4724 §4.2): drop families the new OPEN no longer preserves, wait for End-of-RIB. */
  sessionUp(n: NegotiatedSession): void {
    if (this.phaseValue === 'idle') return;
    this.finishJobs();
    this.cancelTimer();
    const keep = new Set<Family>();
    for (const g of n.gracefulRestart?.families ?? []) if (g.forwarding) keep.add(g.family);
    const dropped: Family[] = [];
    for (const f of [...this.stale]) {
      if (!keep.has(f)) {
        dropped.push(f);
        this.sweep(f);
      }
    }
    if (this.stale.size === 0) {
      this.phaseValue = 'idle';
      this.log.info({ dropped: dropped.map(formatFamily) }, 'graceful restart: forwarding state not preserved, stale routes removed');
      this.runJobs();
      return;
    }
    this.phaseValue = 'recovering';
    this.log.info({ waiting: [...this.stale].map(formatFamily), dropped: dropped.map(formatFamily), staleTime: this.staleTime },
      'graceful restart: session back, waiting for End-of-RIB');
    this.arm(this.staleTime, () => {
      this.log.warn({ families: [...this.stale].map(formatFamily) }, 'graceful restart: stale timer expired, removing routes not re-sent');
      this.sweepAll();
    });
    this.runJobs();
  }

  /** End-of-RIB for `f` from the peer: its routes still stale were not re-sent and go now. */
  endOfRib(f: Family): void {
    if (this.phaseValue !== 'recovering' || !this.stale.has(f)) return;
    this.sweep(f);
    this.log.info({ family: formatFamily(f) }, 'graceful restart: End-of-RIB received, stale routes removed');
    if (this.stale.size === 0) {
      this.cancelTimer();
      this.phaseValue = 'idle';
    }
    this.runJobs();
  }

  /** Abandons helper mode without touching routes (the caller flushes the peer's routes, or the process exits). */
  reset(): void {
    this.jobs = [];
    this.stale.clear();
    this.cancelTimer();
    this.phaseValue = 'idle';
  }

  private sweepAll(): void {
    this.timer = null;
    this.deadline = 0;
    for (const f of [...this.stale]) this.sweep(f);
    this.phaseValue = 'idle';
    this.runJobs();
  }

  private sweep(f: Family): void {
    this.stale.delete(f);
    const rib = this.ribs.get(f);
    if (rib) this.jobs.push({ rib, it: rib.table.entries(), kind: 'sweep' });
  }

  private arm(seconds: number, fire: () => void): void {
    this.deadline = Date.now() + seconds * 1000;
    this.timer = setTimeout(fire, seconds * 1000);
    this.timer.unref();
  }

  private cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.deadline = 0;
  }

  /** Runs one slice of the pending jobs, and schedules the next while any remain. */
  private runJobs(): void {
    if (this.running) return;
    this.running = true;
    const step = () => {
      let budget = SLICE;
      while (this.jobs.length && budget > 0) {
        budget -= this.step(this.jobs[0], budget);
        if (budget > 0) this.jobs.shift();
      }
      if (this.jobs.length) setImmediate(step);
      else this.running = false;
    };
    setImmediate(step);
  }

  private finishJobs(): void {
    while (this.jobs.length) {
      this.step(this.jobs[0], Infinity);
      this.jobs.shift();
    }
  }

  /** Visits up to `budget` prefixes of a job; returns how many (fewer than `budget` once the job is done). */
  private step(job: Job, budget: number): number {
    const src = this.source;
    let n = 0;
    while (n < budget) {
      const next = job.it.next();
      if (next.done) return n;
      n++;
      const [prefix, head] = next.value;
      for (let r: Route | null = head; r !== null; ) {
        const following: Route | null = r.next;
        if (r.source === src) {
          if (job.kind === 'mark') r.flags |= RouteFlag.Stale;
          else if (r.flags & RouteFlag.Stale) job.rib.withdraw(prefix, src, r.pathId);
        }
        r = following;
      }
    }
    // Exactly `budget` visited: the job may have more; report the budget used up.
    return budget;
  }
}
