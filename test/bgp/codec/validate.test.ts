/**
 * validateUpdate and RFC 6793: the AS4_PATH/AS4_AGGREGATOR merge on 2-octet sessions, eBGP AS_PATH checks,
 * missing mandatory attributes, eBGP discards, and the strongest outcome winning.
 */
import t from 'tap';
import { hex, toHex } from '../../helpers/hex';
import { decodeUpdate, encodeUpdateBody } from '../../../src/bgp/codec/update';
import { validateUpdate, type ValidationContext } from '../../../src/bgp/codec/validate';
import { mergeAs4Path, toTwoOctetAttributes, asPathCount } from '../../../src/bgp/codec/as4';
import type { CodecContext, PathAttribute, UpdateMessage } from '../../../src/bgp/codec/types';
import { UpdateErrorAction } from '../../../src/bgp/errors';
import { parsePrefix } from '../../../src/util/prefix';
import { BufWriter } from '../../../src/util/writer';

const AS4: CodecContext = { as4: true, addPath: new Set(), extendedMessage: false };
const AS2: CodecContext = { as4: false, addPath: new Set(), extendedMessage: false };
const EBGP: ValidationContext = { ibgp: false, localAs: 65000, peerAs: 65001, as4: true };
const EBGP2: ValidationContext = { ...EBGP, as4: false };
const IBGP: ValidationContext = { ibgp: true, localAs: 65000, peerAs: 65000, as4: true };

const ORIGIN: PathAttribute = { code: 1, flags: 0x40, value: 0 };
const NH: PathAttribute = { code: 3, flags: 0x40, value: '192.0.2.1' };
const path = (...segs: [number, number[]][]): PathAttribute => ({ code: 2, flags: 0x40, value: segs.map(([type, asns]) => ({ type, asns })) });

/** Encodes attributes + one /24 with `ctx` and decodes them back, as the wire would deliver them. */
function wire(attrs: PathAttribute[], ctx: CodecContext, nlri = true): UpdateMessage {
  const w = new BufWriter(64);
  encodeUpdateBody(w, { type: 2, withdrawn: { keys: [] }, attributes: attrs, nlri: { keys: nlri ? [parsePrefix('10.1.2.0/24')!] : [] } }, ctx);
  const body = w.finish();
  return decodeUpdate(body, 0, body.length, ctx);
}

t.test('RFC 6793 §4.2.3 merge on a 2-octet session (bytes from an OLD speaker)', async (t) => {
  // AS_PATH [65001 23456 23456], AS4_PATH [4200000000 4200000001], AGGREGATOR AS_TRANS + AS4_AGGREGATOR.
  const body = hex(`0000 0037 40010100 4002 08 0203 fde9 5ba0 5ba0 400304c0000201
    c00706 5ba0 0a000001 c0110a 0202 fa56ea00 fa56ea01 c01208 fa56ea00 0a000001 18 0a0102`);
  const msg = decodeUpdate(body, 0, body.length, AS2);
  t.equal(msg.problems, undefined);
  const v = validateUpdate(msg, EBGP2);
  t.equal(v.action, UpdateErrorAction.None);
  t.same(v.attributes, [
    ORIGIN,
    path([2, [65001, 4200000000, 4200000001]]),
    NH,
    { code: 7, flags: 0xc0, value: { asn: 4200000000, address: '10.0.0.1' } },
  ]);
});

t.test('RFC 6793 §4.2.3: AGGREGATOR not AS_TRANS, or AS_PATH shorter than AS4_PATH, ignores AS4_PATH', async (t) => {
  const as4path: PathAttribute = { code: 17, flags: 0xc0, value: [{ type: 2, asns: [4200000000, 4200000001] }] };
  const aggr: PathAttribute = { code: 7, flags: 0xc0, value: { asn: 65005, address: '10.0.0.1' } };
  const a = validateUpdate(wire([ORIGIN, path([2, [65001, 23456, 23456]]), NH, aggr, as4path], AS2), EBGP2);
  t.same(a.attributes, [ORIGIN, path([2, [65001, 23456, 23456]]), NH, aggr]);
  const b = validateUpdate(wire([ORIGIN, path([2, [65001]]), NH, as4path], AS2), EBGP2);
  t.same(b.attributes, [ORIGIN, path([2, [65001]]), NH]);
});

t.test('mergeAs4Path keeps leading confed segments and counts AS_SET as one', async (t) => {
  t.same(mergeAs4Path([{ type: 3, asns: [64512] }, { type: 2, asns: [65001, 23456] }, { type: 1, asns: [23456, 7] }],
    [{ type: 2, asns: [4200000000] }, { type: 1, asns: [4200000001, 7] }]),
  [{ type: 3, asns: [64512] }, { type: 2, asns: [65001, 4200000000] }, { type: 1, asns: [4200000001, 7] }]);
  t.equal(asPathCount([{ type: 2, asns: [1, 2] }, { type: 1, asns: [3, 4, 5] }, { type: 4, asns: [6] }]), 3);
});

t.test('4-octet session: AS4_PATH and AS4_AGGREGATOR are dropped without error', async (t) => {
  const v = validateUpdate(wire([ORIGIN, path([2, [65001]]), NH, { code: 17, flags: 0xc0, value: [{ type: 2, asns: [9] }] }], AS4), EBGP);
  t.equal(v.action, UpdateErrorAction.None);
  t.same(v.attributes, [ORIGIN, path([2, [65001]]), NH]);
});

t.test('toTwoOctetAttributes then the OLD-speaker wire then the merge restores the path', async (t) => {
  const attrs = [ORIGIN, path([3, [64512]], [2, [65001, 4200000000]]), NH, { code: 7, flags: 0xc0, value: { asn: 4200000000, address: '10.0.0.1' } }];
  const old = toTwoOctetAttributes(attrs);
  t.same(old.map((a) => a.code), [1, 2, 17, 3, 7, 18]);
  t.same(old[1].value, [{ type: 3, asns: [64512] }, { type: 2, asns: [65001, 23456] }]);
  t.same(old[2].value, [{ type: 2, asns: [65001, 4200000000] }], 'no confed segments in AS4_PATH');
  const v = validateUpdate(wire(old, AS2), { ...EBGP2, confedPeer: true });
  t.equal(v.action, UpdateErrorAction.None);
  t.same(v.attributes, attrs);
  const plain = [ORIGIN, path([2, [65001]])];
  t.equal(toTwoOctetAttributes(plain)[1], plain[1], 'unchanged when every ASN fits in 2 octets');
});

t.test('eBGP AS_PATH checks (RFC 4271 §6.3, RFC 5065, RFC 7606 §7.2)', async (t) => {
  const run = (p: PathAttribute, vctx: ValidationContext) => {
    const v = validateUpdate(wire([ORIGIN, p, NH], AS4), vctx);
    return [v.action, v.problems.map((x) => [x.code, x.kind, x.subcode])];
  };
  const bad = [UpdateErrorAction.TreatAsWithdraw, [[2, 'value', 11]]];
  t.same(run(path([2, [65001, 7]]), EBGP), [UpdateErrorAction.None, []]);
  t.same(run(path([2, [65002]]), EBGP), bad, 'leftmost AS is not the peer');
  t.same(run(path(), EBGP), bad, 'empty path from eBGP');
  t.same(run(path([1, [65001]]), EBGP), bad, 'AS_SET first');
  t.same(run(path([2, [65002]]), { ...EBGP, enforceFirstAs: false }), [UpdateErrorAction.None, []]);
  t.same(run(path([3, [64512]], [2, [65001]]), EBGP), bad, 'confed segment from outside the confederation');
  t.same(run(path([3, [64512]], [2, [65001]]), { ...EBGP, confedPeer: true }), [UpdateErrorAction.None, []]);
  t.same(run(path(), IBGP), [UpdateErrorAction.None, []]);
});

t.test('missing well-known mandatory attributes: treat-as-withdraw only with NLRI', async (t) => {
  const v = validateUpdate(wire([ORIGIN, path([2, [65001]])], AS4), EBGP);
  t.equal(v.action, UpdateErrorAction.TreatAsWithdraw);
  t.same(v.problems.map((p) => [p.code, p.kind, p.subcode, toHex(p.data)]), [[3, 'missing', 3, '03']]);
  const none = validateUpdate(wire([], AS4), IBGP);
  t.same(none.problems.map((p) => p.code), [1, 2, 3]);
  t.equal(validateUpdate(wire([], AS4, false), IBGP).action, UpdateErrorAction.None, 'withdraw-only UPDATE');
  const mp: PathAttribute = { code: 14, flags: 0x80, value: { afi: 2, safi: 1, nextHops: ['2001:db8::1'], nlri: { keys: [parsePrefix('2001:db8::/32')!] } } };
  t.equal(validateUpdate(wire([mp, ORIGIN, path()], AS4, false), IBGP).action, UpdateErrorAction.None, 'MP_REACH needs no NEXT_HOP');
  t.same(validateUpdate(wire([mp, path()], AS4, false), IBGP).problems.map((p) => p.code), [1]);
});

t.test('eBGP discards: LOCAL_PREF, ORIGINATOR_ID, CLUSTER_LIST, AIGP', async (t) => {
  const lp: PathAttribute = { code: 5, flags: 0x40, value: 200 };
  const oid: PathAttribute = { code: 9, flags: 0x80, value: '1.1.1.1' };
  const aigp: PathAttribute = { code: 26, flags: 0x80, value: hex('01000b000000000000000a') };
  const attrs = [ORIGIN, path([2, [65001]]), NH, lp, oid, aigp];
  const e = validateUpdate(wire(attrs, AS4), EBGP);
  t.equal(e.action, UpdateErrorAction.AttrDiscard);
  t.same(e.attributes, [ORIGIN, path([2, [65001]]), NH]);
  t.same(e.problems.map((p) => [p.code, toHex(p.data)]), [[5, '400504000000C8'], [9, '80090401010101'], [26, '801A0B01000B000000000000000A']]);
  const oad = validateUpdate(wire(attrs, AS4), { ...EBGP, aigpPeer: true });
  t.same(oad.attributes.map((a) => a.code), [1, 2, 3, 26]);
  const i = validateUpdate(wire([ORIGIN, path(), NH, lp, oid, aigp], AS4), IBGP);
  t.equal(i.action, UpdateErrorAction.None);
  t.equal(i.attributes.length, 6);
});

t.test('martian next hops', async (t) => {
  t.equal(validateUpdate(wire([ORIGIN, path(), { code: 3, flags: 0x40, value: '0.0.0.0' }], AS4, false), IBGP).action,
    UpdateErrorAction.None, 'NEXT_HOP ignored without IPv4 NLRI');
  t.equal(validateUpdate(wire([ORIGIN, path(), { code: 3, flags: 0x40, value: '240.0.0.1' }], AS4), IBGP).action, UpdateErrorAction.TreatAsWithdraw);
  const mp = (nh: string): PathAttribute => ({ code: 14, flags: 0x80, value: { afi: 2, safi: 1, nextHops: [nh], nlri: { keys: [parsePrefix('2001:db8::/32')!] } } });
  t.equal(validateUpdate(wire([mp('::'), ORIGIN, path()], AS4, false), IBGP).action, UpdateErrorAction.TreatAsWithdraw);
  t.equal(validateUpdate(wire([mp('ff02::1'), ORIGIN, path()], AS4, false), IBGP).action, UpdateErrorAction.TreatAsWithdraw);
  t.equal(validateUpdate(wire([mp('2001:db8::1'), ORIGIN, path()], AS4, false), IBGP).action, UpdateErrorAction.None);
});

t.test('the strongest outcome wins; a reset names the first attribute asking for it', async (t) => {
  // AGGREGATOR length 5 (discard), ORIGIN 7 (withdraw), unknown well-known 200 (reset 3/2).
  const body = hex('0000 001a 40010107 4002 00 400304c0000201 c00705 0000fde90a 40c80101 18 0a0102');
  const msg = decodeUpdate(body, 0, body.length, AS4);
  const v = validateUpdate(msg, IBGP);
  t.equal(v.action, UpdateErrorAction.SessionReset);
  t.same([v.notification!.errorCode, v.notification!.errorSubcode, toHex(v.notification!.data)], [3, 2, '40C80101']);
  t.same(v.problems.map((p) => [p.code, p.kind]), [[1, 'value'], [7, 'length'], [200, 'value']]);
  const noReset = hex('0000 0016 40010107 4002 00 400304c0000201 c00705 0000fde90a 18 0a0102');
  t.equal(validateUpdate(decodeUpdate(noReset, 0, noReset.length, AS4), IBGP).action, UpdateErrorAction.TreatAsWithdraw);
});

t.test('LOCAL_PREF flags conflict from eBGP stays treat-as-withdraw (RFC 7606 §3(c))', async (t) => {
  const v = validateUpdate(wire([ORIGIN, path([2, [65001]]), NH, { code: 5, flags: 0xc0, value: 1 }], AS4), EBGP);
  t.equal(v.action, UpdateErrorAction.TreatAsWithdraw);
  t.same(v.problems.map((p) => [p.code, p.kind, p.action]), [[5, 'flags', undefined], [5, 'value', UpdateErrorAction.AttrDiscard]]);
});
