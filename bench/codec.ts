/**
 * DOC: bench/codec (scenario M1): UPDATE decode and encode rates for 1, 10, 100 and 500 IPv4 /24 NLRI per message.
 *
 * Decoding goes from the whole message (header checks included) to compact prefix keys, as the session does on
 * receipt; encoding from a decoded UpdateMessage to an exact-size Buffer. Each case runs for about `--seconds`
 * (default 1) after a warm-up; figures are NLRI per second on one core. Targets (performance.md M1): decode ≥ 10M
 * NLRI/s and encode ≥ 5M NLRI/s at 500 NLRI per UPDATE. `--json` prints the results as JSON; `--smoke` runs
 * a tiny pass for the test suite (counts checked, no timing claims).
 */
import { decodeMessage, encodeMessage } from '../src/bgp/codec/message';
import type { CodecContext, UpdateMessage } from '../src/bgp/codec/types';
import { DEFAULT_CODEC_CONTEXT } from '../src/bgp/codec/types';
import { ipv4Key } from '../src/util/prefix';

export interface CodecBenchResult {
  nlriPerUpdate: number;
  decodeNlriPerSec: number;
  encodeNlriPerSec: number;
  messageBytes: number;
}

/** An UPDATE like the S1 feed: ORIGIN, a 3-hop AS_PATH, NEXT_HOP, MED, and `n` consecutive /24s. */
export function sampleUpdate(n: number, first = 0x0a000000): UpdateMessage {
  const keys: number[] = [];
  for (let i = 0; i < n; i++) keys.push(ipv4Key((first + i * 256) >>> 0, 24));
  return {
    type: 2,
    withdrawn: { keys: [] },
    attributes: [
      { code: 1, flags: 0x40, value: 0 },
      { code: 2, flags: 0x40, value: [{ type: 2, asns: [65001, 65100, 65200] }] },
      { code: 3, flags: 0x40, value: '10.10.1.2' },
      { code: 4, flags: 0x80, value: 100 },
    ],
    nlri: { keys },
  };
}

function timeLoop(seconds: number, body: () => number): number {
  // Warm up so the optimising compiler has run, then count work per second of wall time.
  const warmEnd = process.hrtime.bigint() + BigInt(Math.floor(seconds * 2e8));
  while (process.hrtime.bigint() < warmEnd) body();
  let work = 0;
  const start = process.hrtime.bigint();
  const stop = start + BigInt(Math.floor(seconds * 1e9));
  let now = start;
  while (now < stop) {
    for (let i = 0; i < 50; i++) work += body();
    now = process.hrtime.bigint();
  }
  return work / (Number(now - start) / 1e9);
}

export function runCodecBench(sizes: number[], seconds: number, ctx: CodecContext = DEFAULT_CODEC_CONTEXT): CodecBenchResult[] {
  const results: CodecBenchResult[] = [];
  for (const n of sizes) {
    const msg = sampleUpdate(n);
    const bytes = encodeMessage(msg, ctx);
    const check = decodeMessage(bytes, 0, bytes.length, ctx) as UpdateMessage;
    if (check.nlri.keys.length !== n) throw new Error(`decode gave ${check.nlri.keys.length} NLRI, expected ${n}`);
    let sink = 0;
    const decodeRate = timeLoop(seconds, () => {
      const m = decodeMessage(bytes, 0, bytes.length, ctx) as UpdateMessage;
      sink += m.nlri.keys.length & 1;
      return m.nlri.keys.length;
    });
    const encodeRate = timeLoop(seconds, () => {
      const b = encodeMessage(msg, ctx);
      sink += b.length & 1;
      return n;
    });
    if (sink < 0) throw new Error('unreachable');
    results.push({ nlriPerUpdate: n, decodeNlriPerSec: decodeRate, encodeNlriPerSec: encodeRate, messageBytes: bytes.length });
  }
  return results;
}

function fmt(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(0)}k`;
}

function main(): void {
  const args = process.argv.slice(2);
  const smoke = args.includes('--smoke');
  const json = args.includes('--json');
  const secIdx = args.indexOf('--seconds');
  const seconds = smoke ? 0.01 : secIdx >= 0 ? Number(args[secIdx + 1]) : 1;
  const results = runCodecBench([1, 10, 100, 500], seconds);
  if (json) {
    process.stdout.write(`${JSON.stringify({ node: process.version, results }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`bench/codec (M1), node ${process.version}, one core\n`);
  process.stdout.write('NLRI/UPDATE  bytes   decode NLRI/s   encode NLRI/s\n');
  for (const r of results) {
    process.stdout.write(`${String(r.nlriPerUpdate).padStart(11)}  ${String(r.messageBytes).padStart(5)}   ${fmt(r.decodeNlriPerSec).padStart(13)}   ${fmt(r.encodeNlriPerSec).padStart(13)}\n`);
  }
  const r500 = results.find((r) => r.nlriPerUpdate === 500);
  if (r500 && !smoke) {
    process.stdout.write(`targets at 500 NLRI: decode ≥ 10M/s: ${r500.decodeNlriPerSec >= 1e7 ? 'met' : 'MISSED'}; encode ≥ 5M/s: ${r500.encodeNlriPerSec >= 5e6 ? 'met' : 'MISSED'}\n`);
  }
}

if (require.main === module) main();
