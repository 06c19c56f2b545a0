/**
 * DOC: one peer's export of one family: Loc-RIB journal → export decision → Adj-RIB-Out → UPDATE messages.
 *
 * The exporter pulls changed prefixes from the Loc-RIB journal at its own pace (the session driver pulls while the
 * socket is writable, so a slow peer holds only its own cursor back). For each prefix it asks `decide` for the
 * attribute set to advertise (policy and the iBGP/eBGP rules, see export-rules.ts) and compares it with the
 * Adj-RIB-Out by reference: equal sets are `===` thanks to interning, so an unchanged route costs one array read.
 * Everything per prefix works on the Loc-RIB's dense slots (loc-rib.ts), not on prefix keys: the journal is read
 * as slots, `rib.bestAt(slot)` and the Adj-RIB-Out (adj-rib-out.ts) are array reads, and the changed prefixes
 * wait in a `SlotQueue` (a bitmap plus a FIFO; a newer change of a queued prefix simply replaces the older one,
 * BIRD's prefix hash rule). `drain` turns slots back into keys only to encode them, grouped by attribute set into
 * as few UPDATEs as possible. The initial feed (and `refeed`) walks the slots that existed when it started; any
 * prefix created later reaches the exporter through the journal, whose cursor was opened first.
 * The Adj-RIB-Out holds one reference on each set it stores; `close` releases them all.
 * One exporter serves a whole update group (update-group.ts); `adoptState` copies another exporter's Adj-RIB-Out,
 * queued changes, feed position and journal position, which is how a slow member forks off its group without
 * losing track of what it was sent.
 */
import type { PrefixKey } from '../util/prefix';
import type { JournalCursor } from '../util/journal';
import type { AttrSet } from './attrs/attr-set';
import type { AttrInterner } from './attrs/intern';
import { AdjRibOut } from './adj-rib-out';
import type { LocRib } from './loc-rib';
import { SlotQueue } from './slot-queue';
import type { Route } from './types';
import type { UpdateBuilder } from './update-builder';

/**
 * Decides what to advertise for a best route: a set holding one new reference, or null to not advertise it.
 * `dispose` (optional) releases whatever the decision caches; the exporter calls it on `close`.
 */
export type ExportDecision = ((best: Route) => AttrSet | null) & { dispose?: () => void };

export interface ExporterStats {
  advertised: number;
  pending: number;
  journalLag: number;
}

export class Exporter {
  readonly adjRibOut: AdjRibOut;
  private readonly dirty = new SlotQueue();
  private cursor: JournalCursor;
  private readonly slots = new Int32Array(4096);
  private readonly taken: number[] = [];
  /** Initial feed / refeed: the next slot to evaluate and the end of the walk (equal when not feeding). */
  private feedNext = 0;
  private feedEnd = 0;

  constructor(
    readonly name: string,
    private readonly rib: LocRib,
    private readonly interner: AttrInterner,
    private readonly builder: UpdateBuilder,
    private readonly decide: ExportDecision,
  ) {
    this.adjRibOut = new AdjRibOut(rib);
    // Start at the head and feed the existing table separately (BIRD's initial feed).
    this.cursor = rib.journal.openCursor(name);
    this.feedEnd = rib.slotCount;
  }

  /** Whether the initial table feed (or a refeed) is still running. */
  get feeding(): boolean {
    return this.feedNext < this.feedEnd;
  }

  /**
   * Takes over the export state of `other` (same Loc-RIB): its Adj-RIB-Out (one new reference per set), its queued
   * changes, its feed position and its journal position. Meant for a freshly constructed exporter.
   */
  adoptState(other: Exporter): void {
    this.adjRibOut.clear((s) => this.interner.release(s));
    this.adjRibOut.copyFrom(other.adjRibOut, (s) => this.interner.ref(s));
    this.dirty.copyFrom(other.dirty);
    this.cursor.seq = other.cursor.seq;
    this.feedNext = other.feedNext;
    this.feedEnd = other.feedEnd;
  }

  /** Re-evaluates every prefix (after an export policy change: soft reconfiguration, no session reset). */
  refeed(): void {
    this.feedNext = 0;
    this.feedEnd = this.rib.slotCount;
  }

  /** Forgets what was advertised and re-sends the whole table (ROUTE-REFRESH from the peer, RFC 2918 §4). */
  refeedAll(): void {
    const out = this.adjRibOut;
    for (let s = 0; s < out.slotLimit; s++) if (out.at(s) !== null) this.dirty.delete(s);
    out.clear((set) => this.interner.release(set));
    this.refeed();
  }

  /** Evaluates up to `budget` prefixes (initial feed first, then journal changes). Returns how many were evaluated. */
  pull(budget: number): number {
    let n = 0;
    while (n < budget && this.feedNext < this.feedEnd) {
      this.evaluate(this.feedNext++);
      n++;
    }
    const slots = this.slots;
    while (n < budget) {
      const got = this.rib.journal.readSlots(this.cursor, budget - n, slots);
      if (got === 0) break;
      for (let i = 0; i < got; i++) this.evaluate(slots[i]);
      n += got;
    }
    return n;
  }

  private evaluate(slot: number): void {
    const best = this.rib.bestAt(slot);
    const next = best ? this.decide(best) : null;
    const prev = this.adjRibOut.at(slot);
    if (next === prev) {
      if (next) this.interner.release(next);
      return;
    }
    this.adjRibOut.put(slot, next);
    if (prev) this.interner.release(prev);
    this.dirty.add(slot);
  }

  /** Whether there is anything to send or evaluate. */
  get idle(): boolean {
    return this.dirty.size === 0 && !this.feeding && this.rib.journal.lag(this.cursor) === 0;
  }

  /** Encodes up to `maxPrefixes` queued changes into UPDATEs: withdrawals first, then announcements per set. */
  drain(maxPrefixes: number): Buffer[] {
    if (this.dirty.size === 0) return [];
    const groups = new Map<AttrSet, PrefixKey[]>();
    const withdrawn: PrefixKey[] = [];
    const taken = this.taken;
    taken.length = 0;
    this.dirty.take(maxPrefixes, taken);
    let lastSet: AttrSet | undefined;
    let lastKeys: PrefixKey[] = withdrawn;
    for (let i = 0; i < taken.length; i++) {
      const slot = taken[i];
      const set = this.adjRibOut.at(slot);
      const key = this.rib.keyOf(slot);
      if (set === null) withdrawn.push(key);
      else if (set === lastSet) lastKeys.push(key);
      else {
        lastSet = set;
        lastKeys = groups.get(set) ?? [];
        if (lastKeys.length === 0) groups.set(set, lastKeys);
        lastKeys.push(key);
      }
    }
    taken.length = 0;
    const out = this.builder.withdraw(withdrawn);
    for (const [set, keys] of groups) for (const m of this.builder.announce(set, keys)) out.push(m);
    return out;
  }

  stats(): ExporterStats {
    return { advertised: this.adjRibOut.size, pending: this.dirty.size, journalLag: this.rib.journal.lag(this.cursor) };
  }

  /** Releases the Adj-RIB-Out (session down) and the journal cursor. */
  close(): void {
    this.adjRibOut.clear((s) => this.interner.release(s));
    this.dirty.clear();
    this.rib.journal.closeCursor(this.cursor);
    this.feedNext = this.feedEnd = 0;
    this.decide.dispose?.();
  }
}
