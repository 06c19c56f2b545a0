/**
 * DOC: scenarios S1, S1-paths and S3 (performance.md): the propagation run of harness/propagation.ts against
 * each requested DUT, in FIB-off and FIB-on mode, after one tools-only calibration run, and their table.
 *
 *  - S1: one feeder, 1,000,000 /24s (`--prefixes`), one attribute set, up to 500 NLRI per UPDATE;
 *  - S1-paths: the same with 100,000 distinct attribute sets (`--attr-sets`), so 10 NLRI per UPDATE;
 *  - S3: ten feeders × 100,000 /24s each.
 * The bottleneck column says `DUT` when the DUT's t_prop is at least twice the tools-only time, else `tools?`
 * (the feeder and sink could be what limits that figure). `silence s` is the DUT's longest silence toward a
 * feeder or the sink (a hold time or more, or a session drop, is flagged `HOLD` in the note: E1); the note also
 * carries the DUT's most frequent log warnings.
 */
import type { DutKind, DutOptions } from '../harness/duts/index';
import { runPropagation, runToolsCalibration, type PropagationParams, type PropagationResult } from '../harness/propagation';
import { formatTable, ratio, type Row } from '../harness/report';

/** Options shared by the propagation scenarios. */
export interface PropagationOptions {
  duts: DutKind[];
  /** Total prefixes (split evenly across feeders). */
  prefixes?: number;
  attrSets?: number;
  fibModes: boolean[];
  holdTime: number;
  keepaliveTime: number;
  dutOptions?: DutOptions;
  /** Skip the tools-only run. */
  noCalibration?: boolean;
  log?: (line: string) => void;
}

/** A finished scenario: every result and the printable table. */
export interface PropagationReport {
  scenario: string;
  params: Omit<PropagationParams, 'fib'>;
  tools?: PropagationResult;
  results: PropagationResult[];
  table: string;
}

/** The parameters of a named scenario (overridden by the options' sizes). */
export function scenarioParams(name: 'S1' | 'S1-paths' | 'S3', o: PropagationOptions): Omit<PropagationParams, 'fib'> {
  const feeders = name === 'S3' ? 10 : 1;
  const total = o.prefixes ?? 1_000_000;
  const attrSets = o.attrSets ?? (name === 'S1-paths' ? 100_000 : 1);
  return {
    feeders, prefixesPerFeeder: Math.floor(total / feeders), attrSets: Math.max(1, Math.floor(attrSets / feeders)),
    holdTime: o.holdTime, keepaliveTime: o.keepaliveTime,
  };
}

const s = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

/** Runs a propagation scenario and builds its table. */
export async function runPropagationScenario(name: 'S1' | 'S1-paths' | 'S3', o: PropagationOptions): Promise<PropagationReport> {
  const log = o.log ?? (() => undefined);
  const params = scenarioParams(name, o);
  let tools: PropagationResult | undefined;
  if (!o.noCalibration) {
    log(`${name}: tools-only calibration`);
    tools = await runToolsCalibration({ ...params, fib: false });
  }
  const results: PropagationResult[] = [];
  for (const fib of o.fibModes) {
    for (const kind of o.duts) {
      log(`${name}: ${kind}, FIB ${fib ? 'on' : 'off'}`);
      if (fib && kind === 'openbgpd') {
        results.push({ dut: kind, version: '', fib, complete: false, expected: 0, sinkCount: 0, error: 'n/a: OpenBGPD has no Linux FIB' });
        continue;
      }
      const r = await runPropagation(kind, { ...params, fib }, o.dutOptions);
      log(`  → ${r.error ?? `t_prop ${r.tPropMs?.toFixed(0)} ms${r.tFibMs !== undefined ? `, t_fib ${r.tFibMs.toFixed(0)} ms` : ''}`}`);
      if (r.holdProblem) log(`  HOLD: ${r.holdProblem}`);
      for (const l of r.logProblems?.slice(0, 5) ?? []) log(`  log: ${l}`);
      if (r.processes && r.processes.length > 1) log(`  RSS by process: ${r.processes.map((x) => `${x.name} ${x.peakRssMb.toFixed(1)} MB`).join(', ')}`);
      results.push(r);
    }
  }
  return { scenario: name, params, tools, results, table: buildTable(results, tools) };
}

/** The scenario table: one row per (FIB mode, DUT), ratios against BIRD 2 in the same mode. */
export function buildTable(results: PropagationResult[], tools?: PropagationResult): string {
  const cols = ['DUT', 'version', 'FIB', 't_prop s', '×bird2', 't_fib s', '×bird2 ', 'RSS MB', '×bird2  ', 'CPU s', 'lag p99 ms', 'lag max ms', 'silence s', 'sink', 'fib', 'bottleneck', 'note'];
  const rows: Row[] = [];
  if (tools) {
    rows.push({
      DUT: 'tools', version: tools.version, FIB: '-', 't_prop s': s(tools.tPropMs), sink: tools.sinkCount,
      bottleneck: '-', note: tools.error ?? `feeder write ${tools.feederWriteMs?.toFixed(0)} ms, sink CPU ${tools.sinkCpuMs?.toFixed(0)} ms`,
    });
  }
  for (const r of results) {
    const b = results.find((x) => x.dut === 'bird2' && x.fib === r.fib && x.complete);
    const fibShown = r.fib && r.dut !== 'openbgpd';
    rows.push({
      DUT: r.dut, version: r.version, FIB: r.fib ? 'on' : 'off',
      't_prop s': s(r.tPropMs), '×bird2': ratio(r.tPropMs, b?.tPropMs),
      't_fib s': fibShown ? s(r.tFibMs) : 'n/a', '×bird2 ': fibShown ? ratio(r.tFibMs, b?.tFibMs) : '-',
      'RSS MB': r.peakRssMb, '×bird2  ': ratio(r.peakRssMb, b?.peakRssMb), 'CPU s': r.cpuSeconds,
      'lag p99 ms': r.dut === 'petrel' ? (r.lagP99Ms ?? 'n/a') : '-', 'lag max ms': r.dut === 'petrel' ? (r.lagMaxMs ?? 'n/a') : '-',
      'silence s': s(r.maxSilenceMs),
      sink: r.expected ? `${r.sinkCount}/${r.expected}` : '-', fib: fibShown ? `${r.fibCount ?? '?'}/${r.expected}` : '-',
      bottleneck: r.tPropMs === undefined || !tools?.tPropMs ? '-' : r.tPropMs >= 2 * tools.tPropMs ? 'DUT' : 'tools?',
      note: [
        r.error, r.holdProblem && `HOLD: ${r.holdProblem}`, r.fibMethod && !r.fibMethod.startsWith('netlink') ? r.fibMethod : undefined,
        r.logProblems?.length ? `log: ${r.logProblems.slice(0, 2).join(', ')}` : undefined,
      ].filter(Boolean).join('; '),
    });
  }
  return formatTable(cols, rows);
}
