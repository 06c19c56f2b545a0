/**
 * DOC: `petrel decode`: BGP messages in hex to one JSON object per message, for humans debugging a capture.
 *
 * Input is hex on the command line or one message per line on stdin (':' and spaces allowed, ExaBGP style); one
 * input may hold several messages back to back. Each message prints as its decoded JSON, or as `{"error": ...}` with
 * the NOTIFICATION code/subcode (and names) or the RFC 7606 outcome and a readable reason. Bad input never prints a
 * stack trace: only typed errors are expected, and anything else is reported as an internal error object.
 */
import { Framer } from '../bgp/codec/framer';
import { decodeMessage } from '../bgp/codec/message';
import { notificationName } from '../bgp/codec/notification-names';
import { validateUpdate } from '../bgp/codec/validate';
import { messageJson, plain } from '../bgp/codec/json';
import { NotificationError, UPDATE_ERROR_ACTION_NAMES, UpdateErrorAction } from '../bgp/errors';
import type { AttrProblem, CodecContext, UpdateMessage } from '../bgp/codec/types';
import { MAX_EXTENDED_MESSAGE_LENGTH, MAX_MESSAGE_LENGTH } from '../bgp/constants';
import { parseFamily, type Family, isSupportedFamily, formatFamily, family } from '../bgp/family';
import { BgpdError } from '../util/errors';

export interface DecodeOptions {
  /** The session did not negotiate 4-octet AS numbers. */
  as2: boolean;
  /** Families whose NLRI carry ADD-PATH path identifiers. */
  addPath: Family[];
  /** Validate as from an iBGP peer (default eBGP). */
  ibgp: boolean;
  /** RFC 8654 extended messages negotiated. */
  extendedMessage: boolean;
  localAs: number;
  /** The peer's AS; 0 = unknown (the first-AS check of RFC 4271 §6.3 is skipped). */
  peerAs: number;
}

export const DEFAULT_DECODE_OPTIONS: DecodeOptions = { as2: false, addPath: [], ibgp: false, extendedMessage: false, localAs: 65000, peerAs: 0 };

/** Parses the `--add-path ipv4,ipv6` list. Throws a BgpdError naming the bad item. */
export function parseAddPathList(text: string): Family[] {
  return text.split(',').filter(Boolean).map((s) => {
    const f = parseFamily(s);
    if (f === undefined) throw new BgpdError('ERR_BGP_USAGE', `--add-path: unknown family '${s}' (use ipv4, ipv6)`);
    return f;
  });
}

function notificationError(e: NotificationError): Record<string, unknown> {
  return {
    error: {
      kind: 'notification',
      code: e.errorCode,
      subcode: e.errorSubcode,
      name: notificationName(e.errorCode, e.errorSubcode),
      data: e.data.toString('hex'),
      reason: e.message,
    },
  };
}

/** Decodes every message in one hex input; returns one JSON-ready object per message (or one error object). */
export function decodeHex(text: string, opts: DecodeOptions): Record<string, unknown>[] {
  const clean = text.replace(/[\s:]/g, '');
  if (clean.length === 0) return [];
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(clean)) {
    return [{ error: { kind: 'input', reason: 'input is not an even number of hex digits' } }];
  }
  const bytes = Buffer.from(clean, 'hex');
  const ctx: CodecContext = {
    as4: !opts.as2,
    addPath: new Set(opts.addPath),
    extendedMessage: opts.extendedMessage,
  };
  const out: Record<string, unknown>[] = [];
  const framer = new Framer(opts.extendedMessage ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH);
  try {
    framer.push(bytes, (buf, start, end) => {
      try {
        out.push(decodeOne(buf, start, end, ctx, opts));
      } catch (e) {
        out.push(errorObject(e));
      }
    });
    if (framer.pendingBytes > 0) {
      const n = framer.pendingBytes;
      const reason = n < 19
        ? `${n} octet(s) left over: shorter than the 19-octet message header`
        : `${n} octet(s) left over: an incomplete message (its length field asks for more)`;
      out.push({ error: { kind: 'input', reason } });
    }
  } catch (e) {
    out.push(errorObject(e));
  }
  return out;
}

function decodeOne(buf: Buffer, start: number, end: number, ctx: CodecContext, opts: DecodeOptions): Record<string, unknown> {
  const msg = decodeMessage(buf, start, end, ctx);
  const json = messageJson(msg);
  if (msg.type !== 2) return json;
  const update = msg as UpdateMessage;
  const unsupported = unsupportedFamilies(update);
  if (unsupported.length) json.unsupportedFamilies = unsupported;
  const peerAs = opts.ibgp ? opts.localAs : opts.peerAs;
  // Without --peer-as the first-AS check of RFC 4271 §6.3 cannot be made, so it is skipped.
  const v = validateUpdate(update, { ibgp: opts.ibgp, localAs: opts.localAs, peerAs, as4: ctx.as4, enforceFirstAs: peerAs !== 0 });
  if (v.notification) return { ...notificationError(v.notification), message: json };
  if (v.action >= UpdateErrorAction.TreatAsWithdraw) {
    return {
      error: {
        kind: 'rfc7606',
        action: UPDATE_ERROR_ACTION_NAMES[v.action],
        reason: v.problems.map((p: AttrProblem) => p.reason).join('; '),
        problems: plain(v.problems),
      },
      message: json,
    };
  }
  if (v.problems.length) json.outcome = { action: UPDATE_ERROR_ACTION_NAMES[v.action], problems: plain(v.problems) };
  return json;
}

function unsupportedFamilies(u: UpdateMessage): string[] {
  const names: string[] = [];
  for (const a of u.attributes) {
    if (a.code !== 14 && a.code !== 15) continue;
    const m = a.value as { afi: number; safi: number };
    const f = family(m.afi, m.safi);
    if (!isSupportedFamily(f)) names.push(formatFamily(f));
  }
  return names;
}

function errorObject(e: unknown): Record<string, unknown> {
  if (e instanceof NotificationError) return notificationError(e);
  if (e instanceof BgpdError) return { error: { kind: e.code, reason: e.message } };
  return { error: { kind: 'internal', reason: `internal error (a bug in Petrel, please report it): ${String(e)}` } };
}
