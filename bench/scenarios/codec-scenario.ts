/**
 * DOC: scenario M1 (performance.md): UPDATE decode/encode rates on one core, from bench/codec.ts's
 * `runCodecBench`, as a harness table. Petrel only (the peer daemons' codecs cannot be driven in isolation).
 * Target: decode ≥ 10M NLRI/s at 500 NLRI per UPDATE.
 */
import { runCodecBench, type CodecBenchResult } from '../codec';
import { formatTable } from '../harness/report';

/** M1's results and table. */
export interface CodecReport {
  scenario: 'M1';
  results: CodecBenchResult[];
  /** Decode at 500 NLRI per UPDATE meets 10M NLRI/s. */
  targetMet: boolean;
  table: string;
}

/** Runs M1; `seconds` per case (default 1). */
export function runCodecScenario(o: { seconds?: number; sizes?: number[] }): CodecReport {
  const results = runCodecBench(o.sizes ?? [1, 10, 100, 500], o.seconds ?? 1);
  const r500 = results.find((r) => r.nlriPerUpdate === 500);
  const table = formatTable(
    ['NLRI/UPDATE', 'bytes', 'decode M NLRI/s', 'encode M NLRI/s'],
    results.map((r) => ({
      'NLRI/UPDATE': String(r.nlriPerUpdate), bytes: String(r.messageBytes),
      'decode M NLRI/s': r.decodeNlriPerSec / 1e6, 'encode M NLRI/s': r.encodeNlriPerSec / 1e6,
    })),
  );
  const targetMet = (r500?.decodeNlriPerSec ?? 0) >= 1e7;
  return { scenario: 'M1', results, targetMet, table: `${table}\ntarget decode ≥ 10M NLRI/s at 500 NLRI: ${r500 ? (targetMet ? 'met' : 'MISSED') : 'not measured'}` };
}
