/**
 * DOC: runs `petreld` inside a network namespace, as the interop tests and the demo need it, and reads its state
 * through the `petrel` CLI's `--json` output (the same control API an operator uses).
 *
 * The daemon's files (control socket, log) live in a temp directory the driver creates and removes on stop.
 * `kill()` ends the daemon abruptly (SIGKILL: no Cease, as a crash) but keeps that directory, so `start()` can
 * run it again with the same socket and an appended log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { run } from './exec.js';
import { startDaemon, type DaemonProcess } from './exec.js';
import { onExitCleanup } from './exit-guard.js';

/** The repository root, from dist/interop-tests/lib. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const PETRELD = path.join(REPO_ROOT, 'dist', 'src', 'cli', 'petreld.js');
const PETREL = path.join(REPO_ROOT, 'dist', 'src', 'cli', 'petrel.js');

export interface PetrelOptions {
  /** Namespace to run in. */
  netns: string;
  node: string;
  /** Config files (absolute, or relative to the repository root). */
  configs: string[];
}

export class PetrelDriver {
  readonly dir: string;
  readonly socket: string;
  private proc: DaemonProcess | null = null;
  private readonly unregister: () => void;

  constructor(readonly opts: PetrelOptions) {
    this.dir = mkdtempSync(path.join(tmpdir(), `petrel-${opts.node}-`));
    this.socket = path.join(this.dir, 'petrel.sock');
    this.unregister = onExitCleanup(() => rmSync(this.dir, { recursive: true, force: true }));
  }

  start(): void {
    const configs = this.opts.configs.flatMap((c) => ['--config', path.isAbsolute(c) ? c : path.join(REPO_ROOT, c)]);
    this.proc = startDaemon(process.execPath, [PETRELD, ...configs, '--node', this.opts.node, '--socket', this.socket, '--log-level', 'info'], {
      name: `petreld@${this.opts.node}`,
      logFile: path.join(this.dir, 'petreld.log'),
      netns: this.opts.netns,
    });
  }

  get alive(): boolean {
    return this.proc?.alive() ?? false;
  }

  log(): string {
    return this.proc?.log() ?? '';
  }

  /** Runs `petrel --socket S ARGS... --json` and parses the output. */
  async query<T = unknown>(...args: string[]): Promise<T> {
    const r = await run(process.execPath, [PETREL, '--socket', this.socket, ...args, '--json']);
    return JSON.parse(r.stdout) as T;
  }

  /** The human table of `petrel show ARGS...`. */
  async table(...args: string[]): Promise<string> {
    const r = await run(process.execPath, [PETREL, '--socket', this.socket, ...args]);
    return r.stdout;
  }

  /** Pid of the running daemon, undefined when not running. */
  get pid(): number | undefined {
    return this.proc?.alive() ? this.proc.pid : undefined;
  }

  /** SIGKILLs the daemon (a crash: peers see the TCP connection close, no NOTIFICATION); `start()` may follow. */
  async kill(): Promise<void> {
    const p = this.proc;
    if (!p?.alive()) return;
    process.kill(p.pid, 'SIGKILL');
    await p.exited;
  }

  async stop(): Promise<void> {
    await this.proc?.stop(3000);
    this.proc = null;
    rmSync(this.dir, { recursive: true, force: true });
    this.unregister();
  }
}
