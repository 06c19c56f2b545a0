/**
 * A short random-mutation fuzz run over the corpus (the long run is `npm run fuzz`): only typed errors may escape
 * the codec. Saved crashers in test/fixtures/crashers/*.hex are replayed first.
 */
import t from 'tap';
import * as fs from 'node:fs';
import { fixturePath } from '../helpers/fixtures';
import { hex } from '../helpers/hex';
import { exercise, fuzz, loadSeeds, Rng } from './fuzz-core';

t.test('saved crashers no longer crash', (t) => {
  const dir = fixturePath('crashers');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.hex')) : [];
  for (const f of files) {
    const input = hex(fs.readFileSync(`${dir}/${f}`, 'utf8'));
    for (let s = 1; s <= 3; s++) t.equal(exercise(input, new Rng(s)), undefined, `${f} (context ${s})`);
  }
  t.end();
});

t.test('random mutations of the corpus raise only typed errors', (t) => {
  const seeds = loadSeeds();
  t.ok(seeds.length > 400, `${seeds.length} seed messages loaded`);
  const r = fuzz(60000, 0xc0ffee, seeds);
  for (const c of r.crashes.slice(0, 5)) t.fail(`crash on ${c.input.toString('hex')}: ${(c.error as Error)?.stack ?? String(c.error)}`);
  t.equal(r.crashes.length, 0, `${r.iterations} mutated messages, no untyped exception`);
  t.end();
});
