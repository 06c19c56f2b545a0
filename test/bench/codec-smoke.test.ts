/**
 * Smoke run of bench/codec: the harness runs, decodes exactly the NLRI it encoded, and reports positive rates.
 * Timing targets are checked by the benchmark itself (npm run bench), never here.
 */
import t from 'tap';
import { runCodecBench, sampleUpdate } from '../../bench/codec';
import { decodeMessage, encodeMessage } from '../../src/bgp/codec/message';
import { DEFAULT_CODEC_CONTEXT, type UpdateMessage } from '../../src/bgp/codec/types';

t.test('bench/codec smoke run', (t) => {
  const results = runCodecBench([1, 10, 100, 500], 0.005);
  t.same(results.map((r) => r.nlriPerUpdate), [1, 10, 100, 500], 'every size measured');
  for (const r of results) {
    t.ok(r.decodeNlriPerSec > 0 && r.encodeNlriPerSec > 0, `${r.nlriPerUpdate} NLRI: rates reported`);
  }
  t.equal(results[3].messageBytes, 19 + 4 + 3 + 4 + 7 + 14 + 7 + 2000, '500 /24s fit one 4096-octet UPDATE');
  t.end();
});

t.test('the benchmark feed decodes to the prefixes it was built from', (t) => {
  const msg = sampleUpdate(500);
  const bytes = encodeMessage(msg, DEFAULT_CODEC_CONTEXT);
  const back = decodeMessage(bytes, 0, bytes.length, DEFAULT_CODEC_CONTEXT) as UpdateMessage;
  t.same(back.nlri.keys, msg.nlri.keys, 'same keys in the same order');
  t.end();
});
