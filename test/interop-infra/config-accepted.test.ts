import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderBirdConfig } from '../../interop-tests/lib/bird-config.js';
import { run } from '../../interop-tests/lib/exec.js';
import { renderFrrBgpd } from '../../interop-tests/lib/frr-config.js';
import { missingBinaries, peerBinaries } from '../../interop-tests/lib/peer-binaries.js';
import type { RouterSpec } from '../../interop-tests/lib/types.js';

// The rendered configs must parse under the real daemons (BIRD `-p`, FRR `-C`), including the variants the
// smoke test does not start (passive, custom timers, IPv4 over IPv6, kernel protocol).
const spec: RouterSpec = {
  name: 'tor',
  routerId: '10.0.0.1',
  localAs: 65001,
  neighbors: [
    { address: '10.0.0.2', remoteAs: 65002, passive: true },
    { address: 'fd00::2', remoteAs: 4200000000, holdTime: 30, keepaliveTime: 10, connectRetryTime: 5, families: ['ipv4', 'ipv6'] },
  ],
  networks: ['10.1.0.0/24', 'fd00:1::/64'],
  fib: true,
};
const v4: RouterSpec = { ...spec, neighbors: [spec.neighbors[0]!], networks: ['10.1.0.0/24'] };
const v6: RouterSpec = { ...spec, neighbors: [{ ...spec.neighbors[1]!, families: ['ipv6'] }], networks: ['fd00:1::/64'] };
const SPECS = { bird2: [spec, 2], bird1: [v4, 1], bird1v6: [v6, '1v6'] } as const;

const dir = mkdtempSync(join(tmpdir(), 'petrel-cfgcheck-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

for (const kind of ['bird2', 'bird1', 'bird1v6'] as const) {
  t.test(`${kind} accepts the rendered config`, async (t) => {
    t.same(missingBinaries(kind), [], `${kind} installed (.ci/install-system-deps.sh)`);
    const file = join(dir, `${kind}.conf`);
    writeFileSync(file, renderBirdConfig(SPECS[kind][0], SPECS[kind][1], join(dir, 'bird.log')));
    const { stdout, stderr } = await run(peerBinaries(kind).daemons['bird']!, ['-p', '-c', file]);
    t.equal(stdout + stderr, '', 'no parse complaint');
    writeFileSync(file, 'router id 10.0.0.1;\nprotocol bgp x { bogus; }\n');
    await t.rejects(run(peerBinaries(kind).daemons['bird']!, ['-p', '-c', file]), { code: 'ERR_INTEROP' }, 'the check can fail');
  });
}

t.test('FRR bgpd accepts the rendered config', async (t) => {
  t.same(missingBinaries('frr'), [], 'FRR installed (.ci/install-system-deps.sh)');
  const check = async (text: string): Promise<string> => {
    const file = join(dir, 'bgpd.conf');
    writeFileSync(file, text);
    const args = ['-C', '-f', file, '-u', 'root', '-g', 'root', '-i', join(dir, 'bgpd.pid'), '-z', join(dir, 'zs.api'), '--vty_socket', dir];
    const { stdout, stderr } = await run(peerBinaries('frr').daemons['bgpd']!, args);
    return stdout + stderr;
  };
  t.equal(await check(renderFrrBgpd(spec, join(dir, 'bgpd.log'))), '', 'no complaint');
  t.match(await check('router bgp 1\n bogus line\n'), /No such command on config line 2/, 'the check can fail');
});
