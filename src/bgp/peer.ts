/**
 * DOC: a BGP peer: its session plus the channel to the RIB (BIRD's protocol ↔ channel ↔ table).
 *
 * On Established the peer creates its importer (UPDATE → Loc-RIB) and joins one update group per negotiated family
 * (rib/update-group.ts: peers with identical export share one Adj-RIB-Out and one encoded UPDATE stream). Received
 * UPDATEs are decoded and validated here with the negotiated receive context; an RFC 7606 session reset goes back to
 * the FSM as UpdateError (the exact NOTIFICATION), every weaker outcome is applied by the importer. Export is pulled:
 * `pump` runs while the socket is below its high-water mark and resumes on 'drain', on new journal entries or when
 * another member of the group queued messages, in steps of `EXPORT_SLICE` prefixes for at most `PUMP_MS` per turn
 * of the event loop, so the loop stays free. After a
 * family's initial feed is sent, End-of-RIB follows (RFC 4724 §2). On session down the peer's routes are flushed
 * from the Loc-RIBs in slices, unless graceful restart keeps them as stale (graceful-restart.ts, RFC 4724 §4.2);
 * a peer's failure touches nothing but its own routes.
 * Receive: the connection hands over framed UPDATEs (the hold timer already counted them); they wait in the peer's
 * `RxQueue` and are decoded and imported in budgeted slices, round robin with the other peers, with the socket
 * paused while the backlog is high (rx-queue.ts), so one peer's full table never starves another's keepalives.
 * Enhanced route refresh (RFC 7313, when negotiated): a refresh request is answered with BoRR, the replayed
 * Adj-RIB-Out, then EoRR (§4.1); the peer's own BoRR/EoRR travel through the receive queue in order with its
 * UPDATEs and mark/sweep its routes (rx-refresh.ts, §4.2). The per-peer prefix counts (`prefixCounts`) are kept by
 * the Loc-RIBs on the source (`RouteSource.pathCounts`), the advertised count is the Adj-RIB-Out Maps' size.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { decodeUpdate } from './codec/update';
import { validateUpdate } from './codec/validate';
import { endOfRibFamily, endOfRibUpdate } from './codec/end-of-rib';
import { encodeUpdate } from './codec/update';
import { encodeMessage } from './codec/message';
import type { NegotiatedSession } from './codec/session-codec';
import type { RouteRefreshMessage } from './codec/types';
import { HEADER_LENGTH, MsgType, RefreshSubtype } from './constants';
import { UpdateErrorAction } from './errors';
import { family, formatFamily, type Family } from './family';
import type { DownReason } from './fsm/types';
import { Session, type SessionHandler, type SessionOptions } from './session/session';
import { normalizeAddress } from './session/listener';
import type { AttrInterner } from '../rib/attrs/intern';
import type { Exporter } from '../rib/exporter';
import type { ExportPeer, ExportPolicy, NextHopMode } from '../rib/export-rules';
import { registryFor, updateGroupKey, type GroupMember, type UpdateGroupRegistry } from '../rib/update-group';
import { GracefulRestartHelper, retainsRoutes, type GracefulRestartStatus } from './graceful-restart';
import { PeerImporter, type ImportPolicy } from '../rib/importer';
import type { LocRib } from '../rib/loc-rib';
import { SourceKind, type RouteSource } from '../rib/types';
import { UpdateBuilder } from '../rib/update-builder';
import { parseBgpId } from './fsm/collision';
import { RxQueue, type RxHandler, type RxScheduler } from './rx-queue';
import { RefreshReceiver } from './rx-refresh';

/** Prefixes evaluated per export step, and the UPDATE prefix budget per drain. */
const EXPORT_SLICE = 2000;
/** A pump keeps taking export steps of a family for this long (ms) before it yields to the event loop. */
const PUMP_MS = 5;
/** Routes removed per flush slice after a session goes down. */
const FLUSH_SLICE = 20000;

export interface PeerConfig extends SessionOptions {
  ibgp: boolean;
  nextHopMode: NextHopMode;
  /** This peer is our route-reflector client. */
  rrClient: boolean;
  /** Our cluster id when we reflect to/from this peer, else null. */
  clusterId: string | null;
  allowLocalAs: number;
  importPolicy?: ImportPolicy;
  exportPolicy?: ExportPolicy;
  /** Our IPv6 link-local address for IPv6 next hops, '' when none. */
  localLinkLocal?: string;
  /** The next hop we advertise as "self" (BIRD 2's `next hop address`); default: the session's local address. */
  nextHopAddress?: string;
  /**
   * Identity of `exportPolicy` for update grouping: peers with equal keys (and equal session parameters) share one
   * Adj-RIB-Out. Without it a peer with an export policy is grouped alone.
   */
  exportPolicyKey?: string;
  /** Share Adj-RIB-Outs with identical peers (default true); false keeps a private one (benchmarks, debugging). */
  updateGroups?: boolean;
  /** RFC 4724 helper: seconds to wait for End-of-RIB after a restarting peer returns (default 240). */
  gracefulRestartStaleTime?: number;
  /** TCP MD5 key (RFC 2385; BIRD `password`): applied by session/socket-options.ts. */
  password?: string;
  /** GTSM hop count (RFC 5082; BIRD `ttl security on; multihop N`): TTL 255 out, at least 256 - N in. */
  ttlSecurity?: number;
  /** Outgoing TTL without GTSM (BIRD `multihop N`); undefined keeps the system default. */
  multihop?: number;
}

export interface PeerCounters {
  updatesReceived: number;
  updatesSent: number;
  prefixesReceived: number;
  prefixesAdvertised: number;
}

/** `show peers` prefix counts: paths from the peer in the Loc-RIBs (accepted + filtered), and the Adj-RIB-Out size. */
export interface PeerPrefixCounts {
  received: number;
  accepted: number;
  filtered: number;
  advertised: number;
}

let nextSourceId = 1;

/** Default RFC 4724 stale timer: BIRD's and Calico's 240 s wait. */
const DEFAULT_STALE_TIME = 240;

export class Peer implements SessionHandler {
  readonly session: Session;
  readonly source: RouteSource;
  private importer: PeerImporter | null = null;
  private readonly members = new Map<Family, GroupMember>();
  private negotiated: NegotiatedSession | null = null;
  private pumpScheduled = false;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly groups: UpdateGroupRegistry;
  private readonly gr: GracefulRestartHelper;
  readonly counters: PeerCounters = { updatesReceived: 0, updatesSent: 0, prefixesReceived: 0, prefixesAdvertised: 0 };
  /** Families the peer has sent End-of-RIB for since the session came up. */
  readonly eorReceived = new Set<Family>();
  /** Received UPDATEs waiting to be decoded and imported (rx-queue.ts). */
  readonly rx: RxQueue;
  /** RFC 7313 §4.2: the peer's BoRR/EoRR handling. */
  readonly refreshRx: RefreshReceiver;
  /** Families whose enhanced refresh replay is running: EoRR follows once it is sent (RFC 7313 §4.1). */
  private readonly eorrPending = new Set<Family>();

  /**
   * `groups`: the update-group registry; default: one per `ribs` map (every peer of a speaker shares it).
   * `rxScheduler`: the receive scheduler; default: the process-wide one.
   */
  constructor(
    readonly config: PeerConfig,
    private readonly ribs: ReadonlyMap<Family, LocRib>,
    private readonly interner: AttrInterner,
    readonly log: Logger,
    groups?: UpdateGroupRegistry,
    rxScheduler?: RxScheduler,
  ) {
    this.source = {
      id: nextSourceId++, name: config.name, kind: config.ibgp ? SourceKind.Ibgp : SourceKind.Ebgp,
      address: config.peerAddress, routerId: 0, peerAs: config.settings.peerAs, rrClient: config.rrClient, preference: 100,
      pathCounts: { paths: 0, filtered: 0 },
    };
    const handler: RxHandler = {
      rxUpdate: (buf, start, end) => this.importUpdate(buf, start, end),
      rxRefresh: (afi, subtype, safi) => this.refreshDemarcation(afi, subtype, safi),
      rxContinue: (budget) => this.refreshRx.step(budget),
    };
    this.rx = new RxQueue(handler, rxScheduler);
    this.refreshRx = new RefreshReceiver(this.source, ribs);
    this.groups = groups ?? registryFor(ribs);
    this.gr = new GracefulRestartHelper(this.source, ribs, log, config.gracefulRestartStaleTime ?? DEFAULT_STALE_TIME);
    this.session = new Session(config, this, log);
  }

  get name(): string {
    return this.config.name;
  }

  get negotiatedSession(): NegotiatedSession | null {
    return this.negotiated;
  }

  /** Received/accepted/filtered paths of this peer in the Loc-RIBs and prefixes in its Adj-RIB-Outs: O(families). */
  prefixCounts(): PeerPrefixCounts {
    const c = this.source.pathCounts!;
    let advertised = 0;
    for (const m of this.members.values()) advertised += m.group.exporter.adjRibOut.size;
    return { received: c.paths, accepted: c.paths - c.filtered, filtered: c.filtered, advertised };
  }

  /** The graceful-restart helper's state (RFC 4724 §4.2). */
  gracefulRestartStatus(): GracefulRestartStatus {
    return this.gr.status();
  }

  start(): void {
    this.session.start();
  }

  /** Cease to the peer and stop; routes are flushed as the session goes down (or now, if it already is down). */
  stop(subcode = 2): void {
    if (this.gr.phase === 'restarting') {
      this.gr.reset();
      this.log.info('peer stopped during graceful restart: flushing its stale routes');
      this.flush(this.ribs.keys());
    }
    this.session.stop(subcode);
  }

  // ---------------------------------------------------------------- SessionHandler

  established(s: Session, n: NegotiatedSession): void {
    this.negotiated = n;
    this.source.routerId = parseBgpId(n.peerRouterId);
    this.eorReceived.clear();
    this.gr.sessionUp(n);
    const cfg = this.config;
    this.importer = new PeerImporter(this.source, this.ribs, this.interner, {
      localAs: cfg.settings.localAs, allowLocalAs: cfg.allowLocalAs, routerId: cfg.settings.routerId, clusterId: cfg.clusterId ?? '',
    }, cfg.importPolicy);
    const conn = s.up;
    this.rx.reset();
    this.rx.attach(conn?.socket ?? null);
    const localAddress = cfg.nextHopAddress || normalizeAddress(conn?.socket?.localAddress) || cfg.localAddress || '';
    const host = { source: this.source, wake: () => this.schedulePump() };
    const policyKey = cfg.exportPolicy ? cfg.exportPolicyKey ?? `peer:${cfg.name}` : '';
    for (const f of n.families) {
      const rib = this.ribs.get(f);
      if (!rib) continue;
      const exportPeer: ExportPeer = {
        source: this.source, ibgp: cfg.ibgp, localAs: cfg.settings.localAs, localAddress, localLinkLocal: cfg.localLinkLocal ?? '',
        nextHopMode: cfg.nextHopMode, clusterId: cfg.clusterId, routerId: cfg.settings.routerId, policy: cfg.exportPolicy,
      };
      let key = updateGroupKey({
        family: f, policyKey, ibgp: cfg.ibgp, rrClient: cfg.rrClient, clusterId: cfg.clusterId, nextHopMode: cfg.nextHopMode,
        localAddress, localLinkLocal: exportPeer.localLinkLocal, localAs: cfg.settings.localAs, routerId: cfg.settings.routerId,
        as4: n.tx.as4, addPathTx: n.addPathTx.has(f), extendedMessage: n.tx.extendedMessage, extendedNextHop: n.extendedNextHop.has(f),
      });
      if (cfg.updateGroups === false) key += `|peer:${this.source.id}`;
      this.members.set(f, this.groups.join(key, host, rib, this.interner, () => new UpdateBuilder(f, n.tx), exportPeer));
      this.unsubscribe.push(rib.journal.onAppend(() => this.schedulePump()));
    }
    this.schedulePump();
  }

  down(_s: Session, reason: DownReason, graceful: boolean): void {
    this.resetReceive();
    for (const u of this.unsubscribe) u();
    this.unsubscribe.length = 0;
    for (const m of this.members.values()) m.leave();
    this.members.clear();
    this.importer = null;
    const n = this.negotiated;
    this.negotiated = null;
    const localN = this.config.settings.gracefulRestart?.notification === true;
    if (n && retainsRoutes(reason, n.gracefulRestart, localN)) {
      const flush = this.gr.sessionDown(n, reason);
      if (flush.length) this.flush(flush);
      return;
    }
    this.gr.reset();
    this.log.info({ reason: reason.kind, graceful }, 'flushing routes of the peer');
    this.flush(this.ribs.keys());
  }

  /** Removes every route of this peer from the Loc-RIBs of `families`, in slices. */
  private flush(families: Iterable<Family>): void {
    const states: { rib: LocRib; state: { it?: Iterator<[number | string, unknown]> } }[] = [];
    for (const f of families) {
      const rib = this.ribs.get(f);
      if (rib) states.push({ rib, state: {} });
    }
    const run = () => {
      for (const { rib, state } of states) {
        if (!rib.flushSource(this.source, FLUSH_SLICE, state as never)) {
          setImmediate(run);
          return;
        }
      }
    };
    run();
  }

  /** Drops the receive backlog and any refresh in progress (session down, peer destroyed). */
  private resetReceive(): void {
    this.rx.reset();
    this.refreshRx.reset();
    this.eorrPending.clear();
  }

  update(s: Session, buf: Buffer, start: number, end: number): void {
    if (!this.negotiated || !this.importer || !s.up) return;
    this.counters.updatesReceived++;
    this.rx.push(buf, start, end);
  }

  /** Decodes, validates and imports one queued UPDATE (rx-queue.ts); returns the prefixes it carried. */
  private importUpdate(buf: Buffer, start: number, end: number): number {
    const n = this.negotiated;
    const conn = this.session.up;
    if (!n || !this.importer || !conn) return 0;
    let msg;
    try {
      msg = decodeUpdate(buf, start + HEADER_LENGTH, end, n.rx);
    } catch (e) {
      if (e instanceof Error && 'errorCode' in e) {
        conn.dispatch({ type: 'UpdateError', error: e as never });
        return 0;
      }
      throw e;
    }
    const eor = endOfRibFamily(msg);
    if (eor !== undefined) {
      this.eorReceived.add(eor);
      this.log.debug({ family: formatFamily(eor) }, 'End-of-RIB received');
      this.gr.endOfRib(eor);
      return 0;
    }
    const v = validateUpdate(msg, { ibgp: this.config.ibgp, localAs: this.config.settings.localAs, peerAs: n.peerAs, as4: n.rx.as4 });
    if (v.notification) {
      this.log.warn({ problems: v.problems.map((p) => p.reason) }, 'malformed UPDATE: session reset');
      conn.dispatch({ type: 'UpdateError', error: v.notification });
      return 0;
    }
    if (v.action === UpdateErrorAction.TreatAsWithdraw) {
      this.log.warn({ problems: v.problems.map((p) => p.reason) }, 'path invalidated and prefix withdrawn (RFC 7606 treat-as-withdraw)');
    }
    return this.importer.apply(msg, v);
  }

  routeRefresh(s: Session, msg: RouteRefreshMessage): void {
    const n = this.negotiated;
    if (!n) return;
    if (msg.subtype === RefreshSubtype.BeginningOfRouteRefresh || msg.subtype === RefreshSubtype.EndOfRouteRefresh) {
      // RFC 7313 §4.2: in order with the UPDATEs around it; ignored unless enhanced refresh was negotiated.
      if (n.enhancedRouteRefresh) this.rx.pushRefresh(msg.afi, msg.subtype, msg.safi);
      return;
    }
    if (msg.subtype !== RefreshSubtype.Normal) return; // RFC 7313 §5: unknown subtypes are ignored
    // RFC 2918 §4: re-send the Adj-RIB-Out of the family (ignored for a family not negotiated): this member replays
    // its group's Adj-RIB-Out. RFC 7313 §4.1: with enhanced refresh, between BoRR and EoRR.
    const m = this.members.get(family(msg.afi, msg.safi));
    if (!m) return;
    if (n.enhancedRouteRefresh) {
      s.up?.sendRaw(encodeMessage({ type: MsgType.RouteRefresh, afi: msg.afi, subtype: RefreshSubtype.BeginningOfRouteRefresh, safi: msg.safi }, n.tx));
      this.eorrPending.add(family(msg.afi, msg.safi));
      m.refresh(false);
    } else {
      m.refresh();
    }
    this.schedulePump();
  }

  /** A BoRR/EoRR reached the head of the receive queue (RFC 7313 §4.2). */
  private refreshDemarcation(afi: number, subtype: number, safi: number): void {
    const f = family(afi, safi);
    if (!this.negotiated?.families.includes(f)) return;
    if (subtype === RefreshSubtype.BeginningOfRouteRefresh) {
      this.refreshRx.begin(f);
      this.log.debug({ family: formatFamily(f) }, 'BoRR received: routes marked stale');
    } else if (this.refreshRx.end(f)) {
      this.log.debug({ family: formatFamily(f) }, 'EoRR received: removing routes not refreshed');
    } else {
      this.log.debug({ family: formatFamily(f) }, 'EoRR without BoRR ignored');
    }
  }

  writable(): void {
    this.schedulePump();
  }

  /** Soft reconfiguration after an export policy change: re-evaluate every prefix (no session reset). */
  refeed(): void {
    for (const m of this.members.values()) m.group.refeed();
    this.schedulePump();
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /**
   * Export steps per family (at least one each, then until `PUMP_MS` passed): the group's next messages for this
   * member, while the socket takes them.
   */
  private pump(): void {
    const conn = this.session.up;
    if (!conn || !this.negotiated) return;
    let more = false;
    let advertised = 0;
    const deadline = performance.now() + PUMP_MS;
    for (const [f, m] of this.members) {
      advertised += m.group.exporter.adjRibOut.size;
      do {
        if (!conn.canSend) return; // resumes on 'drain'
        const msgs = m.take(EXPORT_SLICE);
        if (msgs.length) {
          this.counters.updatesSent += msgs.length;
          conn.sendUpdates(msgs);
        }
      } while (!m.synced && performance.now() < deadline);
      if (!m.eorSent && m.synced) {
        m.eorSent = true;
        conn.sendRaw(encodeUpdate(endOfRibUpdate(f), this.negotiated.tx));
      }
      if (!m.replaying && this.eorrPending.delete(f)) {
        conn.sendRaw(encodeMessage({ type: MsgType.RouteRefresh, afi: f >>> 8, subtype: RefreshSubtype.EndOfRouteRefresh, safi: f & 0xff }, this.negotiated.tx));
      }
      if (!m.synced) more = true;
    }
    this.counters.prefixesAdvertised = advertised;
    if (more) this.schedulePump();
  }

  /** The exporter (the update group's shared Adj-RIB-Out) of each family while established. */
  exportersByFamily(): ReadonlyMap<Family, Exporter> {
    const out = new Map<Family, Exporter>();
    for (const [f, m] of this.members) out.set(f, m.group.exporter);
    return out;
  }

  /** The update-group member of each family while established (group key, queue position). */
  groupMembers(): ReadonlyMap<Family, GroupMember> {
    return this.members;
  }

  destroy(): void {
    this.resetReceive();
    for (const u of this.unsubscribe) u();
    this.unsubscribe.length = 0;
    for (const m of this.members.values()) m.leave();
    this.members.clear();
    this.gr.reset();
    this.session.destroy();
  }
}
