/**
 * DOC: `npm run fuzz`: the long fuzz run. Options: `--iterations N` (default 2,000,000), `--seed S`.
 * Crashing inputs are written to test/fixtures/crashers/<hash>.hex (replayed by the test suite) and the run exits 1.
 */
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import { fixturePath } from '../helpers/fixtures';
import { fuzz, loadSeeds } from './fuzz-core';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const iterations = arg('--iterations', 2_000_000);
const seed = arg('--seed', Date.now() & 0xffffffff);
const seeds = loadSeeds();
const batch = 100_000;
let crashes = 0;
const started = Date.now();
for (let done = 0; done < iterations; done += batch) {
  const r = fuzz(Math.min(batch, iterations - done), (seed + done) >>> 0, seeds);
  for (const c of r.crashes) {
    const name = createHash('sha256').update(c.input).digest('hex').slice(0, 16);
    fs.mkdirSync(fixturePath('crashers'), { recursive: true });
    fs.writeFileSync(fixturePath('crashers', `${name}.hex`), `${c.input.toString('hex')}\n`);
    process.stdout.write(`crash ${name}: ${(c.error as Error)?.stack ?? String(c.error)}\n`);
    crashes++;
  }
  process.stdout.write(`${Math.min(done + batch, iterations)} / ${iterations} iterations, ${crashes} crash(es), ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${seed})\n`);
}
process.exitCode = crashes ? 1 : 0;
