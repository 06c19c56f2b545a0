/**
 * DOC: OpenBGPD (portable 7.x) as a benchmark DUT: `bgpd -d -f CONF` in the DUT namespace.
 *
 * Config (mode 0600, as bgpd demands): the AS, router id, a private control `socket`, `fib-update no` (portable
 * OpenBGPD has no Linux FIB anyway, so t_fib is reported n/a), one passive neighbor block per neighbor with the
 * spec's hold time (one setting per line), and `allow from any` / `allow to any` (without them nothing passes).
 * bgpd chroots into /run/openbgpd, which must exist. Its privilege-separated children are found by the sampler.
 */
import { accessSync, chmodSync, constants, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, startDaemon, type DaemonProcess } from '../../../interop-tests/lib/exec';
import type { Dut, DutSpec } from './dut';

const BGPD = '/usr/sbin/bgpd';
const BGPCTL = '/usr/sbin/bgpctl';

/** Renders bgpd.conf. */
export function renderOpenBgpdConfig(spec: DutSpec, socket: string): string {
  const out = [`AS ${spec.localAs}`, `router-id ${spec.routerId}`, `socket "${socket}"`, `holdtime ${spec.holdTime}`, 'fib-update no', ''];
  for (const n of spec.neighbors) {
    out.push(`neighbor ${n.address} {`, `\tremote-as ${n.remoteAs}`, '\tpassive', '}');
  }
  out.push('', 'allow from any', 'allow to any', '');
  return out.join('\n');
}

/** OpenBGPD as a DUT. */
export class OpenBgpdDut implements Dut {
  readonly kind = 'openbgpd' as const;
  readonly hasFib = false;
  private dir: string | undefined;
  private proc: DaemonProcess | undefined;

  missing(): string[] {
    return [BGPD, BGPCTL].filter((p) => {
      try {
        accessSync(p, constants.X_OK);
        return false;
      } catch {
        return true;
      }
    });
  }

  async version(): Promise<string> {
    const r = await run('dpkg-query', ['-W', '-f', '${Version}', 'openbgpd']).catch(() => ({ stdout: 'unknown' }));
    return r.stdout.trim();
  }

  async start(netns: string, spec: DutSpec): Promise<void> {
    if (!existsSync('/run/openbgpd')) mkdirSync('/run/openbgpd', { recursive: true });
    const dir = (this.dir = mkdtempSync(join(tmpdir(), 'petrel-bench-openbgpd-')));
    const sock = join(dir, 'bgpd.sock');
    const conf = join(dir, 'bgpd.conf');
    writeFileSync(conf, renderOpenBgpdConfig(spec, sock));
    chmodSync(conf, 0o600);
    this.proc = startDaemon(BGPD, ['-d', '-f', conf], { name: `openbgpd@${netns}`, logFile: join(dir, 'bgpd.out'), netns });
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (!this.proc.alive()) throw new Error(`openbgpd exited on start: ${this.logTail()}`);
      const ok = await run(BGPCTL, ['-s', sock, 'show', 'summary']).then(() => true, () => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`openbgpd did not answer on ${sock}: ${this.logTail()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  rootPids(): number[] {
    return this.proc?.alive() ? [this.proc.pid] : [];
  }

  logTail(): string {
    return (this.proc?.log() ?? '').slice(-1500);
  }

  async stop(): Promise<void> {
    await this.proc?.stop(5000);
    this.proc = undefined;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
