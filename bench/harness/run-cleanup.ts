/**
 * DOC: the two steps every benchmark run ends with: turning a failure into the result's one-line error (with the
 * DUT's log tail, which usually says why), and tearing down the helpers, the DUT and the namespaces, in that order,
 * whatever failed before.
 */
import type { Child } from './child';
import type { Dut } from './duts/dut';
import type { Topology } from './topology';

/** The error text of a failed run: the message, then the last 400 characters of the DUT's log if it has one. */
export function runError(e: unknown, dut?: Dut): string {
  const msg = e instanceof Error ? e.message : String(e);
  const log = dut?.logTail() ?? '';
  return log ? `${msg} | log: ${log.slice(-400)}` : msg;
}

/** Stops the helper processes, then the DUT, then destroys the topology; never throws. */
export async function teardownRun(helpers: readonly Child[], dut: Dut | undefined, topo: Topology | undefined): Promise<void> {
  for (const h of helpers) await h.stop().catch(() => undefined);
  await dut?.stop().catch(() => undefined);
  await topo?.destroy();
}
