/**
 * DOC: scenario F1 (performance.md): the kernel FIB install rate through netlink, batched and one request per
 * route. Wraps bench/fib.ts (run as a child process: it makes its own scratch namespace) and reads the JSON
 * line it prints last. Petrel's netlink layer only; the peer daemons' install rates show in S1's t_fib.
 * Target: batched ≥ 200k routes/s.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { formatTable } from '../harness/report';

/** One line of bench/fib.ts's results. */
export interface FibRate {
  n: number;
  mode: string;
  routesPerSec: number;
  installMs?: number;
  deletePerSec?: number;
}

/** F1's results and table. */
export interface FibReport {
  scenario: 'F1';
  results: FibRate[];
  targetMet: boolean;
  table: string;
}

/** Runs bench/fib.js for `routes` (default 100,000; one-per-route capped at `singleMax`, default 100,000). */
export function runFibScenario(o: { routes?: number; singleMax?: number }): Promise<FibReport> {
  const routes = o.routes ?? 100_000;
  const args = [join(__dirname, '..', 'fib.js'), '--routes', String(routes), '--single-max', String(Math.min(routes, o.singleMax ?? 100_000))];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 64 << 20, timeout: 600_000 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`bench/fib.js failed: ${err.message}: ${String(stderr).slice(-1000)}`));
        return;
      }
      const line = String(stdout).split('\n').reverse().find((l) => l.startsWith('{') && l.includes('"bench":"fib"'));
      if (!line) {
        reject(new Error(`bench/fib.js printed no results: ${String(stdout).slice(-1000)}`));
        return;
      }
      const results = (JSON.parse(line) as { results: FibRate[] }).results;
      const batched = results.filter((r) => r.mode === 'batched');
      const targetMet = batched.length > 0 && batched.every((r) => r.routesPerSec >= 200_000);
      const table = formatTable(
        ['routes', 'mode', 'k routes/s', 'install ms'],
        results.map((r) => ({ routes: String(r.n), mode: r.mode, 'k routes/s': r.routesPerSec / 1000, 'install ms': r.installMs })),
      );
      resolve({ scenario: 'F1', results, targetMet, table: `${table}\ntarget batched ≥ 200k routes/s: ${targetMet ? 'met' : 'MISSED'}` });
    });
  });
}
