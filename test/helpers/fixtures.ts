/**
 * DOC: where the test fixtures live, resolved from the compiled test's location (dist/test/...) to test/fixtures.
 */
import * as path from 'node:path';

/** Absolute path of a file under test/fixtures/. */
export function fixturePath(...parts: string[]): string {
  return path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', ...parts);
}
