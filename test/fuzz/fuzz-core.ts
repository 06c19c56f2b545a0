/**
 * DOC: the random-mutation fuzzer shared by the short in-suite run and `npm run fuzz`.
 *
 * Seeds are every raw message of the ExaBGP corpus plus the RFC 7606 example UPDATEs. Each iteration takes a seed,
 * applies a few random mutations (byte flips, truncation, insertion, deletion, length-field tampering), then frames,
 * decodes, validates and re-encodes it under a random session context. The only acceptable failures are typed
 * errors (BgpdError subclasses); anything else is a crash, returned with the input so it can be saved and replayed.
 * The PRNG is seeded (xorshift32) so a run is reproducible.
 */
import * as fs from 'node:fs';
import { fixturePath } from '../helpers/fixtures';
import { hex } from '../helpers/hex';
import { Framer } from '../../src/bgp/codec/framer';
import { decodeMessage, encodeMessage } from '../../src/bgp/codec/message';
import { validateUpdate } from '../../src/bgp/codec/validate';
import type { CodecContext, UpdateMessage } from '../../src/bgp/codec/types';
import { IPV4_UNICAST, IPV6_UNICAST } from '../../src/bgp/family';
import { BgpdError } from '../../src/util/errors';

export function loadSeeds(): Buffer[] {
  const seeds: Buffer[] = [];
  const root = fixturePath('exabgp', 'qa');
  for (const dir of ['encoding', 'api']) {
    for (const f of fs.readdirSync(`${root}/${dir}`)) {
      if (!f.endsWith('.ci')) continue;
      for (const line of fs.readFileSync(`${root}/${dir}/${f}`, 'utf8').split('\n')) {
        const m = /^[A-Z]?\d+:raw:(.*)$/.exec(line.trim());
        if (m) seeds.push(hex(m[1]));
      }
    }
  }
  const cases = JSON.parse(fs.readFileSync(fixturePath('rfc7606', 'cases.json'), 'utf8'));
  for (const group of Object.values<any>(cases)) {
    for (const c of group.cases) {
      for (const body of Object.values<any>(c.example_update_body ?? {})) {
        const b = hex(body.hex);
        const m = Buffer.alloc(19 + b.length, 0xff);
        m.writeUInt16BE(19 + b.length, 16);
        m[18] = 2;
        b.copy(m, 19);
        seeds.push(m);
      }
    }
  }
  return seeds;
}

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    this.s = x;
    return x;
  }
  below(n: number): number {
    return this.next() % n;
  }
}

export function mutate(seed: Buffer, rng: Rng): Buffer {
  let b = Buffer.from(seed);
  const rounds = 1 + rng.below(4);
  for (let i = 0; i < rounds; i++) {
    switch (rng.below(6)) {
      case 0: // flip a random byte in the body (keep the marker most of the time so the decoder is reached)
        if (b.length > 19) b[19 + rng.below(b.length - 19)] = rng.below(256);
        break;
      case 1: // truncate, fixing the header length so the framer hands it over
        if (b.length > 19) {
          b = b.subarray(0, 19 + rng.below(b.length - 18));
          b.writeUInt16BE(b.length, 16);
        }
        break;
      case 2: { // insert random bytes
        const at = 19 + rng.below(Math.max(1, b.length - 18));
        const ins = Buffer.alloc(1 + rng.below(8));
        for (let j = 0; j < ins.length; j++) ins[j] = rng.below(256);
        b = Buffer.concat([b.subarray(0, at), ins, b.subarray(at)]);
        b.writeUInt16BE(Math.min(b.length, 65535), 16);
        break;
      }
      case 3: // tamper with an inner length: a random 16-bit word set to a random value
        if (b.length > 21) b.writeUInt16BE(rng.below(65536), 19 + rng.below(b.length - 20));
        break;
      case 4: // any byte anywhere, header included
        b[rng.below(b.length)] = rng.below(256);
        break;
      case 5: // small integer nudge (off-by-one lengths)
        if (b.length > 19) {
          const at = 19 + rng.below(b.length - 19);
          b[at] = (b[at] + (rng.below(2) ? 1 : 255)) & 255;
        }
        break;
    }
  }
  return b;
}

const CONTEXTS: CodecContext[] = [
  { as4: true, addPath: new Set(), extendedMessage: false },
  { as4: false, addPath: new Set(), extendedMessage: false },
  { as4: true, addPath: new Set([IPV4_UNICAST, IPV6_UNICAST]), extendedMessage: true },
];

/** Runs one input through the whole codec; returns the unexpected error, or undefined when only typed errors (or none) occurred. */
export function exercise(input: Buffer, rng: Rng): unknown {
  const ctx = CONTEXTS[rng.below(CONTEXTS.length)];
  try {
    const framer = new Framer(ctx.extendedMessage ? 65535 : 4096);
    framer.push(input, (buf, start, end) => {
      try {
        const msg = decodeMessage(buf, start, end, ctx);
        if (msg.type === 2) {
          const v = validateUpdate(msg as UpdateMessage, { ibgp: rng.below(2) === 0, localAs: 65000, peerAs: 65001, as4: ctx.as4 });
          if (!v.notification && !(msg as UpdateMessage).problems) encodeMessage(msg, ctx);
        } else {
          encodeMessage(msg, ctx);
        }
      } catch (e) {
        if (!(e instanceof BgpdError)) throw e;
      }
    });
  } catch (e) {
    if (!(e instanceof BgpdError)) return e;
  }
  return undefined;
}

export interface FuzzResult {
  iterations: number;
  crashes: { input: Buffer; error: unknown }[];
}

export function fuzz(iterations: number, seed: number, seeds = loadSeeds()): FuzzResult {
  const rng = new Rng(seed);
  const crashes: { input: Buffer; error: unknown }[] = [];
  for (let i = 0; i < iterations; i++) {
    const input = mutate(seeds[rng.below(seeds.length)], rng);
    const err = exercise(input, rng);
    if (err !== undefined) crashes.push({ input, error: err });
  }
  return { iterations, crashes };
}
