/**
 * DOC: the composition root ("nest"): builds the RIBs, the peers, the listeners and the local routes from a derived
 * node configuration, and applies a new configuration on reload with BIRD's semantics.
 *
 * Reload (SIGHUP): `diffConfig` says per peer keep / soft / reset / add / remove. Unchanged sessions stay up;
 * a filter-only change re-evaluates exports (soft, no reset); an option change resets that peer alone with Cease 6
 * "Other Configuration Change"; removed peers get Cease 3 "Peer De-configured". Local routes (block blackholes,
 * service ranges, reachableBy routes) are re-originated as a diff, so unchanged prefixes cause no UPDATE.
 * Stop (SIGTERM): Cease 2 "Administrative Shutdown" to every peer, then close.
 */
import type { Logger } from 'pino';
import type { NodeBgpConfig } from '../config/node-config';
import { diffConfig } from '../config/diff';
import { AttrInterner } from '../rib/attrs/intern';
import { LocRib } from '../rib/loc-rib';
import { DEFAULT_BEST_PATH_OPTIONS } from '../rib/best-path';
import { localSource, originate, retract } from '../rib/local-routes';
import { SourceKind, type RouteSource } from '../rib/types';
import { IPV4_UNICAST, IPV6_UNICAST, type Family } from '../bgp/family';
import { Peer } from '../bgp/peer';
import { Listener } from '../bgp/session/listener';
import { CeaseSubcode } from '../bgp/constants';
import { parsePrefix, type PrefixKey } from '../util/prefix';
import { speakerPeerConfig } from './peer-config';

export interface DaemonHooks {
  /** Builds the export policy of a peer (Calico's filters); undefined exports everything the protocol rules allow. */
  exportPolicy?: (node: NodeBgpConfig, peerName: string) => import('../rib/export-rules').ExportPolicy | undefined;
  importPolicy?: (node: NodeBgpConfig, peerName: string) => import('../rib/importer').ImportPolicy | undefined;
}

export class Daemon {
  readonly interner = new AttrInterner();
  readonly ribs: Map<Family, LocRib>;
  readonly peers = new Map<string, Peer>();
  readonly static1: RouteSource = localSource('static1', SourceKind.Static);
  private readonly listeners: Listener[] = [];
  private originated = new Set<PrefixKey>();
  readonly startedAt = Date.now();
  reconfiguredAt = Date.now();

  private readonly hooks: DaemonHooks;

  /** `hooks` builds the per-peer policies once the interner exists (see calico-hooks.ts); none exports by protocol rules only. */
  constructor(
    public config: NodeBgpConfig,
    readonly log: Logger,
    hooks?: (interner: AttrInterner) => DaemonHooks,
  ) {
    this.hooks = hooks ? hooks(this.interner) : {};
    const opts = { ...DEFAULT_BEST_PATH_OPTIONS, multipath: config.daemon.fib.mergePaths };
    this.ribs = new Map([
      [IPV4_UNICAST, new LocRib(IPV4_UNICAST, this.interner, opts)],
      [IPV6_UNICAST, new LocRib(IPV6_UNICAST, this.interner, opts)],
    ]);
  }

  /** Binds the listeners, originates local routes and starts every peer. */
  async start(): Promise<void> {
    const l = this.config.listen;
    const port = this.config.daemon.listenPort ?? l.port;
    const hosts = [...new Set([l.addressV4, l.addressV6].filter((a): a is string => !!a))];
    for (const host of hosts.length ? hosts : [undefined]) {
      const listener = new Listener((addr) => this.findPeerByAddress(addr)?.session, this.log.child({ component: 'listener' }));
      await listener.listen(port, host);
      this.listeners.push(listener);
      this.log.info({ host: host ?? '*', port }, 'listening for BGP');
    }
    this.syncLocalRoutes();
    for (const p of this.config.peers) this.addPeer(p.name);
  }

  private findPeerByAddress(addr: string): Peer | undefined {
    for (const p of this.peers.values()) if (p.config.peerAddress === addr) return p;
    return undefined;
  }

  private addPeer(name: string): void {
    const p = this.config.peers.find((x) => x.name === name);
    if (!p) return;
    const cfg = speakerPeerConfig(this.config, p);
    cfg.exportPolicy = this.hooks.exportPolicy?.(this.config, name);
    cfg.importPolicy = this.hooks.importPolicy?.(this.config, name);
    const peer = new Peer(cfg, this.ribs, this.interner, this.log.child({ peer: name, remoteAs: p.peerAs }));
    this.peers.set(name, peer);
    peer.start();
  }

  /** The prefixes this node originates: blackholes for its blocks and service ranges, reachableBy host routes. */
  private localPrefixes(): Map<PrefixKey, string> {
    const out = new Map<PrefixKey, string>();
    const adv = this.config.advertisements;
    for (const b of adv.blocks) if (b.blackhole) add(b.cidr, 'block');
    for (const s of adv.services.staticRoutes) add(s, 'service');
    return out;
    function add(cidr: string, why: string): void {
      const k = parsePrefix(cidr);
      if (k !== undefined) out.set(k, why);
    }
  }

  /** Originates new local routes and retracts vanished ones (a diff: unchanged prefixes are untouched). */
  private syncLocalRoutes(): void {
    const want = this.localPrefixes();
    for (const k of this.originated) {
      if (!want.has(k)) this.ribFor(k).withdraw(k, this.static1, 0);
    }
    for (const k of want.keys()) {
      if (!this.originated.has(k)) originate(this.ribFor(k), this.interner, this.static1, k);
    }
    this.originated = new Set(want.keys());
  }

  private ribFor(k: PrefixKey): LocRib {
    return this.ribs.get(typeof k === 'number' ? IPV4_UNICAST : IPV6_UNICAST)!;
  }

  /** Applies a new configuration (SIGHUP) with BIRD's reconfiguration semantics. */
  reconfigure(next: NodeBgpConfig): void {
    const diff = diffConfig(this.config, next);
    this.config = next;
    this.reconfiguredAt = Date.now();
    for (const c of diff.peers) {
      switch (c.action) {
        case 'keep':
          break;
        case 'soft': {
          const peer = this.peers.get(c.name);
          peer?.refeed();
          break;
        }
        case 'reset':
          this.removePeer(c.name, CeaseSubcode.OtherConfigurationChange);
          this.addPeer(c.name);
          break;
        case 'remove':
          this.removePeer(c.name, CeaseSubcode.PeerDeconfigured);
          break;
        case 'add':
          this.addPeer(c.name);
          break;
      }
    }
    this.syncLocalRoutes();
    this.log.info({ peers: diff.peers.filter((c) => c.action !== 'keep').map((c) => `${c.name}:${c.action}`) }, 'reconfigured');
  }

  private removePeer(name: string, subcode: number): void {
    const peer = this.peers.get(name);
    if (!peer) return;
    peer.stop(subcode);
    this.peers.delete(name);
    setTimeout(() => peer.destroy(), 500).unref();
  }

  /** Cease to every peer, then closes listeners. Resolves once NOTIFICATIONs had a chance to leave. */
  async stop(): Promise<void> {
    for (const p of this.peers.values()) p.stop(CeaseSubcode.AdministrativeShutdown);
    await Promise.all(this.listeners.map((l) => l.close()));
    await new Promise((r) => setTimeout(r, 200));
    for (const p of this.peers.values()) p.destroy();
  }

  retractAll(): void {
    for (const k of this.originated) retract(this.ribFor(k), this.static1, k);
    this.originated.clear();
  }
}
