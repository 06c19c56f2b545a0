/**
 * DOC: BIRD 2.0 and BIRD 1.6 as benchmark DUTs (`bird -f` in the DUT namespace, files in a temp dir).
 *
 * The config is rendered here rather than by interop-tests/lib/bird-config.ts because the benchmark needs
 * `gateway direct` on iBGP sessions (C1; BIRD's iBGP default is recursive, which would need an IGP table) and
 * nothing else: `protocol device`, one `protocol kernel` (IPv4, `export all`) only when the FIB is on, and one
 * passive `protocol bgp` per neighbor importing and exporting all, with the spec's timers. iBGP neighbors also get
 * `direct` (BIRD treats iBGP as multihop by default and then refuses `gateway direct`; the benchmark's peers all
 * share the DUT's subnet, as Calico nodes on one L2 segment do).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../../interop-tests/lib/exec';
import { bird1Dir } from '../../../interop-tests/lib/peer-binaries';
import type { Dut, DutSpec } from './dut';
import { SingleDaemonDut } from './daemon-dut';

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
      ...(n.remoteAs === spec.localAs ? ['  direct;'] : []),
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
export class BirdDut extends SingleDaemonDut implements Dut {
  readonly hasFib = true;

  constructor(readonly kind: 'bird2' | 'bird1') {
    super();
  }

  private get bin(): { bird: string; birdc: string } {
    const root = this.kind === 'bird1' ? `${bird1Dir()}/usr/sbin` : '/usr/sbin';
    return { bird: `${root}/bird`, birdc: `${root}/birdc` };
  }

  missing(): string[] {
    return this.missingOf([this.bin.bird]);
  }

  async version(): Promise<string> {
    const r = await run(this.bin.bird, ['--version']).catch((e: Error) => ({ stdout: '', stderr: e.message }));
    const text = `${r.stdout}${r.stderr}`;
    return /version\s+(\S+)/.exec(text)?.[1] ?? text.trim();
  }

  async start(netns: string, spec: DutSpec): Promise<void> {
    const dir = this.makeDir(this.kind);
    writeFileSync(join(dir, 'bird.conf'), renderBenchBirdConfig(spec, this.kind === 'bird1' ? 1 : 2));
    const sock = join(dir, 'bird.ctl');
    const args = ['-f', '-c', join(dir, 'bird.conf'), '-s', sock, '-P', join(dir, 'bird.pid')];
    await this.launch(netns, this.kind, this.bin.bird, args, join(dir, 'bird.out'),
      () => run(this.bin.birdc, ['-s', sock, 'show', 'status']).then((r) => r.stdout.includes('Daemon is up')));
  }
}
