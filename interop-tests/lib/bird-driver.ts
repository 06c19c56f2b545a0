/**
 * DOC: `PeerDriver` for BIRD 2.0 (`kind: 'bird2'`) and BIRD 1.6 from the unpacked .deb (see peer-binaries.ts):
 * `kind: 'bird1'` is its IPv4 daemon `bird` (IPv4 only), `kind: 'bird1v6'` its IPv6 daemon `bird6` with `birdc6`
 * (IPv6 only). Each runs in the foreground (`bird -f`) inside a network namespace.
 *
 * Owns a temp dir (`petrel-bird-*`) with bird.conf, the control socket, pid file and logs; nothing outside
 * it is written. Queries go through `birdc -s SOCK` from the root namespace. announce/withdraw edit the
 * originated networks, re-render bird.conf and run `birdc configure` (BIRD reloads in place; sessions stay
 * up). stop() kills bird and removes the temp dir.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InteropError } from './errors.js';
import { run, startDaemon, type DaemonProcess } from './exec.js';
import { scratchDir, type ScratchDir } from './scratch-dir.js';
import { birdProtocolName, renderBirdConfig, type BirdVersion } from './bird-config.js';
import { parseBirdProtocols, parseBirdRoutes } from './bird-parse.js';
import { peerBinaries } from './peer-binaries.js';
import { checkPrefix } from './spec-check.js';
import type { AddrFamily, NeighborStatus, PeerDriver, RouteEntry, RouterSpec } from './types.js';
import { waitFor } from './wait-for.js';

/** The BIRD kinds this driver runs. */
export type BirdKind = 'bird2' | 'bird1' | 'bird1v6';

/** Drives BIRD 2, BIRD 1.6 `bird` or BIRD 1.6 `bird6` in namespace `netns`. */
export class BirdDriver implements PeerDriver {
  readonly kind: BirdKind;
  readonly netns: string;
  readonly spec: RouterSpec;
  private dir: string | undefined;
  private scratch: ScratchDir | undefined;
  private proc: DaemonProcess | undefined;

  constructor(kind: BirdKind, netns: string, spec: RouterSpec) {
    this.kind = kind;
    this.netns = netns;
    this.spec = { ...spec, networks: [...(spec.networks ?? [])] };
  }

  private get birdMajor(): BirdVersion {
    return this.kind === 'bird1' ? 1 : this.kind === 'bird1v6' ? '1v6' : 2;
  }

  private render(): string {
    return renderBirdConfig(this.spec, this.birdMajor, join(this.dir!, 'bird.log'));
  }

  async start(): Promise<void> {
    if (this.dir) throw new InteropError(`BIRD ${this.spec.name} already started`);
    renderBirdConfig(this.spec, this.birdMajor, '/dev/null');
    this.scratch = await scratchDir('petrel-bird-');
    const dir = (this.dir = this.scratch.path);
    await writeFile(join(dir, 'bird.conf'), this.render());
    const args = ['-f', '-c', join(dir, 'bird.conf'), '-s', join(dir, 'bird.ctl'), '-P', join(dir, 'bird.pid')];
    const proc = (this.proc = startDaemon(peerBinaries(this.kind).daemons['bird']!, args, {
      name: `${this.kind}@${this.netns}`,
      logFile: join(dir, 'bird.out'),
      netns: this.netns,
    }));
    await waitFor(
      async () => {
        if (!proc.alive()) throw new InteropError(`${proc.name} exited during start: ${proc.log().slice(-1000)}`);
        return (await this.birdc(['show', 'status'])).includes('Daemon is up and running');
      },
      10_000,
      `${proc.name} answering on its control socket`,
      { intervalMs: 50 },
    );
  }

  /** Runs `birdc -s SOCK args...`; returns stdout. */
  async birdc(args: readonly string[]): Promise<string> {
    if (!this.dir) throw new InteropError(`BIRD ${this.spec.name} is not running`);
    const { stdout } = await run(peerBinaries(this.kind).client, ['-s', join(this.dir, 'bird.ctl'), ...args]);
    return stdout;
  }

  async stop(): Promise<void> {
    await this.proc?.stop();
    this.proc = undefined;
    await this.scratch?.remove();
    this.scratch = undefined;
    this.dir = undefined;
  }

  async waitEstablished(peerIp: string, timeoutMs: number): Promise<void> {
    await waitFor(
      async () => (await this.neighbors()).find((n) => n.address === peerIp && n.state === 'Established') !== undefined,
      timeoutMs,
      `${this.kind} ${this.spec.name}: session with ${peerIp} Established`,
    );
  }

  async getRoutes(family: AddrFamily): Promise<RouteEntry[]> {
    if (this.kind === 'bird1' && family === 'ipv6') throw new InteropError('the BIRD 1.6 bird driver is IPv4-only (bird6 is bird1v6)');
    if (this.kind === 'bird1v6' && family === 'ipv4') throw new InteropError('the BIRD 1.6 bird6 driver is IPv6-only');
    // BIRD 1.6 daemons have one table (`master`) of their one family.
    const cmd = this.kind !== 'bird2' ? ['show', 'route', 'all'] : ['show', 'route', 'all', 'table', family === 'ipv4' ? 'master4' : 'master6'];
    const peers = new Map(this.spec.neighbors.map((n) => [birdProtocolName(n.address), n.address]));
    return parseBirdRoutes(await this.birdc(cmd), peers);
  }

  async neighbors(): Promise<NeighborStatus[]> {
    return parseBirdProtocols(await this.birdc(['show', 'protocols', 'all']));
  }

  async announce(prefix: string): Promise<void> {
    checkPrefix(prefix, 'prefix');
    await this.reconfigure([...this.spec.networks!.filter((p) => p !== prefix), prefix]);
  }

  async withdraw(prefix: string): Promise<void> {
    checkPrefix(prefix, 'prefix');
    await this.reconfigure(this.spec.networks!.filter((p) => p !== prefix));
  }

  private async reconfigure(networks: string[]): Promise<void> {
    if (!this.dir) throw new InteropError(`BIRD ${this.spec.name} is not running`);
    const before = this.spec.networks;
    this.spec.networks = networks;
    let text: string;
    try {
      text = this.render();
    } catch (err) {
      this.spec.networks = before;
      throw err;
    }
    await writeFile(join(this.dir, 'bird.conf'), text);
    const out = await this.birdc(['configure']);
    if (!/Reconfigured|Reconfiguration in progress/.test(out)) throw new InteropError(`birdc configure: ${out.trim()}`);
  }

  pids(): number[] {
    return this.proc?.alive() ? [this.proc.pid] : [];
  }

  async version(): Promise<string> {
    const { stderr, stdout } = await run(peerBinaries(this.kind).daemons['bird']!, ['--version']);
    const text = `${stdout}${stderr}`;
    return /version\s+(\S+)/.exec(text)?.[1] ?? text.trim();
  }
}
