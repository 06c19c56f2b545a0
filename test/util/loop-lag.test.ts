/**
 * The event-loop lag monitor: a 200 ms busy-wait shows up as the maximum delay since start and in the interval that
 * contained it; an interval's p99 over the threshold logs one warning, under it none. A quiet loop is sampled at the
 * idle pace (few wake-ups), sustained work or a block at the busy pace.
 */
import t from 'tap';
import { LoopLagMonitor } from '../../src/util/loop-lag';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function busyWait(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) { /* block the loop */ }
}

function fakeLog() {
  const warnings: { obj: Record<string, number>; msg: string }[] = [];
  return { warnings, log: { warn: (obj: Record<string, number>, msg: string) => warnings.push({ obj, msg }) } as never };
}

t.test('a busy-wait block is measured as the maximum delay', async (t) => {
  const quiet = fakeLog();
  const m = new LoopLagMonitor({ resolutionMs: 1, intervalMs: 60000, warnP99Ms: 1e9, log: quiet.log }).start();
  t.teardown(() => m.stop());
  await sleep(30);
  busyWait(200);
  await sleep(30);
  const s = m.snapshot();
  t.ok(s.sinceStart.max >= 150, `max since start ${s.sinceStart.max.toFixed(1)} ms ≥ 150 ms`);
  t.ok(s.sinceStart.max < 1000, 'max bounded by the block');
  t.ok(s.sinceStart.samples > 0, 'samples taken');
  t.equal(s.lastInterval.samples, 0, 'no interval finished yet');
  const last = m.rotate();
  t.ok(last.max >= 150, `interval max ${last.max.toFixed(1)} ms ≥ 150 ms`);
  t.same(m.snapshot().lastInterval, last, 'the finished interval is kept for show status');
  t.equal(quiet.warnings.length, 0, 'p99 under a huge threshold: no warning');
});

t.test('an interval p99 over the threshold warns once', async (t) => {
  const loud = fakeLog();
  const m = new LoopLagMonitor({ resolutionMs: 1, intervalMs: 60000, warnP99Ms: 0.001, log: loud.log }).start();
  t.teardown(() => m.stop());
  await sleep(20);
  busyWait(50);
  await sleep(20);
  m.rotate();
  t.equal(loud.warnings.length, 1, 'one warning for the interval');
  t.match(loud.warnings[0].msg, /event loop lag/, 'warning text');
  t.ok(loud.warnings[0].obj.max >= 40, 'warning carries the max');
});

t.test('a quiet loop is sampled at the idle pace; a block brings back the busy pace', async (t) => {
  const quiet = fakeLog();
  const m = new LoopLagMonitor({ resolutionMs: 20, idleResolutionMs: 200, intervalMs: 60000, warnP99Ms: 1e9, log: quiet.log }).start();
  t.teardown(() => m.stop());
  t.equal(m.busy, true, 'starts at the busy pace');
  await sleep(700);
  t.equal(m.busy, false, 'idle after a quiet window');
  const before = m.snapshot().sinceStart.samples;
  await sleep(1000);
  const idleSamples = m.snapshot().sinceStart.samples - before;
  // The busy pace would take ~50 samples in a second; the idle pace takes one per 200 ms.
  t.ok(idleSamples >= 3 && idleSamples <= 10, `${idleSamples} samples in 1 s of idle (one per 200 ms)`);
  busyWait(250);
  await sleep(30);
  t.equal(m.busy, true, 'a tick delayed by the block switches back to the busy pace');
  t.ok(m.snapshot().sinceStart.max >= 40, `the block that delayed the idle tick is recorded (max ${m.snapshot().sinceStart.max.toFixed(1)} ms)`);
});

t.test('sustained work keeps the busy pace', async (t) => {
  const quiet = fakeLog();
  const m = new LoopLagMonitor({ resolutionMs: 5, idleResolutionMs: 100, intervalMs: 60000, warnP99Ms: 1e9, log: quiet.log }).start();
  t.teardown(() => m.stop());
  // 4 ms of work every 10 ms: 40 % utilization, never late by a whole resolution on its own.
  const end = Date.now() + 400;
  while (Date.now() < end) {
    busyWait(4);
    await sleep(6);
  }
  t.equal(m.busy, true, 'still busy after 400 ms of 40 % utilization');
});

t.test('stop ends sampling', async (t) => {
  const m = new LoopLagMonitor({ resolutionMs: 2, intervalMs: 60000 }).start();
  await sleep(20);
  m.stop();
  const n = m.snapshot().sinceStart.samples;
  await sleep(30);
  t.equal(m.snapshot().sinceStart.samples, n, 'no samples after stop');
});
