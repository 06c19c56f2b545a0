/**
 * DOC: `PeerDriver` for FRR 8.x: zebra + bgpd started by hand inside a network namespace.
 *
 * Owns a temp dir (`petrel-frr-*`) holding both configs, pid files, logs, the zserv socket and the vty
 * sockets (`--vty_socket`); nothing outside it is written. TCP vty ports are disabled (`-P 0`); bgpd gets
 * `-n` unless `spec.fib`, so learned routes stay out of the kernel. Daemons run as root, which FRR allows
 * only when root is in group `frrvty` (the install script does that). Queries use `vtysh --vty_socket DIR`
 * from the root namespace (unix sockets need no namespace). announce/withdraw add/remove `network`
 * statements through vtysh at runtime. stop() kills bgpd then zebra and removes the temp dir.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InteropError } from './errors.js';
import { run, startDaemon, type DaemonProcess } from './exec.js';
import { scratchDir, type ScratchDir } from './scratch-dir.js';
import { renderFrrBgpd, renderFrrZebra } from './frr-config.js';
import { parseFrrNeighbors, parseFrrRoutes } from './frr-parse.js';
import { peerBinaries } from './peer-binaries.js';
import { checkPrefix } from './spec-check.js';
import { familyOf, type AddrFamily, type NeighborStatus, type PeerDriver, type RouteEntry, type RouterSpec } from './types.js';
import { waitFor } from './wait-for.js';

/** Drives FRR (zebra + bgpd) in namespace `netns`. */
export class FrrDriver implements PeerDriver {
  readonly kind = 'frr' as const;
  readonly netns: string;
  readonly spec: RouterSpec;
  private dir: string | undefined;
  private scratch: ScratchDir | undefined;
  private procs: DaemonProcess[] = [];

  constructor(netns: string, spec: RouterSpec) {
    this.netns = netns;
    this.spec = { ...spec, networks: [...(spec.networks ?? [])] };
  }

  async start(): Promise<void> {
    if (this.dir) throw new InteropError(`FRR ${this.spec.name} already started`);
    renderFrrBgpd(this.spec, '/dev/null');
    this.scratch = await scratchDir('petrel-frr-');
    const dir = (this.dir = this.scratch.path);
    const bin = peerBinaries('frr').daemons;
    await writeFile(join(dir, 'zebra.conf'), renderFrrZebra(this.spec, join(dir, 'zebra.log')));
    await writeFile(join(dir, 'bgpd.conf'), renderFrrBgpd(this.spec, join(dir, 'bgpd.log')));
    const common = ['-z', join(dir, 'zserv.api'), '--vty_socket', dir, '-u', 'root', '-g', 'root', '-P', '0'];
    const zebra = startDaemon(bin['zebra']!, ['-f', join(dir, 'zebra.conf'), '-i', join(dir, 'zebra.pid'), ...common], {
      name: `zebra@${this.netns}`,
      logFile: join(dir, 'zebra.out'),
      netns: this.netns,
    });
    this.procs.push(zebra);
    await this.waitSocket(zebra, join(dir, 'zebra.vty'));
    const bgpdArgs = ['-f', join(dir, 'bgpd.conf'), '-i', join(dir, 'bgpd.pid'), ...common, ...(this.spec.fib ? [] : ['-n'])];
    const bgpd = startDaemon(bin['bgpd']!, bgpdArgs, { name: `bgpd@${this.netns}`, logFile: join(dir, 'bgpd.out'), netns: this.netns });
    this.procs.push(bgpd);
    await this.waitSocket(bgpd, join(dir, 'bgpd.vty'));
    await waitFor(() => this.vtysh(['show bgp summary json']).then(() => true), 10_000, `FRR ${this.spec.name} bgpd answering`);
  }

  private async waitSocket(p: DaemonProcess, path: string): Promise<void> {
    await waitFor(
      () => {
        if (!p.alive()) throw new InteropError(`${p.name} exited during start: ${p.log().slice(-1000)}`);
        return existsSync(path);
      },
      10_000,
      `${p.name} socket ${path}`,
      { intervalMs: 50 },
    ).catch((err: unknown) => {
      throw new InteropError(`${p.name} did not start: ${(err as Error).message}; log: ${p.log().slice(-1000)}`, { cause: err });
    });
  }

  /** Runs vtysh with one `-c` per command against this instance; returns stdout. */
  async vtysh(commands: readonly string[]): Promise<string> {
    if (!this.dir) throw new InteropError(`FRR ${this.spec.name} is not running`);
    const args = ['--vty_socket', this.dir, ...commands.flatMap((c) => ['-c', c])];
    const { stdout } = await run(peerBinaries('frr').client, args);
    if (/^% /m.test(stdout)) throw new InteropError(`vtysh ${commands.join(' | ')}: ${stdout.trim()}`);
    return stdout;
  }

  async stop(): Promise<void> {
    for (const p of [...this.procs].reverse()) await p.stop();
    this.procs = [];
    await this.scratch?.remove();
    this.scratch = undefined;
    this.dir = undefined;
  }

  async waitEstablished(peerIp: string, timeoutMs: number): Promise<void> {
    await waitFor(
      async () => (await this.neighbors()).find((n) => n.address === peerIp && n.state === 'Established') !== undefined,
      timeoutMs,
      `FRR ${this.spec.name}: session with ${peerIp} Established`,
    );
  }

  async getRoutes(family: AddrFamily): Promise<RouteEntry[]> {
    return parseFrrRoutes(await this.vtysh([`show bgp ${family} unicast json detail`]));
  }

  async neighbors(): Promise<NeighborStatus[]> {
    return parseFrrNeighbors(await this.vtysh(['show bgp neighbors json']));
  }

  async announce(prefix: string): Promise<void> {
    await this.network(prefix, true);
  }

  async withdraw(prefix: string): Promise<void> {
    await this.network(prefix, false);
  }

  private async network(prefix: string, add: boolean): Promise<void> {
    checkPrefix(prefix, 'prefix');
    const fam = familyOf(prefix);
    await this.vtysh(['configure terminal', `router bgp ${this.spec.localAs}`, `address-family ${fam} unicast`, `${add ? '' : 'no '}network ${prefix}`]);
    const nets = this.spec.networks!.filter((p) => p !== prefix);
    if (add) nets.push(prefix);
    this.spec.networks = nets;
  }

  /** bgpd's log file (its `log file`), '' when not running or unreadable. */
  bgpdLog(): string {
    if (!this.dir) return '';
    try {
      return readFileSync(join(this.dir, 'bgpd.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** Sends `sig` to bgpd (e.g. SIGSTOP/SIGCONT to freeze it so its peers' hold timers expire). */
  signalBgpd(sig: NodeJS.Signals): void {
    const bgpd = this.procs.find((p) => p.name.startsWith('bgpd@') && p.alive());
    if (!bgpd) throw new InteropError(`FRR ${this.spec.name}: bgpd is not running`);
    process.kill(bgpd.pid, sig);
  }

  pids(): number[] {
    return this.procs.filter((p) => p.alive()).map((p) => p.pid);
  }

  async version(): Promise<string> {
    const { stdout } = await run(peerBinaries('frr').daemons['bgpd']!, ['--version']);
    return /version\s+(\S+)/.exec(stdout)?.[1] ?? stdout.trim();
  }
}
