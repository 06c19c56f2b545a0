/**
 * DOC: BIRD 2.0 and BIRD 1.6 as benchmark DUTs (`bird -f` in the DUT namespace, files in a temp dir).
 *
 * The config is rendered here rather than by interop-tests/lib/bird-config.ts because the benchmark needs
 * `gateway direct` on iBGP sessions (C1; BIRD's iBGP default is recursive, which would need an IGP table) and
 * nothing else: `protocol device`, one `protocol kernel` (IPv4, `export all`) only when the FIB is on, and one
 * passive `protocol bgp` per neighbor importing and exporting all, with the spec's timers.
 */
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, startDaemon, type DaemonProcess } from '../../../interop-tests/lib/exec';
import { bird1Dir } from '../../../interop-tests/lib/peer-binaries';
import type { Dut, DutSpec } from './dut';

/** Renders bird.conf for BIRD `major` 2 or 1. */
export function renderBenchBirdConfig(spec: DutSpec, major: 1 | 2): string {
  const out = [`router id ${spec.routerId};`, '', 'protocol device {', '  scan time 10;', '}'];
  if (spec.fib) {
    out.push('', 'protocol kernel {', major === 2 ? '  ipv4 { export all; };' : '  export all;', '}');
  }
  spec.neighbors.forEach((n, i) => {
    out.push(
      '',
      `protocol bgp peer${i} {`,
      `  local as ${spec.localAs};`,
      `  neighbor ${n.address} as ${n.remoteAs};`,
      '  passive on;',
      `  hold time ${spec.holdTime};`,
      `  keepalive time ${spec.keepaliveTime};`,
      ...(major === 2 ? ['  ipv4 { import all; export all; gateway direct; };'] : ['  import all;', '  export all;', '  gateway direct;']),
      '}',
    );
  });
  out.push('');
  return out.join('\n');
}

/** BIRD 2 or 1.6 as a DUT. */
export class BirdDut implements Dut {
  readonly hasFib = true;
  private dir: string | undefined;
  private proc: DaemonProcess | undefined;

  constructor(readonly kind: 'bird2' | 'bird1') {}

  private get bin(): { bird: string; birdc: string } {
    const root = this.kind === 'bird1' ? `${bird1Dir()}/usr/sbin` : '/usr/sbin';
    return { bird: `${root}/bird`, birdc: `${root}/birdc` };
  }

  missing(): string[] {
    return [this.bin.bird].filter((p) => {
      try {
        accessSync(p, constants.X_OK);
        return false;
      } catch {
        return true;
      }
    });
  }

  async version(): Promise<string> {
    const r = await run(this.bin.bird, ['--version']).catch((e: Error) => ({ stdout: '', stderr: e.message }));
    const text = `${r.stdout}${r.stderr}`;
    return /version\s+(\S+)/.exec(text)?.[1] ?? text.trim();
  }

  async start(netns: string, spec: DutSpec): Promise<void> {
    const dir = (this.dir = mkdtempSync(join(tmpdir(), `petrel-bench-${this.kind}-`)));
    writeFileSync(join(dir, 'bird.conf'), renderBenchBirdConfig(spec, this.kind === 'bird1' ? 1 : 2));
    const sock = join(dir, 'bird.ctl');
    this.proc = startDaemon(this.bin.bird, ['-f', '-c', join(dir, 'bird.conf'), '-s', sock, '-P', join(dir, 'bird.pid')], {
      name: `${this.kind}@${netns}`,
      logFile: join(dir, 'bird.out'),
      netns,
    });
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (!this.proc.alive()) throw new Error(`${this.kind} exited on start: ${this.logTail()}`);
      const ok = await run(this.bin.birdc, ['-s', sock, 'show', 'status']).then((r) => r.stdout.includes('Daemon is up'), () => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`${this.kind} did not answer on ${sock}: ${this.logTail()}`);
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
