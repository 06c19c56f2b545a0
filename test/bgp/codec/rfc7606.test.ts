/**
 * FRRouting's RFC 7606 tables (test/fixtures/rfc7606, ISC): every case, for every peer kind it applies to, is decoded
 * from its example UPDATE body (placed inside a larger buffer with garbage around it) and validated; the outcome
 * must be exactly the table's. `ebgp-oad` is an eBGP peer inside our AIGP domain.
 */
import t from 'tap';
import * as fs from 'node:fs';
import { fixturePath } from '../../helpers/fixtures';
import { hex, toHex } from '../../helpers/hex';
import { decodeUpdate } from '../../../src/bgp/codec/update';
import { validateUpdate, type ValidationContext } from '../../../src/bgp/codec/validate';
import { markPartialForPropagation } from '../../../src/bgp/codec/attributes/index';
import { NotificationError, UpdateErrorAction } from '../../../src/bgp/errors';
import type { CodecContext } from '../../../src/bgp/codec/types';
import { formatPrefixKey } from '../../../src/util/prefix';

interface Case {
  name: string;
  attr_type: number | null;
  flags: number;
  attribute_hex?: string;
  outcomes: Record<string, string>;
  skip_sorts?: string[];
  example_update_body: Record<string, { nlri: string; hex: string }>;
}
interface Group {
  cases: Case[];
  EXPECTED_NOTIFICATION?: Record<string, [number, number]>;
  MUST_REACH_R2?: string[];
  MUST_NOT_REACH_R2?: string[];
}

const corpus = JSON.parse(fs.readFileSync(fixturePath('rfc7606', 'cases.json'), 'utf8')) as Record<string, Group>;
const CTX: CodecContext = { as4: true, addPath: new Set(), extendedMessage: false };
const KINDS = ['ebgp', 'ebgp-oad', 'ibgp'] as const;
const VCTX: Record<(typeof KINDS)[number], ValidationContext> = {
  ebgp: { ibgp: false, localAs: 65000, peerAs: 65001, as4: true },
  'ebgp-oad': { ibgp: false, localAs: 65000, peerAs: 65001, as4: true, aigpPeer: true },
  ibgp: { ibgp: true, localAs: 65000, peerAs: 65000, as4: true },
};

/** The eBGP body for a case that only ships an iBGP one (e.g. AIGP, skipped for plain eBGP but not for OAD). */
function ebgpBodyFor(c: Case): { nlri: string; hex: string } {
  const attrs = hex(`40010100 40020602010000fde9 4003040a000002 ${c.attribute_hex}`);
  const body = Buffer.concat([Buffer.from([0, 0, attrs.length >> 8, attrs.length & 255]), attrs, hex('200a630001')]);
  return { nlri: '10.99.0.1/32', hex: body.toString('hex') };
}

/** The body inside a larger buffer: 5 garbage octets before, 11 after. */
function embed(body: Buffer): { buf: Buffer; start: number; end: number } {
  const buf = Buffer.concat([Buffer.alloc(5, 0xee), body, Buffer.alloc(11, 0xff)]);
  return { buf, start: 5, end: 5 + body.length };
}

const ACTION: Record<string, UpdateErrorAction> = {
  withdraw: UpdateErrorAction.TreatAsWithdraw,
  discard: UpdateErrorAction.AttrDiscard,
  accept: UpdateErrorAction.None,
};

let ran = 0;
for (const [groupName, group] of Object.entries(corpus)) {
  t.test(groupName, async (t) => {
    const unknownReach = new Set(group.MUST_REACH_R2 ?? []);
    const unknownNotReach = new Set(group.MUST_NOT_REACH_R2 ?? []);
    for (const c of group.cases) {
      for (const kind of KINDS) {
        if (c.skip_sorts?.includes(kind)) continue;
        const bodyKind = kind === 'ibgp' ? 'ibgp' : 'ebgp';
        const example = c.example_update_body[bodyKind] ?? (bodyKind === 'ebgp' ? ebgpBodyFor(c) : undefined);
        if (!example) throw new Error(`${c.name}: no body for ${kind}`);
        const expected = c.outcomes[kind];
        const { buf, start, end } = embed(hex(example.hex));
        const label = `${c.name} [${kind}] -> ${expected}`;
        ran++;

        if (expected === 'session-reset' || expected === 'reset') {
          const [code, subcode] = group.EXPECTED_NOTIFICATION![c.name];
          let err: unknown;
          try {
            const v = validateUpdate(decodeUpdate(buf, start, end, CTX), VCTX[kind]);
            err = v.notification;
            t.equal(v.action, UpdateErrorAction.SessionReset, `${label}: action`);
          } catch (e) {
            err = e;
          }
          t.ok(err instanceof NotificationError, `${label}: NotificationError`);
          const n = err as NotificationError;
          t.same([n.errorCode, n.errorSubcode], [code, subcode], `${label}: code/subcode`);
          t.equal(toHex(n.data), c.attribute_hex!.toUpperCase(), `${label}: data is the attribute`);
          continue;
        }

        const msg = decodeUpdate(buf, start, end, CTX);
        t.same(msg.nlri.keys.map(formatPrefixKey), [example.nlri], `${label}: NLRI located`);
        const v = validateUpdate(msg, VCTX[kind]);
        t.equal(v.notification, undefined, `${label}: no NOTIFICATION`);

        if (unknownReach.has(c.name) || unknownNotReach.has(c.name)) {
          // RFC 4271 §5: unknown optional attributes are not errors: the route is accepted...
          t.equal(v.action, UpdateErrorAction.None, `${label}: route accepted`);
          const kept = v.attributes.find((a) => a.code === c.attr_type);
          t.same(kept && { flags: kept.flags, value: toHex(kept.value as Buffer) }, { flags: c.flags, value: 'DEADBEEF' }, `${label}: kept as received`);
          // ...and passed on with Partial set when transitive, dropped when not.
          const out = markPartialForPropagation(v.attributes).find((a) => a.code === c.attr_type);
          if (unknownReach.has(c.name)) t.equal(out?.flags, c.flags | 0x20, `${label}: propagated with Partial`);
          else t.equal(out, undefined, `${label}: not propagated`);
          continue;
        }

        const want = ACTION[expected];
        if (want === undefined) throw new Error(`${c.name}: unknown outcome ${expected}`);
        t.equal(v.action, want, `${label}: action`);
        if (want === UpdateErrorAction.AttrDiscard) {
          t.equal(v.attributes.some((a) => a.code === c.attr_type), false, `${label}: attribute removed`);
          t.same(v.attributes.map((a) => a.code).filter((x) => x <= 5), kind === 'ibgp' ? [1, 2, 3, 5] : [1, 2, 3], `${label}: others kept`);
        }
      }
    }
  });
}

t.teardown(() => {
  // 88 cases; most apply to all three peer kinds.
  if (ran < 230) throw new Error(`only ${ran} case runs`);
});
