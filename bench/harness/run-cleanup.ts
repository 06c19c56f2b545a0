/**
 * DOC: the two steps every benchmark run ends with: turning a failure into the result's one-line error (with the
 * DUT's log tail, which usually says why), and tearing down the helpers, the DUT and the namespaces, in that order,
 * whatever failed before. With a log directory (`--log-dir`), the DUT's log files are copied there first (the
 * DUT's temp dir, where they live, is removed by its `stop`).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Child } from './child';
import type { Dut } from './duts/dut';
import type { Topology } from './topology';

/** The error text of a failed run: the message, then the last 400 characters of the DUT's log if it has one. */
export function runError(e: unknown, dut?: Dut): string {
  const msg = e instanceof Error ? e.message : String(e);
  const log = dut?.logTail() ?? '';
  return log ? `${msg} | log: ${log.slice(-400)}` : msg;
}

/** Where to keep a run's DUT logs: `dir/<label>-<file name>`. */
export interface KeepLogs {
  dir: string;
  label: string;
}

/** Stops the helper processes, keeps the DUT's logs if asked, stops the DUT, destroys the topology; never throws. */
export async function teardownRun(helpers: readonly Child[], dut: Dut | undefined, topo: Topology | undefined, keep?: KeepLogs): Promise<void> {
  for (const h of helpers) await h.stop().catch(() => undefined);
  if (keep && dut) {
    // Copied while the daemon still runs: its `stop` removes the temp dir holding the logs.
    const files = dut.logFiles?.() ?? [];
    try {
      mkdirSync(keep.dir, { recursive: true });
      for (const f of files) copyFileSync(f, join(keep.dir, `${keep.label}-${basename(f)}`));
    } catch {
      // A log that cannot be kept is not a run failure.
    }
  }
  await dut?.stop().catch(() => undefined);
  await topo?.destroy();
}

/** A file-name label for one run's logs: `<dut>-<what>-<time>`. */
export function logLabel(dut: string, what: string): string {
  return `${dut}-${what}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
}
