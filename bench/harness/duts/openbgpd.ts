/**
 * DOC: OpenBGPD (portable 7.x) as a benchmark DUT: `bgpd -d -f CONF` in the DUT namespace.
 *
 * Config (mode 0600, as bgpd demands): the AS, router id, a private control `socket`, `fib-update no` (portable
 * OpenBGPD has no Linux FIB anyway, so t_fib is reported n/a), one passive neighbor block per neighbor with the
 * spec's hold time (one setting per line), and `allow from any` / `allow to any` (without them nothing passes).
 * bgpd chroots into /run/openbgpd, which must exist. Its privilege-separated children are found by the sampler.
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../../interop-tests/lib/exec';
import type { Dut, DutSpec } from './dut';
import { SingleDaemonDut } from './daemon-dut';

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
export class OpenBgpdDut extends SingleDaemonDut implements Dut {
  readonly kind = 'openbgpd' as const;
  readonly hasFib = false;

  missing(): string[] {
    return this.missingOf([BGPD, BGPCTL]);
  }

  async version(): Promise<string> {
    const r = await run('dpkg-query', ['-W', '-f', '${Version}', 'openbgpd']).catch(() => ({ stdout: 'unknown' }));
    return r.stdout.trim();
  }

  async start(netns: string, spec: DutSpec): Promise<void> {
    if (!existsSync('/run/openbgpd')) mkdirSync('/run/openbgpd', { recursive: true });
    const dir = this.makeDir('openbgpd');
    const sock = join(dir, 'bgpd.sock');
    const conf = join(dir, 'bgpd.conf');
    writeFileSync(conf, renderOpenBgpdConfig(spec, sock));
    chmodSync(conf, 0o600);
    await this.launch(netns, 'openbgpd', BGPD, ['-d', '-f', conf], join(dir, 'bgpd.out'),
      () => run(BGPCTL, ['-s', sock, 'show', 'summary']).then(() => true));
  }
}
