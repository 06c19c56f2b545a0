/**
 * DOC: the benchmark's output: one text table per scenario (figures per DUT and their ratio to BIRD 2 measured
 * in the same run and FIB mode), a header with the machine (cores, kernel, node), and the same data as JSON under
 * bench/results/. A DUT that could not run is a row saying why, never a silent gap.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join, resolve } from 'node:path';

/** One row of a table: a label, then column values (numbers are formatted, strings shown as is). */
export interface Row {
  [column: string]: string | number | undefined;
}

/** The machine a run happened on. */
export function machineInfo(): { cores: number; cpu: string; kernel: string; node: string } {
  const c = cpus();
  return { cores: c.length, cpu: c[0]?.model ?? 'unknown', kernel: release(), node: process.version };
}

/** `a / b` to two decimals as text, or `-`. */
export function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined || b === 0 ? '-' : `${(a / b).toFixed(2)}×`;
}

function cell(v: string | number | undefined): string {
  if (v === undefined) return '-';
  if (typeof v === 'number') return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
  return v.replace(/\s*\n\s*/g, ' ');
}

/** Formats rows as an aligned text table with `columns` in order. */
export function formatTable(columns: string[], rows: Row[]): string {
  const text = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...text.map((t) => t[i].length)));
  const line = (cells: string[]) => cells.map((s, i) => s.padEnd(widths[i])).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n');
}

/** bench/results/ in the repository (from dist/bench/harness). */
export const RESULTS_DIR = resolve(__dirname, '..', '..', '..', 'bench', 'results');

/** Writes `data` as `<dir>/<scenario>-<timestamp>.json`; returns the path. */
export function writeResults(scenario: string, data: unknown, dir = RESULTS_DIR): string {
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const path = join(dir, `${scenario}-${stamp}.json`);
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}
