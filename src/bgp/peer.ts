/**
 * DOC: a BGP peer: its session plus the channel to the RIB (BIRD's protocol ↔ channel ↔ table).
 *
 * On Established the peer creates its importer (UPDATE → Loc-RIB) and one exporter per negotiated family
 * (Loc-RIB journal → Adj-RIB-Out → UPDATEs). Received UPDATEs are decoded and validated here with the negotiated
 * receive context; an RFC 7606 session reset goes back to the FSM as UpdateError (the exact NOTIFICATION), every
 * weaker outcome is applied by the importer. Export is pulled: `pump` runs while the socket is below its high-water
 * mark and resumes on 'drain' or on new journal entries, in slices (`EXPORT_SLICE`) so the event loop stays free.
 * After a family's initial feed is sent, End-of-RIB follows (RFC 4724 §2). On session down the peer's routes are
 * flushed from the Loc-RIBs in slices as well; a peer's failure touches nothing but its own routes.
 */
import type { Logger } from 'pino';
import { decodeUpdate } from './codec/update';
import { validateUpdate } from './codec/validate';
import { endOfRibFamily, endOfRibUpdate } from './codec/end-of-rib';
import { encodeUpdate } from './codec/update';
import type { NegotiatedSession } from './codec/session-codec';
import type { RouteRefreshMessage } from './codec/types';
import { HEADER_LENGTH } from './constants';
import { UpdateErrorAction } from './errors';
import { formatFamily, type Family } from './family';
import type { DownReason } from './fsm/types';
import { Session, type SessionHandler, type SessionOptions } from './session/session';
import { normalizeAddress } from './session/listener';
import type { AttrInterner } from '../rib/attrs/intern';
import { Exporter } from '../rib/exporter';
import { makeExportDecision, type ExportPolicy, type NextHopMode } from '../rib/export-rules';
import { PeerImporter, type ImportPolicy } from '../rib/importer';
import type { LocRib } from '../rib/loc-rib';
import { SourceKind, type RouteSource } from '../rib/types';
import { UpdateBuilder } from '../rib/update-builder';
import { parseBgpId } from './fsm/collision';

/** Prefixes evaluated per export slice, and the UPDATE prefix budget per drain. */
const EXPORT_SLICE = 20000;
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
}

export interface PeerCounters {
  updatesReceived: number;
  updatesSent: number;
  prefixesReceived: number;
  prefixesAdvertised: number;
}

let nextSourceId = 1;

export class Peer implements SessionHandler {
  readonly session: Session;
  readonly source: RouteSource;
  private importer: PeerImporter | null = null;
  private readonly exporters = new Map<Family, Exporter>();
  private readonly eorSent = new Set<Family>();
  private negotiated: NegotiatedSession | null = null;
  private pumpScheduled = false;
  private readonly unsubscribe: (() => void)[] = [];
  readonly counters: PeerCounters = { updatesReceived: 0, updatesSent: 0, prefixesReceived: 0, prefixesAdvertised: 0 };
  /** Families the peer has sent End-of-RIB for since the session came up. */
  readonly eorReceived = new Set<Family>();

  constructor(
    readonly config: PeerConfig,
    private readonly ribs: ReadonlyMap<Family, LocRib>,
    private readonly interner: AttrInterner,
    readonly log: Logger,
  ) {
    this.source = {
      id: nextSourceId++, name: config.name, kind: config.ibgp ? SourceKind.Ibgp : SourceKind.Ebgp,
      address: config.peerAddress, routerId: 0, peerAs: config.settings.peerAs, rrClient: config.rrClient, preference: 100,
    };
    this.session = new Session(config, this, log);
  }

  get name(): string {
    return this.config.name;
  }

  get negotiatedSession(): NegotiatedSession | null {
    return this.negotiated;
  }

  start(): void {
    this.session.start();
  }

  /** Cease to the peer and stop; routes are flushed as the session goes down. */
  stop(subcode = 2): void {
    this.session.stop(subcode);
  }

  // ---------------------------------------------------------------- SessionHandler

  established(s: Session, n: NegotiatedSession): void {
    this.negotiated = n;
    this.source.routerId = parseBgpId(n.peerRouterId);
    this.eorReceived.clear();
    this.eorSent.clear();
    const cfg = this.config;
    this.importer = new PeerImporter(this.source, this.ribs, this.interner, {
      localAs: cfg.settings.localAs, allowLocalAs: cfg.allowLocalAs, routerId: cfg.settings.routerId, clusterId: cfg.clusterId ?? '',
    }, cfg.importPolicy);
    const conn = s.up;
    const localAddress = cfg.nextHopAddress || normalizeAddress(conn?.socket?.localAddress) || cfg.localAddress || '';
    for (const f of n.families) {
      const rib = this.ribs.get(f);
      if (!rib) continue;
      const decide = makeExportDecision({
        source: this.source, ibgp: cfg.ibgp, localAs: cfg.settings.localAs, localAddress, localLinkLocal: cfg.localLinkLocal ?? '',
        nextHopMode: cfg.nextHopMode, clusterId: cfg.clusterId, routerId: cfg.settings.routerId, policy: cfg.exportPolicy,
      }, this.interner);
      const ex = new Exporter(`${cfg.name}/${formatFamily(f)}`, rib, this.interner, new UpdateBuilder(f, n.tx), decide);
      this.exporters.set(f, ex);
      this.unsubscribe.push(rib.journal.onAppend(() => this.schedulePump()));
    }
    this.schedulePump();
  }

  down(_s: Session, reason: DownReason, graceful: boolean): void {
    for (const u of this.unsubscribe) u();
    this.unsubscribe.length = 0;
    for (const ex of this.exporters.values()) ex.close();
    this.exporters.clear();
    this.importer = null;
    this.negotiated = null;
    this.log.info({ reason: reason.kind, graceful }, 'flushing routes of the peer');
    this.flush();
  }

  /** Removes every route of this peer from the Loc-RIBs, in slices. */
  private flush(): void {
    const states = [...this.ribs.values()].map((rib) => ({ rib, state: {} as { it?: Iterator<[number | string, unknown]> } }));
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

  update(s: Session, buf: Buffer, start: number, end: number): void {
    const n = this.negotiated;
    const conn = s.up;
    if (!n || !this.importer || !conn) return;
    this.counters.updatesReceived++;
    let msg;
    try {
      msg = decodeUpdate(buf, start + HEADER_LENGTH, end, n.rx);
    } catch (e) {
      if (e instanceof Error && 'errorCode' in e) {
        conn.dispatch({ type: 'UpdateError', error: e as never });
        return;
      }
      throw e;
    }
    const eor = endOfRibFamily(msg);
    if (eor !== undefined) {
      this.eorReceived.add(eor);
      this.log.debug({ family: formatFamily(eor) }, 'End-of-RIB received');
      return;
    }
    const v = validateUpdate(msg, { ibgp: this.config.ibgp, localAs: this.config.settings.localAs, peerAs: n.peerAs, as4: n.rx.as4 });
    if (v.notification) {
      this.log.warn({ problems: v.problems.map((p) => p.reason) }, 'malformed UPDATE: session reset');
      conn.dispatch({ type: 'UpdateError', error: v.notification });
      return;
    }
    if (v.action === UpdateErrorAction.TreatAsWithdraw) {
      this.log.warn({ problems: v.problems.map((p) => p.reason) }, 'path invalidated and prefix withdrawn (RFC 7606 treat-as-withdraw)');
    }
    this.importer.apply(msg, v);
  }

  routeRefresh(_s: Session, msg: RouteRefreshMessage): void {
    // RFC 2918: re-send the Adj-RIB-Out of the family. Re-evaluating the table gives the same result and a fresh
    // UPDATE stream; prefixes already advertised are re-sent because the Adj-RIB-Out is dropped first.
    for (const [f, ex] of this.exporters) {
      if ((f >>> 8) !== msg.afi || (f & 0xff) !== msg.safi) continue;
      ex.refeedAll();
      this.eorSent.delete(f);
    }
    this.schedulePump();
  }

  writable(): void {
    this.schedulePump();
  }

  /** Soft reconfiguration after an export policy change: re-evaluate every prefix (no session reset). */
  refeed(): void {
    for (const ex of this.exporters.values()) ex.refeed();
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

  /** One export slice: evaluate, encode, send, while the socket takes it. */
  private pump(): void {
    const conn = this.session.up;
    if (!conn || !this.negotiated) return;
    let more = false;
    for (const [f, ex] of this.exporters) {
      if (!conn.canSend) return; // resumes on 'drain'
      ex.pull(EXPORT_SLICE);
      const msgs = ex.drain(EXPORT_SLICE);
      if (msgs.length) {
        this.counters.updatesSent += msgs.length;
        conn.sendUpdates(msgs);
      }
      if (!ex.feeding && ex.idle && !this.eorSent.has(f)) {
        this.eorSent.add(f);
        conn.sendRaw(encodeUpdate(endOfRibUpdate(f), this.negotiated.tx));
      }
      if (!ex.idle) more = true;
    }
    this.counters.prefixesAdvertised = [...this.exporters.values()].reduce((a, e) => a + e.adjRibOut.size, 0);
    if (more) this.schedulePump();
  }

  /** Prefixes this peer currently has in the Loc-RIBs' candidate lists (accepted or filtered). */
  exportersByFamily(): ReadonlyMap<Family, Exporter> {
    return this.exporters;
  }

  destroy(): void {
    for (const u of this.unsubscribe) u();
    this.unsubscribe.length = 0;
    for (const ex of this.exporters.values()) ex.close();
    this.exporters.clear();
    this.session.destroy();
  }
}
