/**
 * DOC: a daemon driver's temporary directory (configs, logs, control sockets): created under the system temp dir,
 * removed by `remove()`, and by the exit guard if the test process ends first, so none outlives its test.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onExitCleanup } from './exit-guard.js';

export interface ScratchDir {
  readonly path: string;
  /** Deletes the directory and its contents (idempotent). */
  remove(): Promise<void>;
}

/** A new directory named `<prefix>XXXXXX` in the temp dir. */
export async function scratchDir(prefix: string): Promise<ScratchDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  const unregister = onExitCleanup(() => rmSync(path, { recursive: true, force: true }));
  return {
    path,
    remove: async () => {
      await rm(path, { recursive: true, force: true });
      unregister();
    },
  };
}
