/**
 * DOC: update groups: peers with the same export produce one Adj-RIB-Out and one encoded UPDATE stream.
 *
 * Peers whose export decision and encoding are identical (same family, export policy, iBGP/eBGP and route-reflector
 * role, next-hop rewrite and next-hop-self address, 4-octet AS, ADD-PATH send, extended message and extended next
 * hop: `updateGroupKey`) share one `UpdateGroup`: one exporter (journal cursor, Adj-RIB-Out, dirty set) whose
 * UPDATEs are encoded once into the group's packet queue; each member writes the same Buffers from its own position
 * in that queue (FRR's update-group/subgroup design: one packet queue, a position per peer).
 *
 * Slow members (design choice): the group never waits. Whichever member is writable and caught up produces the
 * next slice; a member that stops reading only holds back the trimming of the queue. Once it lags more than
 * `MAX_MEMBER_LAG_BYTES` behind the head it falls out: `fork` gives it a private group that starts as an exact
 * copy of the group's export state (Adj-RIB-Out, queued changes, journal position) and keeps only its own unsent
 * queue tail, so its backlog is bounded and nothing is lost or re-sent (FRR splits such a peer into its own
 * subgroup). Forked groups are not merged back (FRR does merge subgroups once in sync: not done here).
 *
 * Joining: the first member of a new group gets the exporter's initial feed. A member joining an existing group (or
 * asking for a ROUTE-REFRESH) starts at the queue head and first replays the group's current Adj-RIB-Out
 * (`catchUp`, a slot position walked in slices; a fork keeps it, as the forked Adj-RIB-Out is an exact copy);
 * every later change of a prefix is in the queue after that point, so sending the replay and
 * then the queue converges to the group's state.
 *
 * Split horizon: a group with one member never sends that member its own routes (rule 1 of export-rules.ts); a
 * group with several sends every member everything, and receivers drop their own routes (AS_PATH loop, RFC 4271
 * §9.1.2, or ORIGINATOR_ID, RFC 4456 §8), as FRR's update groups do. Membership changes between one and several
 * members re-evaluate the group's table (`refeed`) so the Adj-RIB-Out follows the rule.
 */
import type { Family } from '../bgp/family';
import type { PrefixKey } from '../util/prefix';
import type { AttrSet } from './attrs/attr-set';
import type { AttrInterner } from './attrs/intern';
import { makeExportDecision, type ExportPeer } from './export-rules';
import { Exporter } from './exporter';
import type { LocRib } from './loc-rib';
import type { RouteSource } from './types';
import type { UpdateBuilder } from './update-builder';

/** A member lagging more than this many octets behind the queue head falls out into its own group. */
export const MAX_MEMBER_LAG_BYTES = 8 * 1024 * 1024;
/** Messages handed to a member per `take`. */
const TAKE_MESSAGES = 64;
/** Queue entries dropped from the front at once (amortises Array#splice). */
const TRIM_BATCH = 256;

/** The parameters that make two peers' UPDATE streams identical. */
export interface UpdateGroupKeyParts {
  family: Family;
  /** Identity of the export policy ('' for none); distinct policies must give distinct keys. */
  policyKey: string;
  ibgp: boolean;
  rrClient: boolean;
  clusterId: string | null;
  nextHopMode: string;
  localAddress: string;
  localLinkLocal: string;
  localAs: number;
  routerId: string;
  as4: boolean;
  addPathTx: boolean;
  extendedMessage: boolean;
  extendedNextHop: boolean;
}

/** The group key of a peer direction: equal keys share an UpdateGroup. */
export function updateGroupKey(p: UpdateGroupKeyParts): string {
  return [p.family, p.policyKey, +p.ibgp, +p.rrClient, p.clusterId ?? '-', p.nextHopMode, p.localAddress, p.localLinkLocal,
    p.localAs, p.routerId, +p.as4, +p.addPathTx, +p.extendedMessage, +p.extendedNextHop].join('|');
}

/** What a member needs from its peer. */
export interface MemberHost {
  readonly source: RouteSource;
  /** New messages are queued: schedule a send. */
  wake(): void;
}

/** One peer's place in an update group. */
export class GroupMember {
  /** Queue sequence number of the next message to send. */
  pos = 0;
  /** Replay of the group's Adj-RIB-Out (joining later, ROUTE-REFRESH), sent before the queue: the next slot. */
  catchUp: number | undefined;
  /** End-of-RIB sent since the member joined or last asked for a refresh. */
  eorSent = false;

  constructor(readonly host: MemberHost, public group: UpdateGroup) {}

  /** Up to `budget` prefixes' worth of messages to write next (empty when there is nothing). */
  take(budget: number): Buffer[] {
    return this.group.take(this, budget);
  }

  /** Whether the member has sent everything the group knows and the group has nothing left to evaluate. */
  get synced(): boolean {
    return this.catchUp === undefined && this.pos === this.group.head && this.group.exporter.idle;
  }

  /**
   * Replays the whole Adj-RIB-Out to this member (ROUTE-REFRESH, RFC 2918 §4). `endOfRib`: send End-of-RIB again
   * once synced (plain refresh); an enhanced refresh (RFC 7313) ends with EoRR instead, sent by the peer once
   * `replaying` turns false.
   */
  refresh(endOfRib = true): void {
    this.catchUp = 0;
    if (endOfRib) this.eorSent = false;
  }

  /** Whether the Adj-RIB-Out replay (joining, ROUTE-REFRESH) still has entries to send. */
  get replaying(): boolean {
    return this.catchUp !== undefined;
  }

  leave(): void {
    this.group.remove(this);
  }
}

/** A shared export: one exporter, one packet queue, several members. */
export class UpdateGroup {
  readonly exporter: Exporter;
  readonly members = new Set<GroupMember>();
  private queue: Buffer[] = [];
  /** Cumulative octets up to and including each queue entry (parallel to `queue`). */
  private ends: number[] = [];
  /** Sequence number of queue[0]. */
  private base = 0;
  /** Octets before queue[0]. */
  private baseBytes = 0;
  private readonly exportPeer: ExportPeer;
  private readonly batch = new Map<AttrSet, PrefixKey[]>();

  constructor(
    readonly key: string,
    readonly rib: LocRib,
    private readonly interner: AttrInterner,
    readonly builder: UpdateBuilder,
    exportPeer: ExportPeer,
    private readonly onEmpty: (g: UpdateGroup) => void,
    /** A member lagging more than this many octets falls out (`fork`). */
    readonly maxLagBytes = MAX_MEMBER_LAG_BYTES,
  ) {
    this.exportPeer = { ...exportPeer, exclude: null };
    this.exporter = new Exporter(`group:${key}`, rib, interner, builder, makeExportDecision(this.exportPeer, interner));
  }

  /** Sequence number the next queued message gets. */
  get head(): number {
    return this.base + this.queue.length;
  }

  /** Octets queued and not yet sent by the slowest member. */
  get queuedBytes(): number {
    return this.totalBytes - this.baseBytes;
  }

  private get totalBytes(): number {
    return this.ends.length ? this.ends[this.ends.length - 1] : this.baseBytes;
  }

  /** Adds a member; unless it is the first, it replays the current Adj-RIB-Out before following the queue. */
  add(host: MemberHost): GroupMember {
    const m = new GroupMember(host, this);
    m.pos = this.head;
    if (this.members.size > 0) m.refresh();
    this.members.add(m);
    this.membershipChanged();
    return m;
  }

  remove(m: GroupMember): void {
    if (!this.members.delete(m)) return;
    this.membershipChanged();
    this.trim();
    if (this.members.size === 0) this.close();
  }

  /** Re-evaluates every prefix (export policy changed). */
  refeed(): void {
    this.exporter.refeed();
  }

  private membershipChanged(): void {
    const sole = this.members.size === 1 ? this.members.values().next().value!.host.source : null;
    if (sole !== this.exportPeer.exclude) {
      this.exportPeer.exclude = sole;
      this.exporter.refeed();
    }
  }

  /** Evaluates and encodes up to `budget` prefixes into the queue; wakes the other members when it queued any. */
  produce(budget: number, by: GroupMember | null): number {
    this.exporter.pull(budget);
    const msgs = this.exporter.drain(budget);
    if (msgs.length === 0) return 0;
    let total = this.totalBytes;
    for (const m of msgs) {
      total += m.length;
      this.queue.push(m);
      this.ends.push(total);
    }
    for (const m of [...this.members]) {
      if (m === by) continue;
      if (this.members.size > 1 && total - this.bytesAt(m.pos) > this.maxLagBytes) this.fork(m);
      else m.host.wake();
    }
    return msgs.length;
  }

  private bytesAt(pos: number): number {
    return pos === this.base ? this.baseBytes : this.ends[pos - this.base - 1];
  }

  take(m: GroupMember, budget: number): Buffer[] {
    if (m.catchUp !== undefined) {
      const out = this.replay(m, budget);
      if (out.length) return out;
    }
    if (m.pos === this.head && this.produce(budget, m) === 0) return [];
    const from = m.pos - this.base;
    const to = Math.min(this.queue.length, from + TAKE_MESSAGES);
    const out = this.queue.slice(from, to);
    m.pos += to - from;
    this.trim();
    return out;
  }

  /** Encodes the next `budget` entries of a member's Adj-RIB-Out replay, grouped by attribute set. */
  private replay(m: GroupMember, budget: number): Buffer[] {
    const adj = this.exporter.adjRibOut;
    const batch = this.batch;
    let slot = m.catchUp!;
    let n = 0;
    for (; n < budget; slot++) {
      if (slot >= adj.slotLimit) break;
      const set = adj.at(slot);
      if (set === null) continue;
      const key = this.rib.keyOf(slot);
      const keys = batch.get(set);
      if (keys) keys.push(key);
      else batch.set(set, [key]);
      n++;
    }
    m.catchUp = slot >= adj.slotLimit ? undefined : slot;
    const out: Buffer[] = [];
    for (const [set, keys] of batch) for (const msg of this.builder.announce(set, keys)) out.push(msg);
    batch.clear();
    return out;
  }

  /** Drops queue entries every member has sent. */
  private trim(): void {
    let min = this.head;
    for (const m of this.members) if (m.pos < min) min = m.pos;
    const drop = min - this.base;
    if (drop < TRIM_BATCH && !(drop > 0 && drop === this.queue.length)) return;
    this.baseBytes = this.ends[drop - 1];
    this.queue.splice(0, drop);
    this.ends.splice(0, drop);
    this.base = min;
  }

  /**
   * Moves a lagging member into a private group with an exact copy of this group's export state and its own unsent
   * queue tail (see the module comment). Returns the new group.
   */
  fork(m: GroupMember): UpdateGroup {
    const g = new UpdateGroup(`${this.key}#fork`, this.rib, this.interner, this.builder, this.exportPeer, () => undefined, this.maxLagBytes);
    g.exporter.adoptState(this.exporter);
    const from = m.pos - this.base;
    g.queue = this.queue.slice(from);
    g.base = m.pos;
    g.baseBytes = this.bytesAt(m.pos);
    g.ends = this.ends.slice(from);
    this.members.delete(m);
    m.group = g;
    g.members.add(m);
    g.membershipChanged();
    this.membershipChanged();
    this.trim();
    m.host.wake();
    return g;
  }

  private close(): void {
    this.exporter.close();
    this.queue = [];
    this.ends = [];
    this.onEmpty(this);
  }
}

/** The update groups of one speaker, by key. Forked groups are private to their member and not listed here. */
export class UpdateGroupRegistry {
  readonly groups = new Map<string, UpdateGroup>();

  constructor(readonly maxLagBytes = MAX_MEMBER_LAG_BYTES) {}

  /** Joins the group of `key`, creating it (with `makeBuilder` and `exportPeer`) when there is none. */
  join(key: string, host: MemberHost, rib: LocRib, interner: AttrInterner, makeBuilder: () => UpdateBuilder, exportPeer: ExportPeer): GroupMember {
    let g = this.groups.get(key);
    if (!g) {
      g = new UpdateGroup(key, rib, interner, makeBuilder(), exportPeer, (x) => {
        if (this.groups.get(x.key) === x) this.groups.delete(x.key);
      }, this.maxLagBytes);
      this.groups.set(key, g);
    }
    return g.add(host);
  }
}

const registries = new WeakMap<object, UpdateGroupRegistry>();

/** The registry shared by every peer of one speaker (identified by its Loc-RIB map). */
export function registryFor(speaker: object): UpdateGroupRegistry {
  let r = registries.get(speaker);
  if (!r) registries.set(speaker, (r = new UpdateGroupRegistry()));
  return r;
}
