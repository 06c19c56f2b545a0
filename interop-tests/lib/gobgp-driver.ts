/**
 * DOC: driver for GoBGP 3.x (`gobgpd`) inside a network namespace, with the same query shapes as `PeerDriver`
 * (`RouteEntry`, `NeighborStatus`) so a test can compare its RIB with any other daemon's.
 *
 * Owns a temp dir (`petrel-gobgp-*`) with the TOML config and the log. The gRPC API listens on 127.0.0.1:`apiPort`
 * inside the namespace, so every `gobgp` client call runs under `ip netns exec` too. Originated networks are
 * added through the API after start (`gobgp global rib add`); GoBGP then uses its session address as next hop.
 * GoBGP has no kernel FIB of its own: nothing it learns reaches the kernel. stop() kills gobgpd and removes the dir.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InteropError } from './errors.js';
import { run, startDaemon, type DaemonProcess } from './exec.js';
import { scratchDir, type ScratchDir } from './scratch-dir.js';
import { checkSpec } from './spec-check.js';
import { DEFAULT_TIMERS, familyOf, neighborFamilies, sortRoutes, type AddrFamily, type BgpState, type NeighborStatus, type RouteEntry, type RouterSpec } from './types.js';
import { waitFor } from './wait-for.js';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** apipb.PeerState.SessionState numbers. */
const SESSION_STATES: Record<number, BgpState> = { 1: 'Idle', 2: 'Connect', 3: 'Active', 4: 'OpenSent', 5: 'OpenConfirm', 6: 'Established' };

/** Renders gobgpd's TOML config for `spec`. */
export function renderGobgpConfig(spec: RouterSpec): string {
  checkSpec(spec);
  const out = ['[global.config]', `  as = ${spec.localAs}`, `  router-id = "${spec.routerId}"`, '  port = 179', ''];
  for (const n of spec.neighbors) {
    out.push(
      '[[neighbors]]',
      '  [neighbors.config]',
      `    neighbor-address = "${n.address}"`,
      `    peer-as = ${n.remoteAs}`,
      '  [neighbors.timers.config]',
      `    connect-retry = ${n.connectRetryTime ?? DEFAULT_TIMERS.connectRetryTime}`,
      `    hold-time = ${n.holdTime ?? DEFAULT_TIMERS.holdTime}`,
      `    keepalive-interval = ${n.keepaliveTime ?? DEFAULT_TIMERS.keepaliveTime}`,
      '    idle-hold-time-after-reset = 1',
    );
    if (n.passive) out.push('  [neighbors.transport.config]', '    passive-mode = true');
    for (const fam of neighborFamilies(n)) {
      out.push('  [[neighbors.afi-safis]]', '    [neighbors.afi-safis.config]', `      afi-safi-name = "${fam}-unicast"`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** Parses `gobgp neighbor -j` into neighbor states, sorted by address. */
export function parseGobgpNeighbors(text: string): NeighborStatus[] {
  const doc: unknown = JSON.parse(text);
  if (!Array.isArray(doc)) throw new InteropError(`gobgp neighbor: not a JSON array: ${text.slice(0, 200)}`);
  return doc
    .filter(isObj)
    .map((p) => {
      const st = isObj(p['state']) ? p['state'] : {};
      const conf = isObj(p['conf']) ? p['conf'] : {};
      const n: NeighborStatus = { address: String(st['neighbor_address'] ?? conf['neighbor_address'] ?? ''), state: SESSION_STATES[Number(st['session_state'])] ?? 'Idle' };
      if (typeof conf['peer_asn'] === 'number') n.remoteAs = conf['peer_asn'];
      return n;
    })
    .sort((a, b) => a.address.localeCompare(b.address));
}

/** Parses `gobgp global rib -a FAM -j` (prefix → paths with typed `attrs`, `neighbor-ip`) into sorted routes. */
export function parseGobgpRib(text: string): RouteEntry[] {
  const doc: unknown = JSON.parse(text === '' ? '{}' : text);
  if (!isObj(doc)) throw new InteropError(`gobgp rib: not a JSON object: ${text.slice(0, 200)}`);
  const out: RouteEntry[] = [];
  for (const [prefix, paths] of Object.entries(doc)) {
    if (!Array.isArray(paths)) continue;
    for (const p of paths.filter(isObj)) {
      const attrs = Array.isArray(p['attrs']) ? p['attrs'].filter(isObj) : [];
      const asPath = attrs
        .filter((a) => a['type'] === 2)
        .flatMap((a) => (Array.isArray(a['as_paths']) ? a['as_paths'] : []))
        .flatMap((s: unknown) => (isObj(s) && Array.isArray(s['asns']) ? s['asns'].map(Number) : []));
      const nh = attrs.find((a) => (a['type'] === 3 || a['type'] === 14) && typeof a['nexthop'] === 'string');
      const r: RouteEntry = { prefix, nextHop: String(nh?.['nexthop'] ?? ''), asPath, best: p['best'] === true };
      const med = attrs.find((a) => a['type'] === 4);
      if (typeof med?.['metric'] === 'number') r.med = med['metric'];
      const from = p['neighbor-ip'] ?? p['neighbor_ip'];
      if (typeof from === 'string' && from !== '<nil>' && from !== '0.0.0.0' && from !== '::') r.learnedFrom = from;
      out.push(r);
    }
  }
  return sortRoutes(out);
}

/** Drives gobgpd in namespace `netns`. */
export class GobgpDriver {
  readonly kind = 'gobgp' as const;
  readonly spec: RouterSpec;
  private dir: string | undefined;
  private scratch: ScratchDir | undefined;
  private proc: DaemonProcess | undefined;

  constructor(
    readonly netns: string,
    spec: RouterSpec,
    /** Port of the gRPC API on the namespace's loopback. */
    readonly apiPort = 50051,
  ) {
    this.spec = { ...spec, networks: [...(spec.networks ?? [])] };
  }

  async start(): Promise<void> {
    if (this.dir) throw new InteropError(`GoBGP ${this.spec.name} already started`);
    const config = renderGobgpConfig(this.spec);
    this.scratch = await scratchDir('petrel-gobgp-');
    const dir = (this.dir = this.scratch.path);
    await writeFile(join(dir, 'gobgpd.toml'), config);
    const proc = (this.proc = startDaemon('gobgpd', ['-f', join(dir, 'gobgpd.toml'), `--api-hosts=127.0.0.1:${this.apiPort}`, '-l', 'info'], {
      name: `gobgpd@${this.netns}`,
      logFile: join(dir, 'gobgpd.log'),
      netns: this.netns,
    }));
    await waitFor(
      async () => {
        if (!proc.alive()) throw new InteropError(`${proc.name} exited during start: ${proc.log().slice(-1000)}`);
        return (await this.gobgp(['neighbor', '-j'])).startsWith('[');
      },
      10_000,
      `${proc.name} answering on its API`,
      { intervalMs: 100 },
    );
    for (const p of this.spec.networks!) await this.gobgp(['global', 'rib', 'add', p, '-a', familyOf(p)]);
  }

  /** Runs the `gobgp` client against this instance (inside the namespace); returns stdout. */
  async gobgp(args: readonly string[]): Promise<string> {
    if (!this.dir) throw new InteropError(`GoBGP ${this.spec.name} is not running`);
    const { stdout } = await run('gobgp', ['-p', String(this.apiPort), ...args], { netns: this.netns });
    return stdout.trim();
  }

  async stop(): Promise<void> {
    await this.proc?.stop();
    this.proc = undefined;
    await this.scratch?.remove();
    this.scratch = undefined;
    this.dir = undefined;
  }

  async neighbors(): Promise<NeighborStatus[]> {
    return parseGobgpNeighbors(await this.gobgp(['neighbor', '-j']));
  }

  async waitEstablished(peerIp: string, timeoutMs: number): Promise<void> {
    await waitFor(
      async () => (await this.neighbors()).some((n) => n.address === peerIp && n.state === 'Established'),
      timeoutMs,
      `GoBGP ${this.spec.name}: session with ${peerIp} Established`,
    );
  }

  /** The global RIB of one family (locally originated routes have no `learnedFrom`). */
  async getRoutes(family: AddrFamily): Promise<RouteEntry[]> {
    return parseGobgpRib(await this.gobgp(['global', 'rib', '-a', family, '-j']));
  }

  log(): string {
    return this.proc?.log() ?? '';
  }

  pids(): number[] {
    return this.proc?.alive() ? [this.proc.pid] : [];
  }
}
