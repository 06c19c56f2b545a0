/**
 * DOC: test helper: reads YAML fixtures from test/fixtures/config/ (tests run from dist/test/config/).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfigText, type LoadedConfig } from '../../src/config';

/** Absolute path of a config fixture. */
export function fixturePath(name: string): string {
  return join(__dirname, '..', '..', '..', 'test', 'fixtures', 'config', name);
}

/** Parses a fixture (optionally edited by `edit`) into a LoadedConfig; the file name is the fixture name. */
export function loadFixture(name: string, edit: (text: string) => string = (t) => t): LoadedConfig {
  return parseConfigText(edit(readFileSync(fixturePath(name), 'utf8')), name);
}

/** Runs `fn` and returns what it threw (undefined if it did not throw), for exact assertions on errors. */
export function thrown(fn: () => unknown): Error | undefined {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  return undefined;
}
