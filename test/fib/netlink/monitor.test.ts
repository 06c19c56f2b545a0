import t from 'tap';
import { join } from 'node:path';
import { createNetns, exec, run, spawnIn } from '../../helpers/netns';
import { FibAgent, ipRoutes, until } from '../fib-agent-client';
import { hasNativeMonitor } from '../../../src/fib/netlink/monitor-native';
import { loadSockoptAddon, sockoptAddonError } from '../../../src/util/sockopt-addon';

// The shared kernel monitor (monitor.ts) in both implementations: in-process native thread and child process.
// Sharing, silencing and overruns through the transport are in transport.test.ts.
const NATIVE = hasNativeMonitor(loadSockoptAddon());

/** Runs monitor-probe.js in `ns`; resolves with its exit code and stdout, or rejects if it is still alive after 10 s. */
function probe(ns: string, mode: string, monitor: 'native' | 'child'): Promise<{ code: number | null; out: string; err: string }> {
  const c = spawnIn(ns, 'env', [`PETREL_NETLINK_MONITOR=${monitor === 'child' ? 'child' : ''}`, process.execPath, join(__dirname, 'monitor-probe.js'), mode]);
  let out = '';
  let err = '';
  c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  c.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      c.kill('SIGKILL');
      reject(new Error(`the probe did not exit: ${out}${err}`));
    }, 10_000);
    c.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

for (const monitor of ['native', 'child'] as const) {
  t.test(`closing the last subscription releases the monitor and lets the process exit (${monitor})`, async (t) => {
    if (monitor === 'native' && !NATIVE) return t.plan(0, `skipped: no native monitor in the addon ${sockoptAddonError()}`);
    const ns = await createNetns(t, 'petrel-mon');
    const r = await probe(ns, 'close', monitor);
    t.same([r.code, JSON.parse(r.out)], [0, { implementation: monitor, seen: '10.93.0.0/24', after: null }]);
  });
}

t.test('a burst of 3000 notifications (within the 4 MiB buffer) arrives whole and in order through the native reader (batched)', async (t) => {
  if (!NATIVE) return t.plan(0, `skipped: no native monitor in the addon ${sockoptAddonError()}`);
  const ns = await createNetns(t, 'petrel-mon');
  const r = await probe(ns, 'burst', 'native');
  t.same([r.code, JSON.parse(r.out)], [0, { seen: 3000, inOrder: true, resyncs: 0 }]);
});

t.test('an exception thrown by a subscriber of the native monitor is uncaught, not swallowed', async (t) => {
  if (!NATIVE) return t.plan(0, `skipped: no native monitor in the addon ${sockoptAddonError()}`);
  const ns = await createNetns(t, 'petrel-mon');
  const r = await probe(ns, 'throw', 'native');
  t.equal(r.code, 1);
  t.match(r.err, /Error: thrown by onMessage/);
  t.equal(r.out, '');
});

t.test('a FIB whose native monitor overruns resyncs from a dump and puts back what it missed', async (t) => {
  if (!NATIVE) return t.plan(0, `skipped: no native monitor in the addon ${sockoptAddonError()}`);
  const TABLE = 100;
  const ns = await createNetns(t, 'petrel-mon');
  await run('ip', ['-n', ns, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1']);
  await exec(ns, 'ip', ['addr', 'add', '10.1.0.1/24', 'dev', 'v0']);
  await exec(ns, 'ip', ['link', 'set', 'v0', 'up']);
  await exec(ns, 'ip', ['link', 'set', 'v1', 'up']);
  const fib = await FibAgent.start(t, ns, { table: TABLE, protocol: 12 });
  t.same([fib.monitorPid(), fib.monitorSockets()], [undefined, { inProcess: 1, inChildren: 0 }], 'the monitor socket is in the FIB process');
  for (const p of ['10.82.0.0/24', '10.83.0.0/24', '10.84.0.0/24']) await fib.announce(p, 'p1', '10.1.0.2');
  await fib.idle();
  // Freeze the FIB (its reader thread with it), change two of its routes, and overflow the 4 MiB monitor buffer
  // with 20000 routes of another table, then let it run again.
  const thaw = (): void => {
    try {
      process.kill(fib.pid, 'SIGCONT');
    } catch {
      // already gone
    }
  };
  t.teardown(thaw);
  process.kill(fib.pid, 'SIGSTOP');
  try {
    await exec(ns, 'ip', ['route', 'del', '10.82.0.0/24', 'table', String(TABLE)]);
    await exec(ns, 'ip', ['route', 'replace', '10.83.0.0/24', 'via', '10.1.0.9', 'proto', '12', 'table', String(TABLE)]);
    const burst = Array.from({ length: 20_000 }, (_, i) => `route add blackhole 10.70.${i >> 8}.${i & 255}/32 table 300\n`).join('');
    await run('ip', ['-n', ns, '-batch', '-'], burst);
  } finally {
    thaw();
  }
  const want = ['10.82.0.0/24', '10.83.0.0/24', '10.84.0.0/24'].map((dst) => ({ dst, gateway: '10.1.0.2' }));
  await until('missed changes put back', async () => {
    const got = (await ipRoutes(ns, TABLE)).map((r) => ({ dst: r.dst, gateway: r.gateway }));
    return JSON.stringify(got) === JSON.stringify(want);
  }, 10_000);
  const c = await fib.idle();
  t.match(c, { scans: 1, repairs: 2, installed: 3 }, 'one resync scan; the missing and the changed route rewritten');
  t.same(fib.monitorSockets(), { inProcess: 1, inChildren: 0 }, 'the same in-process monitor carries on');
});
