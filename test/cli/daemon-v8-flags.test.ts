/** petreld's V8 young-generation tuning: when an explicit node flag takes precedence. */
import t from 'tap';
import { getHeapSpaceStatistics } from 'node:v8';
import { DAEMON_V8_FLAGS, youngGenerationConfigured } from '../../src/cli/daemon-v8-flags';

t.test('explicit young-generation flags on the command line or in NODE_OPTIONS win', async (t) => {
  t.same(DAEMON_V8_FLAGS, ['--semi-space-growth-factor=1']);
  t.equal(youngGenerationConfigured([], ''), false);
  t.equal(youngGenerationConfigured(['--expose-gc', '--max-old-space-size=512'], '--require x.js'), false);
  t.equal(youngGenerationConfigured(['--max-semi-space-size=8'], ''), true);
  t.equal(youngGenerationConfigured(['--min_semi_space_size=2'], ''), true);
  t.equal(youngGenerationConfigured([], '--require x.js --semi-space-growth-factor=2'), true);
  t.equal(youngGenerationConfigured([], '--max-semi-space-size=4'), true);
});

t.test('importing the module keeps the young generation at its initial size under allocation', async (t) => {
  const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;
  const before = newSpace();
  let keep: unknown[] = [];
  for (let i = 0; i < 400000; i++) {
    keep.push({ i, s: `v${i}` });
    if (keep.length > 200000) keep = [];
  }
  t.equal(keep.length > 0, true);
  t.ok(newSpace() <= before, `new space ${newSpace()} stays at most ${before} octets`);
});
