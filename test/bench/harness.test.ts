/**
 * Smoke runs of the benchmark harness (bench/): every scenario at a small size with Petrel only, checking that
 * the harness works end to end and that the counts are exact. No timing is asserted (that is the benchmark's
 * job, `npm run bench`). Needs root (network namespaces); skipped with a note otherwise.
 */
import t from 'tap';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPropagation, runToolsCalibration, type PropagationParams } from '../../bench/harness/propagation';
import { runMesh } from '../../bench/scenarios/mesh-scenario';
import { runFibScenario } from '../../bench/scenarios/fib-scenario';
import { runCodecScenario } from '../../bench/scenarios/codec-scenario';
import { main } from '../../bench/run';

const isRoot = process.getuid?.() === 0;
const base: PropagationParams = { feeders: 1, prefixesPerFeeder: 10_000, attrSets: 1, fib: false, holdTime: 90, keepaliveTime: 30, stallMs: 8000, timeoutMs: 60_000 };

t.test('M1 smoke: every size measured', (t) => {
  const r = runCodecScenario({ seconds: 0.005 });
  t.same(r.results.map((x) => x.nlriPerUpdate), [1, 10, 100, 500]);
  t.equal(r.results[3].messageBytes, 19 + 4 + 35 + 2000, '500 /24s in one UPDATE');
  t.match(r.table, /decode M NLRI\/s/);
  t.end();
});

t.test('needs root', { skip: isRoot ? false : 'not root: network namespaces unavailable' }, async (t) => {
  t.test('tools-only calibration: the sink counts the feeder exactly', async (t) => {
    const r = await runToolsCalibration(base);
    t.equal(r.error, undefined);
    t.equal(r.sinkCount, 10_000);
    t.equal(r.complete, true);
  });

  t.test('S1 smoke, FIB off: every prefix reaches the sink, none the kernel', async (t) => {
    const r = await runPropagation('petrel', base);
    t.equal(r.error, undefined);
    t.equal(r.sinkCount, 10_000);
    t.equal(r.fibCount, 0);
    t.equal(r.holdProblem, undefined, 'no session dropped, no silence of a hold time');
    t.ok(r.tPropMs! > 0 && r.peakRssMb! > 0 && r.cpuSeconds! >= 0, 'figures reported');
  });

  t.test('S1 smoke, FIB on: every prefix at the sink and in the kernel', async (t) => {
    const r = await runPropagation('petrel', { ...base, fib: true });
    t.equal(r.error, undefined);
    t.equal(r.sinkCount, 10_000);
    t.equal(r.fibCount, 10_000);
    t.equal(r.fibMethod, 'netlink notifications');
  });

  t.test('S1-paths smoke: 1,000 attribute sets, 10 NLRI per UPDATE', async (t) => {
    const r = await runPropagation('petrel', { ...base, attrSets: 1000 });
    t.equal(r.error, undefined);
    t.equal(r.sinkCount, 10_000);
  });

  t.test('S3 smoke: 10 feeders × 1,000', async (t) => {
    const r = await runPropagation('petrel', { ...base, feeders: 10, prefixesPerFeeder: 1000 });
    t.equal(r.error, undefined);
    t.equal(r.sinkCount, 10_000);
  });

  t.test('C1 smoke: 20 mesh peers, 220 routes in the FIB', async (t) => {
    const r = await runMesh('petrel', { duts: ['petrel'], peers: 20, holdTime: 90, keepaliveTime: 30, idleMs: 300, idleAfterMs: 0 });
    t.equal(r.error, undefined);
    t.equal(r.fibCount, 220);
    t.equal(r.complete, true);
  });

  t.test('F1 smoke: bench/fib.ts installs exactly what it is asked to', async (t) => {
    const r = await runFibScenario({ routes: 2000, singleMax: 200 });
    const core = r.results.filter((x) => ['batched', 'batch+ack', 'single'].includes(x.mode));
    t.same(core.map((x) => [x.n, x.mode]), [[2000, 'batched'], [2000, 'batch+ack'], [200, 'single']]);
    t.ok(r.results.every((x) => x.routesPerSec > 0), 'rates reported');
  });

  t.test('the CLI reports a missing peer daemon and writes the results JSON', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), `petrel-bench-test-${process.pid}-`));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const saved = process.env['PETREL_BIRD1_DIR'];
    process.env['PETREL_BIRD1_DIR'] = join(dir, 'no-bird1');
    t.teardown(() => {
      if (saved === undefined) delete process.env['PETREL_BIRD1_DIR'];
      else process.env['PETREL_BIRD1_DIR'] = saved;
    });
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
    let code: number;
    try {
      code = await main(['M1', '--dut', 'petrel,bird1', '--seconds', '0.005', '--results-dir', dir]);
    } finally {
      process.stdout.write = write;
    }
    t.equal(code, 0);
    t.match(out.join(''), /MISSING bird1: .*no-bird1\/usr\/sbin\/bird not installed/);
    const files = readdirSync(dir).filter((f) => f.startsWith('M1-'));
    t.equal(files.length, 1);
    const data = JSON.parse(readFileSync(join(dir, files[0]), 'utf8')) as { missing: Record<string, string[]>; machine: { cores: number } };
    t.same(Object.keys(data.missing), ['bird1']);
    t.ok(data.machine.cores >= 1);
    t.equal(await main(['S9']), 2, 'unknown scenario: usage error');
  });
});
