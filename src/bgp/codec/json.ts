/**
 * DOC: the JSON form of decoded messages for humans and tools (`petrel decode`, logs, the API's debug views).
 *
 * Prefix keys become `10.0.0.0/24` text (with `{prefix, pathId}` objects under ADD-PATH), Buffers become hex, message
 * and attribute codes gain names. The form is for reading; the codec's own types are the machine contract.
 */
import type { BgpMessage, NlriList, PathAttribute, MpReach, MpUnreach } from './types';
import { formatPrefixKey } from '../../util/prefix';
import { formatFamily, family } from '../family';

const MESSAGE_NAMES: Record<number, string> = { 1: 'open', 2: 'update', 3: 'notification', 4: 'keepalive', 5: 'route-refresh' };

export const ATTRIBUTE_NAMES: Record<number, string> = {
  1: 'origin', 2: 'as-path', 3: 'next-hop', 4: 'med', 5: 'local-pref', 6: 'atomic-aggregate', 7: 'aggregator',
  8: 'communities', 9: 'originator-id', 10: 'cluster-list', 14: 'mp-reach-nlri', 15: 'mp-unreach-nlri',
  16: 'extended-communities', 17: 'as4-path', 18: 'as4-aggregator', 22: 'pmsi-tunnel', 23: 'tunnel-encapsulation',
  25: 'ipv6-extended-communities', 26: 'aigp', 29: 'bgp-ls', 32: 'large-communities', 35: 'only-to-customer',
  39: 'next-hop-capability', 40: 'prefix-sid',
};

export function nlriJson(list: NlriList | undefined): unknown[] {
  if (!list) return [];
  const out: unknown[] = [];
  for (let i = 0; i < list.keys.length; i++) {
    const p = formatPrefixKey(list.keys[i]);
    out.push(list.pathIds ? { prefix: p, pathId: list.pathIds[i] } : p);
  }
  return out;
}

function communityText(c: number): string {
  return `${Math.floor(c / 65536)}:${c % 65536}`;
}

function attributeJson(a: PathAttribute): Record<string, unknown> {
  const name = ATTRIBUTE_NAMES[a.code] ?? `attribute-${a.code}`;
  const base: Record<string, unknown> = { code: a.code, name, flags: a.flags };
  const v = a.value;
  switch (a.code) {
    case 8:
      base.value = (v as number[]).map(communityText);
      break;
    case 32:
      base.value = (v as number[][]).map((t) => t.join(':'));
      break;
    case 14: {
      const m = v as MpReach;
      base.value = {
        family: formatFamily(family(m.afi, m.safi)),
        nextHops: m.nextHops,
        nlri: nlriJson(m.nlri),
        ...(m.unsupported ? { unsupported: true, nextHopHex: m.unsupported.nextHop.toString('hex'), nlriHex: m.unsupported.nlri.toString('hex') } : {}),
      };
      break;
    }
    case 15: {
      const m = v as MpUnreach;
      base.value = {
        family: formatFamily(family(m.afi, m.safi)),
        withdrawn: nlriJson(m.nlri),
        ...(m.unsupported ? { unsupported: true, nlriHex: m.unsupported.nlri.toString('hex') } : {}),
      };
      break;
    }
    default:
      base.value = plain(v);
  }
  return base;
}

/** Buffers to hex, everything else as is (recursively). */
export function plain(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return v.toString('hex');
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = plain(x);
    return o;
  }
  return v;
}

/** The JSON form of one decoded message. */
export function messageJson(msg: BgpMessage): Record<string, unknown> {
  const type = MESSAGE_NAMES[msg.type] ?? String(msg.type);
  switch (msg.type) {
    case 2:
      return {
        type,
        withdrawn: nlriJson(msg.withdrawn),
        attributes: msg.attributes.map(attributeJson),
        nlri: nlriJson(msg.nlri),
        ...(msg.problems?.length ? { problems: plain(msg.problems) } : {}),
      };
    default:
      return { type, ...(plain({ ...msg, type: undefined }) as Record<string, unknown>) };
  }
}
