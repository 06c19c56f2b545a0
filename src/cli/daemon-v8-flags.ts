/**
 * DOC: V8 heap tuning for the `petreld` process, applied as a side effect of importing this module, which
 * petreld.ts imports first, before any other module has allocated.
 *
 * What and why: petreld's heap is mostly long-lived routes (performance.md S1: ~77 MB live at 1M prefixes), and
 * by default V8 lets the young generation grow to 16 MB semi-spaces (32+ MB of RSS) as soon as allocation
 * survives, which for a route feed it always does: every route is promoted anyway, so a large nursery buys
 * nothing and cost about 25 MB of peak RSS. `--semi-space-growth-factor=1` keeps the young generation at its
 * initial size (1 MB semi-spaces). Measured with `node --expose-gc dist/bench/rib-path.js 1000000`: peak RSS
 * 181 → 160 MB, CPU unchanged (the scavenges are cheap: survivors are routes that must be copied out anyway).
 *
 * How, and why this way: heap-size flags such as `--max-semi-space-size` are read only when the isolate is
 * created, so they would need to be on node's command line, and petreld is started in several ways (`node
 * dist/src/cli/petreld.js`, the `petreld` bin, the bench and interop harnesses, calico-node's service script).
 * Re-executing node with flags would add a second node process (~40 MB) and signal forwarding. The growth
 * factor, by contrast, is read each time V8 considers growing the young generation, so setting it here with
 * `v8.setFlagsFromString` works however petreld is started, as long as it happens before the young generation
 * has grown (hence the import order). If a later V8 read it only at start-up, the call would merely have no
 * effect. An explicit `--max-semi-space-size` or `--semi-space-growth-factor` on node's command line or in
 * NODE_OPTIONS wins: then nothing is set here.
 */
import { setFlagsFromString } from 'node:v8';

/** The flags this module sets (unless overridden, see the module comment). */
export const DAEMON_V8_FLAGS: readonly string[] = ['--semi-space-growth-factor=1'];

/** Whether node was started with its own young-generation sizing. */
export function youngGenerationConfigured(execArgv: readonly string[], nodeOptions: string): boolean {
  const given = (a: string) => /^--(max|min)[-_]semi[-_]space[-_]size|^--semi[-_]space[-_]growth[-_]factor/.test(a);
  return execArgv.some(given) || nodeOptions.split(/\s+/).some(given);
}

if (!youngGenerationConfigured(process.execArgv, process.env.NODE_OPTIONS ?? '')) {
  for (const f of DAEMON_V8_FLAGS) setFlagsFromString(f);
}
