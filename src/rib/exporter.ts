/**
 * DOC: one peer's export of one family: Loc-RIB journal → export decision → Adj-RIB-Out → UPDATE messages.
 *
 * The exporter pulls changed prefixes from the Loc-RIB journal at its own pace (the session driver pulls while the
 * socket is writable, so a slow peer holds only its own cursor back). For each prefix it asks `decide` for the
 * attribute set to advertise (policy and the iBGP/eBGP rules, see export-rules.ts) and compares it with the
 * Adj-RIB-Out by reference: equal sets are `===` thanks to interning, so an unchanged route costs one Map lookup.
 * Changed prefixes are remembered in a dirty set (a newer change of a queued prefix simply replaces the older one,
 * BIRD's prefix hash rule) and `drain` groups them by attribute set into as few UPDATEs as possible.
 * The Adj-RIB-Out holds one reference on each set it stores; `close` releases them all.
 * One exporter serves a whole update group (update-group.ts); `adoptState` copies another exporter's Adj-RIB-Out,
 * dirty set and journal position, which is how a slow member forks off its group without losing track of what it
 * was sent.
 */
import type { PrefixKey } from '../util/prefix';
import type { JournalCursor } from '../util/journal';
import { PrefixMap, PrefixSet } from '../util/prefix-map';
import type { AttrSet } from './attrs/attr-set';
import type { AttrInterner } from './attrs/intern';
import type { LocRib } from './loc-rib';
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
  readonly adjRibOut = new PrefixMap<AttrSet>();
  private readonly dirty = new PrefixSet();
  private cursor: JournalCursor;
  private readonly scratch: PrefixKey[] = [];
  private feedIt: Iterator<PrefixKey> | undefined;

  constructor(
    readonly name: string,
    private readonly rib: LocRib,
    private readonly interner: AttrInterner,
    private readonly builder: UpdateBuilder,
    private readonly decide: ExportDecision,
  ) {
    // Start at the head and feed the existing table separately (BIRD's initial feed).
    this.cursor = rib.journal.openCursor(name);
    this.feedIt = rib.table.keys();
  }

  /** Whether the initial table feed is still running. */
  get feeding(): boolean {
    return this.feedIt !== undefined;
  }

  /**
   * Takes over the export state of `other` (same Loc-RIB): its Adj-RIB-Out (one new reference per set), its queued
   * changes and its journal position. A running initial feed restarts from the top (evaluation is idempotent).
   * Meant for a freshly constructed exporter.
   */
  adoptState(other: Exporter): void {
    for (const set of this.adjRibOut.values()) this.interner.release(set);
    this.adjRibOut.clear();
    for (const [key, set] of other.adjRibOut) this.adjRibOut.set(key, this.interner.ref(set));
    this.dirty.clear();
    for (const key of other.dirty) this.dirty.add(key);
    this.cursor.seq = other.cursor.seq;
    this.feedIt = other.feeding ? this.rib.table.keys() : undefined;
  }

  /** Re-evaluates every prefix (after an export policy change: soft reconfiguration, no session reset). */
  refeed(): void {
    this.feedIt = this.rib.table.keys();
  }

  /** Forgets what was advertised and re-sends the whole table (ROUTE-REFRESH from the peer, RFC 2918 §4). */
  refeedAll(): void {
    for (const [key, set] of this.adjRibOut) {
      this.interner.release(set);
      this.dirty.delete(key);
    }
    this.adjRibOut.clear();
    this.feedIt = this.rib.table.keys();
  }

  /** Evaluates up to `budget` prefixes (initial feed first, then journal changes). Returns how many were evaluated. */
  pull(budget: number): number {
    let n = 0;
    if (this.feedIt) {
      while (n < budget) {
        const next = this.feedIt.next();
        if (next.done) {
          this.feedIt = undefined;
          break;
        }
        this.evaluate(next.value);
        n++;
      }
    }
    if (n < budget) {
      const keys = this.scratch;
      keys.length = 0;
      this.rib.journal.read(this.cursor, budget - n, keys);
      for (let i = 0; i < keys.length; i++) this.evaluate(keys[i]);
      n += keys.length;
      keys.length = 0;
    }
    return n;
  }

  private evaluate(key: PrefixKey): void {
    const best = this.rib.best(key);
    const next = best ? this.decide(best) : null;
    const prev = this.adjRibOut.get(key);
    if (next === (prev ?? null)) {
      if (next) this.interner.release(next);
      return;
    }
    if (next) this.adjRibOut.set(key, next);
    else this.adjRibOut.delete(key);
    if (prev) this.interner.release(prev);
    this.dirty.add(key);
  }

  /** Whether there is anything to send or evaluate. */
  get idle(): boolean {
    return this.dirty.size === 0 && this.feedIt === undefined && this.rib.journal.lag(this.cursor) === 0;
  }

  /** Encodes up to `maxPrefixes` queued changes into UPDATEs: withdrawals first, then announcements per set. */
  drain(maxPrefixes: number): Buffer[] {
    if (this.dirty.size === 0) return [];
    const groups = new Map<AttrSet, PrefixKey[]>();
    const withdrawn: PrefixKey[] = [];
    const keys = this.scratch;
    keys.length = 0;
    this.dirty.take(maxPrefixes, keys);
    let lastSet: AttrSet | undefined;
    let lastKeys: PrefixKey[] = withdrawn;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const set = this.adjRibOut.get(key);
      if (set === undefined) withdrawn.push(key);
      else if (set === lastSet) lastKeys.push(key);
      else {
        lastSet = set;
        lastKeys = groups.get(set) ?? [];
        if (lastKeys.length === 0) groups.set(set, lastKeys);
        lastKeys.push(key);
      }
    }
    keys.length = 0;
    const out = this.builder.withdraw(withdrawn);
    for (const [set, keys] of groups) for (const m of this.builder.announce(set, keys)) out.push(m);
    return out;
  }

  stats(): ExporterStats {
    return { advertised: this.adjRibOut.size, pending: this.dirty.size, journalLag: this.rib.journal.lag(this.cursor) };
  }

  /** Releases the Adj-RIB-Out (session down) and the journal cursor. */
  close(): void {
    for (const set of this.adjRibOut.values()) this.interner.release(set);
    this.adjRibOut.clear();
    this.dirty.clear();
    this.rib.journal.closeCursor(this.cursor);
    this.feedIt = undefined;
    this.decide.dispose?.();
  }
}
