/**
 * DOC: last-resort cleanup of the interop harness. Modules register synchronous cleanups (kill a daemon,
 * delete a namespace) while the resource exists and unregister them once it is released normally. When the
 * test process exits with resources still registered (a crash, or tap's SIGTERM on timeout, turned into an
 * ordinary exit here), the cleanups run from the `exit` event, so nothing created by a test outlives it.
 * Handlers are installed on first use only.
 */

const cleanups = new Set<() => void>();
let installed = false;

function runAll(): void {
  for (const fn of cleanups) {
    try {
      fn();
    } catch {
      // best effort: the process is exiting
    }
  }
  cleanups.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
}

/** Registers `fn` to run synchronously if the process exits first; returns the unregister function. */
export function onExitCleanup(fn: () => void): () => void {
  install();
  cleanups.add(fn);
  return () => {
    cleanups.delete(fn);
  };
}
