/**
 * DOC: a quick throughput check of the UPDATE/NLRI codec (not the real benchmark, which is bench/codec).
 *
 * Decodes and encodes a 500-prefix IPv4 /24 UPDATE in a loop and prints NLRI per second for each direction.
 * Run: `node dist/bench/codec-quick.js`.
 */
import { decodeUpdate, encodeUpdate, encodeUpdateBody } from '../src/bgp/codec/update';
import { MsgType } from '../src/bgp/constants';
import type { CodecContext, UpdateMessage } from '../src/bgp/codec/types';
import { BufWriter } from '../src/util/writer';

const CTX: CodecContext = { as4: true, addPath: new Set(), extendedMessage: true };
const keys: number[] = [];
for (let i = 0; i < 500; i++) keys.push(((10 << 24) | (i << 8)) * 64 + 24);
const msg: UpdateMessage = {
  type: MsgType.Update,
  withdrawn: { keys: [] },
  attributes: [
    { code: 1, flags: 0x40, value: 0 },
    { code: 2, flags: 0x40, value: [{ type: 2, asns: [65001, 65002] }] },
    { code: 3, flags: 0x40, value: '192.0.2.1' },
  ],
  nlri: { keys },
};
const wire = encodeUpdate(msg, CTX);

function rate(label: string, fn: () => void, nlriPerCall: number): void {
  for (let i = 0; i < 2000; i++) fn();
  const rounds = 20000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) fn();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${label}: ${((rounds * nlriPerCall) / secs / 1e6).toFixed(1)}M NLRI/s (${((secs / rounds) * 1e6).toFixed(2)} us per UPDATE)`);
}

let sink = 0;
rate('decode UPDATE (500 x /24)', () => { sink += decodeUpdate(wire, 19, wire.length, CTX).nlri.keys[499] as number; }, 500);
if (sink === 0) throw new Error('decoded nothing');
const w = new BufWriter(8192);
rate('encode UPDATE body (500 x /24)', () => { w.reset(); encodeUpdateBody(w, msg, CTX); }, 500);
rate('encodeUpdate exact-size Buffer', () => { encodeUpdate(msg, CTX); }, 500);
