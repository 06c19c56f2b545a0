import t from 'tap';
import { join } from 'node:path';
import { TeardownHost, addAddress, createNetns, exec, linkUp, spawnIn, vethPair } from '../../helpers/netns';
import { hasNativeWriter } from '../../../src/fib/netlink/native-route-writer';
import { loadSockoptAddon, sockoptAddonError } from '../../../src/util/sockopt-addon';
import type { BatchResult } from '../../../src/fib/netlink/transport';

// The addon's route-writer thread (native/nlwriter.c) in a throw-away namespace: extended ACK text, overruns
// reported as `unknown`, and a process that opened one still exits on its own. The chunk-boundary and echo tests
// run it alongside the other writers in transport.test.ts.
const TABLE = 101;
const ENETUNREACH = 101;

async function setup(tt: TeardownHost): Promise<string> {
  const ns = await createNetns(tt, 'petrel-nlwr');
  await vethPair(ns, 'v0', ns, 'v1');
  await addAddress(ns, 'v0', '10.1.0.1/24');
  await linkUp(ns, 'v0');
  await linkUp(ns, 'v1');
  return ns;
}

interface ProbeRun {
  code: number | null;
  lines: { result?: BatchResult; port?: number; error?: string }[];
}

/** Runs the probe in `ns`; a probe still running after 10 s is killed (code null): it did not exit by itself. */
function probe(tt: TeardownHost, ns: string, args: Record<string, unknown>): Promise<ProbeRun> {
  const child = spawnIn(ns, process.execPath, [join(__dirname, 'native-writer-probe.js'), JSON.stringify(args)]);
  tt.teardown(() => void child.kill('SIGKILL'));
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, lines: out.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as ProbeRun['lines'][number]) });
    }),
  );
}

async function count(ns: string): Promise<number> {
  return (JSON.parse(await exec(ns, 'ip', ['-j', 'route', 'show', 'table', String(TABLE), 'proto', '12'])) as unknown[]).length;
}

if (!hasNativeWriter(loadSockoptAddon())) {
  t.comment(`skipped: the native addon has no route writer ${sockoptAddonError()}`);
} else {
  t.test('close() after a batch lets the process exit; failures carry the kernel extended ACK text', async (t) => {
    const ns = await setup(t);
    const run = await probe(t, ns, { mode: 'close', n: 50, bad: [7] });
    t.equal(run.code, 0, 'the process exited by itself');
    const r = run.lines[0].result!;
    t.same([r.count, r.acked, r.unknown], [50, 0, []]);
    t.same(r.failed.map((f) => [f.index, f.errno, f.type, f.extMessage]), [[7, ENETUNREACH, 24, 'Nexthop has invalid gateway']]);
    t.ok(run.lines[0].port! > 0, 'the socket has a port id');
    t.equal(await count(ns), 49);
  });

  t.test('an idle writer left open does not hold the process', async (t) => {
    const ns = await setup(t);
    const run = await probe(t, ns, { mode: 'idle', n: 5, acks: 'all' });
    t.equal(run.code, 0);
    t.same(run.lines.map((l) => [l.result?.count, l.result?.acked]), [[5, 5]]);
  });

  t.test('close() with a batch in flight rejects it and the process exits', async (t) => {
    const ns = await setup(t);
    const run = await probe(t, ns, { mode: 'inflight', n: 20_000 });
    t.equal(run.code, 0);
    t.same(run.lines, [{ error: 'route writer closed' }]);
  });

  t.test('answers lost to a receive-buffer overrun are reported as unknown; every message is accounted for', async (t) => {
    // 3000 ACKs in one chunk through a ~4.6 KB receive buffer: the kernel drops most of them (ENOBUFS).
    const ns = await setup(t);
    const run = await probe(t, ns, { mode: 'close', n: 3000, acks: 'all', recvBufferSize: 4096, maxChunkMessages: 3000 });
    t.equal(run.code, 0);
    const r = run.lines[0].result!;
    t.ok(r.unknown.length > 0, `${r.unknown.length} answers lost`);
    t.same([r.count, r.failed, r.acked + r.unknown.length], [3000, [], 3000]);
    t.same(r.unknown, [...new Set(r.unknown)].sort((a, b) => a - b), 'unknown indexes are distinct and ordered');
    t.equal(await count(ns), 3000, 'every route was applied');
  });
}
