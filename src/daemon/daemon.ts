/**
 * DOC: the composition root ("nest"): builds the RIBs, the peers, the listeners and the local routes from a derived
 * node configuration, and applies a new configuration on reload with BIRD's semantics.
 *
 * Reload (SIGHUP): `diffConfig` says per peer keep / soft / reset / add / remove. Unchanged sessions stay up;
 * a filter-only change re-evaluates exports (soft, no reset); an option change resets that peer alone with Cease 6
 * "Other Configuration Change"; removed peers get Cease 3 "Peer De-configured". Local routes (block blackholes,
 * service ranges, reachableBy routes) are re-originated as a diff, so unchanged prefixes cause no UPDATE.
 * Stop (SIGTERM): Cease 2 "Administrative Shutdown" to every peer, then close.
 * Kernel side (with the FIB): the kernel learner (BIRD `kernel` learn + `direct`) feeds kernel1/direct1 into the
 * Loc-RIBs and gives policy the route facts (device, kernel metric); the tunnel manager keeps tunl0/vxlan.calico as
 * the configuration's tunnel plan says (off unless PetrelConfiguration.tunnels asks). Stop leaves both in place.
 * FIB (settings.fib.enabled): started after the local routes are originated and before the peers, so it adopts
 * our routes left in the kernel before anything could replace them; first convergence is "every configured peer
 * Established and End-of-RIB received for each negotiated family", or 2 × connectRetryTime. Stop leaves the
 * routes in the kernel (persist). A FIB that cannot start (no netlink permission) is logged; BGP runs without it.
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
import { Fib, type KernelPolicies } from '../fib/fib';
import { speakerPeerConfig } from './peer-config';
import { LoopLagMonitor } from '../util/loop-lag';
import { KernelLearner } from '../fib/kernel-learn';
import { TUNNEL_ROUTE_PROTOCOL, TunnelManager } from '../fib/tunnels/tunnel-manager';
import type { RouteFacts } from '../rib/policy/adapters';

export interface DaemonHooks {
  /** Builds the export policy of a peer (Calico's filters); undefined exports everything the protocol rules allow. */
  exportPolicy?: (node: NodeBgpConfig, peerName: string) => import('../rib/export-rules').ExportPolicy | undefined;
  importPolicy?: (node: NodeBgpConfig, peerName: string) => import('../rib/importer').ImportPolicy | undefined;
  /** The update-group key of a peer's export policy: peers with equal keys export identically (see update-group.ts). */
  exportPolicyKey?: (node: NodeBgpConfig, peerName: string) => string | undefined;
  /** The kernel export policies (Calico's calico_kernel_programming); undefined installs every best route. */
  kernelPolicy?: (node: NodeBgpConfig) => KernelPolicies | undefined;
}

export class Daemon {
  readonly interner = new AttrInterner();
  readonly ribs: Map<Family, LocRib>;
  readonly peers = new Map<string, Peer>();
  readonly static1: RouteSource = localSource('static1', SourceKind.Static);
  private readonly listeners: Listener[] = [];
  private originated = new Set<PrefixKey>();
  readonly startedAt = Date.now();
  /** Event-loop delay (src/util/loop-lag.ts): `show status`, and a warning when an interval's p99 is high. */
  readonly loopLag: LoopLagMonitor;
  reconfiguredAt = Date.now();
  /** The kernel FIB, when settings.fib.enabled and it started; `fib.counters` for status. */
  fib: Fib | undefined;
  /** BIRD's `kernel` learn + `direct` protocols (kernel1, direct1), run with the FIB. */
  learner: KernelLearner | undefined;
  /** tunl0 / vxlan.calico management, when the configuration's tunnel plan asks for it. */
  tunnels: TunnelManager | undefined;

  private readonly hooks: DaemonHooks;

  /** `hooks` builds the per-peer policies once the interner exists (see calico-hooks.ts); none exports by protocol rules only. */
  constructor(
    public config: NodeBgpConfig,
    readonly log: Logger,
    hooks?: (interner: AttrInterner, facts: RouteFacts) => DaemonHooks,
  ) {
    // Route facts reach the learner once it exists (it starts with the FIB).
    const facts: RouteFacts = { ifnameOf: (r) => this.learner?.ifnameOf(r), krtMetricOf: (r) => this.learner?.krtMetricOf(r) };
    this.hooks = hooks ? hooks(this.interner, facts) : {};
    this.loopLag = new LoopLagMonitor({ log: log.child({ component: 'loop-lag' }) });
    const opts = { ...DEFAULT_BEST_PATH_OPTIONS, multipath: config.daemon.fib.mergePaths };
    this.ribs = new Map([
      [IPV4_UNICAST, new LocRib(IPV4_UNICAST, this.interner, opts)],
      [IPV6_UNICAST, new LocRib(IPV6_UNICAST, this.interner, opts)],
    ]);
  }

  /** Binds the listeners, originates local routes and starts every peer. */
  async start(): Promise<void> {
    this.loopLag.start();
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
    if (this.config.daemon.fib.enabled) {
      await this.startFib();
      await this.startKernelSide();
    }
    for (const p of this.config.peers) this.addPeer(p.name);
  }

  private async startFib(): Promise<void> {
    const s = this.config.daemon;
    const fib = new Fib(this.ribs, this.interner, {
      table: s.fib.table, protocol: s.fib.protocol, mergePaths: s.fib.mergePaths, scanTime: s.fib.scanTime, nexthopObjects: s.fib.nexthopObjects,
      kernelPolicies: this.hooks.kernelPolicy?.(this.config),
      converged: () => this.peersConverged(),
      convergenceTimeoutMs: 2 * s.timers.connectRetryTime * 1000,
      log: this.log.child({ component: 'fib' }),
    });
    try {
      await fib.start();
      this.fib = fib;
    } catch (e) {
      fib.stop();
      this.log.error({ err: e instanceof Error ? e.message : String(e) }, 'kernel FIB could not start: routes are not installed');
    }
  }

  /**
   * The kernel and direct protocols and the tunnel devices. Each failure is logged and leaves BGP running: a node
   * without netlink rights still routes, it only learns and programs less.
   */
  private async startKernelSide(): Promise<void> {
    const s = this.config.daemon;
    if (s.fib.learn) await this.startLearner();
    const tunnels = new TunnelManager({ protocol: TUNNEL_ROUTE_PROTOCOL, table: s.fib.table, log: this.log.child({ component: 'tunnels' }) });
    try {
      await tunnels.start(this.config.tunnels ?? { notes: [] });
      this.tunnels = tunnels;
    } catch (e) {
      tunnels.stop();
      this.log.error({ err: e instanceof Error ? e.message : String(e) }, 'tunnel devices could not be managed');
    }
  }

  private async startLearner(): Promise<void> {
    const s = this.config.daemon;
    const learner = new KernelLearner({
      protocol: s.fib.protocol, table: s.fib.table, directInterfaces: this.config.advertisements.directInterfaces,
      log: this.log.child({ component: 'kernel-learn' }),
    });
    try {
      await learner.start({ ribs: this.ribs, interner: this.interner });
      this.learner = learner;
    } catch (e) {
      learner.stop();
      this.log.error({ err: e instanceof Error ? e.message : String(e) }, 'kernel and interface routes could not be learned');
    }
  }

  /** Every configured peer is Established and has sent End-of-RIB for each family it negotiated. */
  private peersConverged(): boolean {
    for (const c of this.config.peers) {
      const p = this.peers.get(c.name);
      const n = p?.negotiatedSession;
      if (p === undefined || n === null || n === undefined) return false;
      for (const f of n.families) if (this.ribs.has(f) && !p.eorReceived.has(f)) return false;
    }
    return true;
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
    cfg.exportPolicyKey = this.hooks.exportPolicyKey?.(this.config, name);
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
    const previous = this.config;
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
    this.fib?.setKernelPolicies(this.hooks.kernelPolicy?.(next) ?? {});
    if (this.learner && JSON.stringify(previous.advertisements.directInterfaces) !== JSON.stringify(next.advertisements.directInterfaces)) {
      void this.learner.setDirectInterfaces(next.advertisements.directInterfaces);
    }
    void this.tunnels?.update(next.tunnels ?? { notes: [] }).catch((e: unknown) => this.log.error({ err: String(e) }, 'tunnel update failed'));
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
    this.fib?.stop();
    this.tunnels?.stop();
    this.learner?.stop();
    this.loopLag.stop();
  }

  retractAll(): void {
    for (const k of this.originated) retract(this.ribFor(k), this.static1, k);
    this.originated.clear();
  }
}
