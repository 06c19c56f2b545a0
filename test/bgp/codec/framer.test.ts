/**
 * Framer (pg-protocol style split-chunk tests): every fixture split at every point, several messages in one chunk,
 * one octet at a time, no copy for messages inside a chunk, header errors before the body arrives, max length.
 */
import t from 'tap';
import { hex, toHex } from '../../helpers/hex';
import { NON_UPDATE_FIXTURES } from '../../fixtures/messages/non-update';
import { Framer } from '../../../src/bgp/codec/framer';
import { NotificationError } from '../../../src/bgp/errors';

interface Got {
  hex: string;
  type: number;
}

function collect(framer: Framer, chunks: Buffer[]): Got[] {
  const out: Got[] = [];
  for (const c of chunks) framer.push(c, (buf, start, end, type) => out.push({ hex: toHex(buf.subarray(start, end)), type }));
  return out;
}

const messages = NON_UPDATE_FIXTURES.map((f) => hex(f.hex));
const expected = messages.map((m) => ({ hex: toHex(m), type: m[18] }));

t.test('every fixture split in two at every point', async (t) => {
  let checked = 0;
  for (const m of messages) {
    for (let i = 1; i < m.length; i++) {
      const f = new Framer();
      const got = collect(f, [m.subarray(0, i)]);
      if (got.length !== 0 || f.pendingBytes !== i) t.fail(`split ${i}: early delivery or wrong pendingBytes`);
      const rest = collect(f, [m.subarray(i)]);
      if (rest.length !== 1 || rest[0].hex !== toHex(m) || rest[0].type !== m[18] || f.pendingBytes !== 0) t.fail(`split ${i} of ${toHex(m)}`);
      checked++;
    }
  }
  t.equal(checked, messages.reduce((n, m) => n + m.length - 1, 0));
});

t.test('all fixtures in one chunk, then the stream split at every point', async (t) => {
  const stream = Buffer.concat(messages);
  t.strictSame(collect(new Framer(), [stream]), expected);
  for (let i = 1; i < stream.length; i++) {
    const got = collect(new Framer(), [stream.subarray(0, i), stream.subarray(i)]);
    if (got.length !== expected.length || got.some((g, k) => g.hex !== expected[k].hex)) t.fail(`split at ${i}`);
  }
  t.strictSame(collect(new Framer(), [...stream].map((b) => Buffer.from([b]))), expected, 'one octet at a time');
  t.strictSame(collect(new Framer(), [stream.subarray(0, 5), stream.subarray(5, 40), stream.subarray(40, 41), stream.subarray(41)]), expected);
});

t.test('a message within one chunk is a view of the chunk, not a copy', async (t) => {
  const chunk = Buffer.concat([messages[0], messages[messages.length - 1], messages[1].subarray(0, 30)]);
  const seen: [Buffer, number, number][] = [];
  const f = new Framer();
  f.push(chunk, (buf, start, end) => seen.push([buf, start, end]));
  t.equal(seen.length, 2);
  t.equal(seen[0][0], chunk);
  t.strictSame([seen[0][1], seen[0][2]], [0, messages[0].length]);
  t.equal(seen[1][0], chunk);
  t.strictSame([seen[1][1], seen[1][2]], [messages[0].length, messages[0].length + 19]);
  t.equal(f.pendingBytes, 30);
  // The spanning message gets its own exact-size buffer, and the framer never rewrites what it handed out.
  const tail = Buffer.concat([messages[1].subarray(30), messages[2]]);
  f.push(tail, (buf, start, end) => seen.push([buf, start, end]));
  t.equal(seen.length, 4);
  t.not(seen[2][0], tail);
  t.strictSame([seen[2][1], seen[2][2], seen[2][0].length], [0, messages[1].length, messages[1].length]);
  t.equal(toHex(seen[2][0]), toHex(messages[1]));
  t.equal(seen[3][0], tail, 'the next message in the chunk is a view again');
  f.push(messages[0].subarray(0, 25), () => {});
  f.push(messages[0].subarray(25), () => {});
  t.equal(toHex(seen[2][0]), toHex(messages[1]), 'still intact after later chunks');
});

function headerFailure(f: Framer, chunks: Buffer[]): string {
  try {
    collect(f, chunks);
  } catch (err) {
    if (err instanceof NotificationError) return `${err.errorCode}/${err.errorSubcode} ${toHex(err.data)}`;
    throw err;
  }
  return 'ok';
}

t.test('header errors are thrown as soon as the header is complete', async (t) => {
  const M = 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF';
  t.equal(headerFailure(new Framer(), [hex(`${M}100102`)]), '1/2 1001', 'oversized UPDATE, body not yet here');
  t.equal(headerFailure(new Framer(), [hex(`${M}10`), hex('0102')]), '1/2 1001', 'header split across chunks');
  t.equal(headerFailure(new Framer(), [hex(`${M}001304${M}001307`)]), '1/3 07', 'second message in the chunk');
  t.equal(headerFailure(new Framer(), [hex(`${M}0013`), hex(`04${M}00`), hex('1404')]), '1/2 0014');
  t.equal(headerFailure(new Framer(), [hex('FFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00001304')]), '1/1 ');
  t.equal(headerFailure(new Framer(), [hex(`${M}0015`)]), 'ok', 'an incomplete header waits');
});

t.test('setMaxLength allows extended messages, not extended OPENs', async (t) => {
  const M = 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF';
  const big = Buffer.alloc(5000, 0);
  hex(`${M}138802`).copy(big);
  const f = new Framer();
  t.equal(headerFailure(f, [big]), '1/2 1388');
  const g = new Framer();
  g.setMaxLength(65535);
  const got = collect(g, [big.subarray(0, 3000), big.subarray(3000)]);
  t.equal(got.length, 1);
  t.equal(got[0].hex.length, 10000);
  const open = Buffer.alloc(5000, 0);
  hex(`${M}138801`).copy(open);
  t.equal(headerFailure(new Framer(65535), [open]), '1/2 1388');
});

t.test('the limit can change between two messages of one chunk', async (t) => {
  const M = 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF';
  const big = Buffer.alloc(4200, 0);
  hex(`${M}106802`).copy(big);
  const f = new Framer();
  const types: number[] = [];
  f.push(Buffer.concat([hex(`${M}001304`), big]), (_b, _s, _e, type) => {
    types.push(type);
    if (type === 4) f.setMaxLength(65535);
  });
  t.strictSame(types, [4, 2]);
});
