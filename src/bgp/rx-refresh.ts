/**
 * DOC: enhanced route refresh, receiving side (RFC 7313 §4.2): one per peer.
 *
 * A Beginning-of-RIB-Refresh (BoRR) from the peer marks every route of that peer in the family `RouteFlag.Stale`.
 * Routes the peer re-sends lose the mark through the normal import path (`LocRib.upsert` writes the new flags,
 * which have no Stale bit); its End-of-RIB-Refresh (EoRR) removes the routes still marked, i.e. not re-sent during
 * the refresh. An EoRR without a BoRR before it is ignored (§4.2 describes no action); a second BoRR while one is
 * in progress simply marks again. Marking and sweeping walk the family's Loc-RIB in slices that the peer's receive
 * queue runs before its next message (rx-queue.ts `rxContinue`), so a route imported after the BoRR is never marked
 * by it, and one imported after the EoRR is never swept by it.
 * Not done: the optional timer bounding the wait for EoRR (§4.2 allows purging stale routes when it fires); stale
 * routes stay until the EoRR or the end of the session.
 */
import type { PrefixKey } from '../util/prefix';
import type { LocRib } from '../rib/loc-rib';
import { RouteFlag, type Route, type RouteSource } from '../rib/types';
import type { Family } from './family';

interface Walk {
  rib: LocRib;
  it: Iterator<[PrefixKey, Route]>;
  sweep: boolean;
}

export class RefreshReceiver {
  private readonly walks: Walk[] = [];
  /** Families between a BoRR and its EoRR. */
  private readonly open = new Set<Family>();
  /** Routes removed by EoRR sweeps since construction (for logs and tests). */
  swept = 0;

  constructor(
    private readonly source: RouteSource,
    private readonly ribs: ReadonlyMap<Family, LocRib>,
  ) {}

  /** Whether a refresh of `f` is in progress (BoRR received, EoRR not yet). */
  refreshing(f: Family): boolean {
    return this.open.has(f);
  }

  /** BoRR for `f`: mark the peer's routes of the family stale. Returns false when the family has no Loc-RIB. */
  begin(f: Family): boolean {
    const rib = this.ribs.get(f);
    if (!rib) return false;
    this.open.add(f);
    this.walks.push({ rib, it: rib.table.entries(), sweep: false });
    return true;
  }

  /** EoRR for `f`: remove the routes still stale. Returns false when no refresh of `f` was in progress. */
  end(f: Family): boolean {
    if (!this.open.delete(f)) return false;
    const rib = this.ribs.get(f)!;
    this.walks.push({ rib, it: rib.table.entries(), sweep: true });
    return true;
  }

  /** Visits up to `budget` prefixes of the pending walks; fewer means every walk is done. */
  step(budget: number): number {
    let n = 0;
    const src = this.source;
    while (this.walks.length > 0) {
      const w = this.walks[0];
      for (;;) {
        if (n >= budget) return n;
        const next = w.it.next();
        if (next.done) break;
        n++;
        const [prefix, head] = next.value;
        for (let r: Route | null = head; r !== null; ) {
          const following: Route | null = r.next;
          if (r.source === src) {
            if (!w.sweep) r.flags |= RouteFlag.Stale;
            else if (r.flags & RouteFlag.Stale) {
              w.rib.withdraw(prefix, src, r.pathId);
              this.swept++;
            }
          }
          r = following;
        }
      }
      this.walks.shift();
    }
    return n;
  }

  /** Abandons every refresh in progress (session down); routes keep whatever flags they have. */
  reset(): void {
    this.walks.length = 0;
    this.open.clear();
  }
}
