/**
 * DOC: the common half of the DUTs that are one daemon process plus a temp dir (BIRD, OpenBGPD): checking the
 * binaries exist, starting the daemon in the DUT namespace and polling its control socket until it answers,
 * reporting its pid and log tail, and stopping it and removing the dir.
 */
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type DaemonProcess } from '../../../interop-tests/lib/exec';

/** How long a daemon may take to answer on its control socket after start. */
const READY_TIMEOUT_MS = 10_000;

export abstract class SingleDaemonDut {
  protected dir: string | undefined;
  protected proc: DaemonProcess | undefined;

  /** Which of `paths` are not executable. */
  protected missingOf(paths: readonly string[]): string[] {
    return paths.filter((p) => {
      try {
        accessSync(p, constants.X_OK);
        return false;
      } catch {
        return true;
      }
    });
  }

  /** A fresh temp dir for this run (removed by `stop`). */
  protected makeDir(label: string): string {
    return (this.dir = mkdtempSync(join(tmpdir(), `petrel-bench-${label}-`)));
  }

  /** Starts `bin args` in `netns` and waits until `ready()` answers true; `label` names it in errors. */
  protected async launch(netns: string, label: string, bin: string, args: string[], logFile: string, ready: () => Promise<boolean>): Promise<void> {
    const proc = (this.proc = startDaemon(bin, args, { name: `${label}@${netns}`, logFile, netns }));
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (!proc.alive()) throw new Error(`${label} exited on start: ${this.logTail()}`);
      if (await ready().catch(() => false)) return;
      if (Date.now() > deadline) throw new Error(`${label} did not answer on its control socket: ${this.logTail()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  rootPids(): number[] {
    return this.proc?.alive() ? [this.proc.pid] : [];
  }

  logTail(): string {
    return (this.proc?.log() ?? '').slice(-1500);
  }

  logFiles(): string[] {
    return this.proc ? [this.proc.logFile] : [];
  }

  async stop(): Promise<void> {
    await this.proc?.stop(5000);
    this.proc = undefined;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
