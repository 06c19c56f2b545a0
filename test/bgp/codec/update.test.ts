/**
 * UPDATE codec: (object, bytes) fixtures in both directions, ADD-PATH, IPv6 MP_REACH with a link-local next hop,
 * End-of-RIB in both forms, framing errors, duplicates, and truncation/mutation at every length of a valid UPDATE
 * placed inside a larger buffer (only NotificationError or problems, never another exception, never a read past end).
 */
import t from 'tap';
import { hex, toHex } from '../../helpers/hex';
import { decodeUpdate, encodeUpdate, encodeUpdateBody } from '../../../src/bgp/codec/update';
import { validateUpdate } from '../../../src/bgp/codec/validate';
import { endOfRibFamily, endOfRibUpdate } from '../../../src/bgp/codec/end-of-rib';
import type { CodecContext, UpdateMessage } from '../../../src/bgp/codec/types';
import { NotificationError, UpdateErrorAction } from '../../../src/bgp/errors';
import { family, IPV4_UNICAST, IPV6_UNICAST } from '../../../src/bgp/family';
import { BugError } from '../../../src/util/errors';
import { formatPrefixKey, parsePrefix } from '../../../src/util/prefix';
import { BufWriter } from '../../../src/util/writer';

const CTX: CodecContext = { as4: true, addPath: new Set(), extendedMessage: false };
const ADDPATH: CodecContext = { as4: true, addPath: new Set([IPV4_UNICAST, IPV6_UNICAST]), extendedMessage: false };
const P = (s: string) => parsePrefix(s)!;

function decodeEmbedded(body: Buffer, ctx: CodecContext, fill = 0xff): UpdateMessage {
  const buf = Buffer.concat([Buffer.alloc(3, fill), body, Buffer.alloc(40, fill)]);
  return decodeUpdate(buf, 3, 3 + body.length, ctx);
}
function bodyOf(msg: UpdateMessage, ctx: CodecContext): string {
  const w = new BufWriter(16);
  encodeUpdateBody(w, msg, ctx);
  return toHex(w.finish());
}
function notificationOf(fn: () => unknown): [number, number] | string {
  try {
    fn();
    return 'no error';
  } catch (e) {
    return e instanceof NotificationError ? [e.errorCode, e.errorSubcode] : `other: ${String(e)}`;
  }
}

const V4_BODY = hex(`
  0007 18 0a0901 10 0a08
  0026 40010100 4002 0a 0202 0000fde9 0000fdea 400304c0000201 800404 00000064 c00804 fde90001
  18 0a0102 20 0a010203 00`);
const V4_MSG: UpdateMessage = {
  type: 2,
  withdrawn: { keys: [P('10.9.1.0/24'), P('10.8.0.0/16')] },
  attributes: [
    { code: 1, flags: 0x40, value: 0 },
    { code: 2, flags: 0x40, value: [{ type: 2, asns: [65001, 65002] }] },
    { code: 3, flags: 0x40, value: '192.0.2.1' },
    { code: 4, flags: 0x80, value: 100 },
    { code: 8, flags: 0xc0, value: [0xfde90001] },
  ],
  nlri: { keys: [P('10.1.2.0/24'), P('10.1.2.3/32'), P('0.0.0.0/0')] },
};

t.test('IPv4 UPDATE both directions', async (t) => {
  const msg = decodeEmbedded(V4_BODY, CTX);
  t.same(msg, V4_MSG);
  t.equal(msg.problems, undefined);
  t.equal(bodyOf(msg, CTX), toHex(V4_BODY));
  t.same(decodeEmbedded(hex(bodyOf(V4_MSG, CTX)), CTX), V4_MSG);
  const whole = encodeUpdate(V4_MSG, CTX);
  t.equal(toHex(whole.subarray(0, 19)), 'F'.repeat(32) + (19 + V4_BODY.length).toString(16).toUpperCase().padStart(4, '0') + '02');
  t.equal(toHex(whole.subarray(19)), toHex(V4_BODY));
});

t.test('IPv4 ADD-PATH UPDATE', async (t) => {
  const body = hex('0008 00000003 18 0a0901  0000 00000001 18 0a0102 00000002 18 0a0102');
  const msg = decodeEmbedded(body, ADDPATH);
  t.same(msg.withdrawn, { keys: [P('10.9.1.0/24')], pathIds: [3] });
  t.same(msg.nlri, { keys: [P('10.1.2.0/24'), P('10.1.2.0/24')], pathIds: [1, 2] });
  t.equal(bodyOf(msg, ADDPATH), toHex(body));
  // A path identifier cut short is an unparsable NLRI field: 3/10.
  t.same(notificationOf(() => decodeEmbedded(hex('0000 0000 000000'), ADDPATH)), [3, 10]);
});

t.test('IPv6 UPDATE with MP_REACH (global + link-local) and MP_UNREACH', async (t) => {
  const body = hex(`0000 004b
    900f 0008 0002 01 20 20010db9
    40010100 400200
    800e 35 0002 01 20 20010db8000000000000000000000001 fe800000000000000000000000000001 00 30 20010db80001 40 20010db800020000`);
  const msg = decodeEmbedded(body, CTX);
  t.same(msg.attributes.map((a) => a.code), [15, 1, 2, 14]);
  const reach = msg.attributes[3].value as { nextHops: string[]; nlri: { keys: string[] } };
  t.same(reach.nextHops, ['2001:db8::1', 'fe80::1']);
  t.same(reach.nlri.keys.map(formatPrefixKey), ['2001:db8:1::/48', '2001:db8:2::/64']);
  t.same((msg.attributes[0].value as { nlri: { keys: string[] } }).nlri.keys.map(formatPrefixKey), ['2001:db9::/32']);
  t.equal(bodyOf(msg, CTX), toHex(body));
  t.same(decodeEmbedded(hex(bodyOf(msg, CTX)), CTX), msg);
  const v = validateUpdate(msg, { ibgp: true, localAs: 65000, peerAs: 65000, as4: true });
  t.equal(v.action, UpdateErrorAction.None, 'no NEXT_HOP needed without IPv4 NLRI');
});

t.test('End-of-RIB in both forms', async (t) => {
  const v4 = decodeEmbedded(hex('00000000'), CTX);
  t.equal(endOfRibFamily(v4), IPV4_UNICAST);
  t.equal(bodyOf(endOfRibUpdate(IPV4_UNICAST), CTX), '00000000');
  const v6 = decodeEmbedded(hex('0000 0006 800f03 000201'), CTX);
  t.equal(endOfRibFamily(v6), IPV6_UNICAST);
  t.equal(bodyOf(endOfRibUpdate(IPV6_UNICAST), CTX), '00000006800F03000201');
  t.equal(endOfRibFamily(decodeEmbedded(hex('0000 0006 800f03 000201'), ADDPATH)), IPV6_UNICAST);
  const flow = family(1, 133);
  t.equal(bodyOf(endOfRibUpdate(flow), CTX), '00000006800F03000185');
  t.equal(endOfRibFamily(decodeEmbedded(hex('0000 0006 800f03 000185'), CTX)), flow);
  // Not End-of-RIB: a withdrawal, an attribute besides MP_UNREACH, an IPv4 withdrawal.
  t.equal(endOfRibFamily(decodeEmbedded(hex('0000 0008 800f05 000201 0820'), CTX)), undefined);
  t.equal(endOfRibFamily(decodeEmbedded(hex('0000 000a 800f03 000201 40010100'), CTX)), undefined);
  t.equal(endOfRibFamily(decodeEmbedded(hex('0002 080a 0000'), CTX)), undefined);
  t.equal(endOfRibFamily(V4_MSG), undefined);
});

t.test('lengths that hide the NLRI reset the session with 3/1', async (t) => {
  t.same(notificationOf(() => decodeEmbedded(hex('00'), CTX)), [3, 1]);
  t.same(notificationOf(() => decodeEmbedded(hex('0003 0000'), CTX)), [3, 1]);
  t.same(notificationOf(() => decodeEmbedded(hex('0000 0005 40010100'), CTX)), [3, 1]);
  t.same(notificationOf(() => decodeEmbedded(hex('0000 0000 21 0a000000 00'), CTX)), [3, 10]);
  t.same(notificationOf(() => decodeEmbedded(hex('0002 2100 0000'), CTX)), [3, 10]);
});

t.test('attribute overrun or cut header: treat-as-withdraw, NLRI still located', async (t) => {
  const over = decodeEmbedded(hex('0000 0008 40010100 400205 02 18 0a0102'), CTX);
  t.same(over.nlri.keys.map(formatPrefixKey), ['10.1.2.0/24']);
  t.same(over.problems!.map((p) => [p.code, p.kind, p.action, toHex(p.data)]), [[2, 'length', UpdateErrorAction.TreatAsWithdraw, '40020502']]);
  const cut = decodeEmbedded(hex('0000 0006 40010100 4002 18 0a0102'), CTX);
  t.same(cut.problems!.map((p) => [p.code, p.kind, p.action]), [[0, 'structure', UpdateErrorAction.TreatAsWithdraw]]);
  t.same(cut.attributes, [{ code: 1, flags: 0x40, value: 0 }]);
  // An MP attribute cut short cannot be withdrawn: session reset.
  t.same(notificationOf(() => decodeEmbedded(hex('0000 0006 800e10 000201'), CTX)), [3, 1]);
});

t.test('duplicates: first kept, MP duplicates reset; unknown well-known resets with 3/2', async (t) => {
  const dup = decodeEmbedded(hex('0000 0008 40010100 40010102'), CTX);
  t.same(dup.attributes, [{ code: 1, flags: 0x40, value: 0 }]);
  t.same(dup.problems!.map((p) => [p.code, p.kind, p.action, toHex(p.data)]), [[1, 'duplicate', UpdateErrorAction.AttrDiscard, '40010102']]);
  const vctx = { ibgp: true, localAs: 65000, peerAs: 65000, as4: true };
  const v = validateUpdate(dup, vctx);
  t.equal(v.action, UpdateErrorAction.AttrDiscard);
  t.same(v.attributes, [{ code: 1, flags: 0x40, value: 0 }]);

  const mp = validateUpdate(decodeEmbedded(hex('0000 000c 800f03000201 800f03000201'), CTX), vctx);
  t.equal(mp.action, UpdateErrorAction.SessionReset);
  t.same([mp.notification!.errorCode, mp.notification!.errorSubcode, toHex(mp.notification!.data)], [3, 1, '800F03000201']);

  const wk = validateUpdate(decodeEmbedded(hex('0000 0004 40c80100'), CTX), vctx);
  t.same([wk.action, wk.notification!.errorSubcode, toHex(wk.notification!.data)], [UpdateErrorAction.SessionReset, 2, '40C80100']);
});

t.test('encodeUpdate refuses a message over the negotiated maximum', async (t) => {
  const keys: number[] = [];
  for (let i = 0; i < 1100; i++) keys.push(P(`10.${i >> 8}.${i & 255}.0/24`) as number);
  const big: UpdateMessage = { ...V4_MSG, nlri: { keys } };
  t.throws(() => encodeUpdate(big, CTX), BugError);
  const ok = encodeUpdate(big, { ...CTX, extendedMessage: true });
  t.equal(ok.readUInt16BE(16), ok.length);
  t.same(decodeUpdate(ok, 19, ok.length, CTX).nlri.keys, keys);
  t.equal(encodeUpdate(V4_MSG, CTX).length, 19 + V4_BODY.length, 'the shared writer is usable after a refusal');
});

/** A rich valid body: withdrawn, many attributes incl. MP_REACH/MP_UNREACH, NLRI. */
const RICH = hex(`0004 18 0a0901 009a
  40010100 4002 0a 0202 0000fde9 0000fdea 400304c0000201 800404 00000064 40050400000064
  c00804 fde90001 c00708 0000fde9 0a000001 c01008 0002fde900000064 c0200c 0000fde9 00000001 00000002
  800f 08 0002 01 20 20010db9
  800e 35 0002 01 20 20010db8000000000000000000000001 fe800000000000000000000000000001 00 30 20010db80001 40 20010db800020000
  c0fe 02 abcd
  18 0a0102 20 0a010203`);

t.test('the rich fixture is valid', async (t) => {
  const msg = decodeEmbedded(RICH, CTX);
  t.equal(msg.problems, undefined);
  t.equal(msg.attributes.length, 12);
  t.equal(bodyOf(msg, CTX), toHex(RICH));
});

t.test('truncation at every length: only NotificationError or problems, same result whatever follows end', async (t) => {
  let threw = 0, problems = 0, clean = 0;
  for (let len = 0; len < RICH.length; len++) {
    const body = RICH.subarray(0, len);
    const a = outcome(() => decodeEmbedded(body, CTX, 0x00));
    const b = outcome(() => decodeEmbedded(body, CTX, 0xff));
    t.same(a, b, `length ${len}: the octets after end do not matter`);
    if (typeof a === 'string') t.fail(`length ${len}: ${a}`);
    else if (Array.isArray(a)) threw++;
    else if (a.problems) problems++;
    else clean++;
  }
  t.equal(threw + problems + clean, RICH.length);
  // Cutting the message leaves the total attribute length pointing past the end (3/1); inside the NLRI field only
  // the two prefix boundaries decode, other cuts are 3/10.
  t.same([threw, problems, clean], [RICH.length - 2, 0, 2]);
});

t.test('truncating the attribute block at every length (lengths patched): problems or an MP reset', async (t) => {
  const attrs = RICH.subarray(8, 8 + 0x9a);
  const nlri = RICH.subarray(8 + 0x9a);
  const counts = { reset: 0, withdraw: 0, clean: 0 };
  for (let cut = 0; cut <= attrs.length; cut++) {
    const len = Buffer.from([cut >> 8, cut & 255]);
    const body = Buffer.concat([RICH.subarray(0, 6), len, attrs.subarray(0, cut), nlri]);
    const a = outcome(() => decodeEmbedded(body, CTX, 0x00));
    t.same(a, outcome(() => decodeEmbedded(body, CTX, 0xff)), `cut ${cut}: the octets after end do not matter`);
    if (typeof a === 'string') t.fail(`cut ${cut}: ${a}`);
    else if (Array.isArray(a)) counts.reset++;
    else if (a.problems) {
      t.same(a.nlri.keys.map(formatPrefixKey), ['10.1.2.0/24', '10.1.2.3/32'], `cut ${cut}: NLRI located`);
      t.equal(validateUpdate(a, { ibgp: true, localAs: 65000, peerAs: 65000, as4: true }).action, UpdateErrorAction.TreatAsWithdraw, `cut ${cut}`);
      counts.withdraw++;
    } else counts.clean++;
  }
  // A cut past the header of MP_UNREACH (11 octets) or MP_REACH (56) resets (8 + 53 cuts); a cut header is
  // treat-as-withdraw; the empty block and the 12 attribute boundaries decode cleanly.
  t.same(counts, { reset: 8 + 53, withdraw: attrs.length + 1 - 13 - 61, clean: 13 });
});

t.test('mutations of every octet: only NotificationError or problems', async (t) => {
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  let bad = 0;
  for (let i = 0; i < RICH.length; i++) {
    for (const v of [0x00, 0xff, rnd(), rnd()]) {
      const body = Buffer.from(RICH);
      body[i] = v;
      for (const ctx of [CTX, ADDPATH, { ...CTX, as4: false }]) {
        const r = outcome(() => {
          const m = decodeEmbedded(body, ctx);
          validateUpdate(m, { ibgp: false, localAs: 65000, peerAs: 65001, as4: ctx.as4 });
          return m;
        });
        if (typeof r === 'string') {
          bad++;
          t.fail(`octet ${i} = ${v}: ${r}`);
        }
      }
    }
  }
  t.equal(bad, 0);
});

function outcome(fn: () => UpdateMessage): UpdateMessage | [number, number, string] | string {
  try {
    return fn();
  } catch (e) {
    if (e instanceof NotificationError) return [e.errorCode, e.errorSubcode, toHex(e.data)];
    return `unexpected ${String(e)}`;
  }
}
