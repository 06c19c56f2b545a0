/**
 * DOC: packs prefixes into encoded UPDATE messages for one peer direction (architecture §4, "update-builder").
 *
 * Announcements sharing one AttrSet go out together, as many NLRI per message as the negotiated maximum length
 * allows (4096, or 65535 with RFC 8654); withdrawals likewise. IPv4 unicast uses the classic NEXT_HOP/NLRI fields
 * (RFC 4271 §4.3), IPv6 unicast MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760, RFC 2545 next hops). The size of the
 * attribute block is measured once per call and each prefix's size is computed, so a message is never re-encoded.
 * IPv4 announcements encode the attribute block once per call: the message measured with no NLRI is the prefix of
 * every message of the call (NLRI come last, RFC 4271 §4.3), so each one is that block, its NLRI appended, and the
 * header's length patched. With many distinct attribute sets (few prefixes per set) this halves the encoding work.
 */
import type { PrefixKey } from '../util/prefix';
import { ipv4KeyLen, ipv6KeyLen } from '../util/prefix';
import { IPV4_UNICAST, familyAfi, familySafi, type Family } from '../bgp/family';
import type { CodecContext, NlriList, PathAttribute, UpdateMessage } from '../bgp/codec/types';
import { encodeUpdate } from '../bgp/codec/update';
import { encodeNlri } from '../bgp/codec/nlri';
import { BufWriter } from '../util/writer';
import { MAX_EXTENDED_MESSAGE_LENGTH, MAX_MESSAGE_LENGTH } from '../bgp/constants';
import type { AttrSet } from './attrs/attr-set';
import { attributesFromSet } from './attrs/to-attributes';

/** Octets one prefix takes on the wire. */
function prefixSize(key: PrefixKey, addPath: boolean): number {
  const len = typeof key === 'number' ? ipv4KeyLen(key) : ipv6KeyLen(key);
  return (addPath ? 4 : 0) + 1 + ((len + 7) >> 3);
}

/** Extra octets when an attribute's value passes 255 and its length field widens (RFC 4271 §4.3). */
const EXT_LENGTH_SLACK = 1;
/** Offset of the message length in the BGP header (RFC 4271 §4.1). */
const HEADER_LENGTH_OFFSET = 16;
const SCRATCH = new BufWriter(4096);

export class UpdateBuilder {
  private readonly maxLength: number;
  private readonly addPath: boolean;

  constructor(readonly family: Family, private readonly ctx: CodecContext) {
    this.maxLength = ctx.extendedMessage ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH;
    this.addPath = ctx.addPath.has(family);
  }

  /** UPDATEs announcing `keys` (with `pathIds` under ADD-PATH) with the attributes of `set`. */
  announce(set: AttrSet, keys: readonly PrefixKey[], pathIds?: readonly number[]): Buffer[] {
    const ipv4 = this.family === IPV4_UNICAST;
    const attributes = attributesFromSet(set, ipv4);
    const make = (nlri: NlriList): UpdateMessage => {
      if (ipv4) return { type: 2, withdrawn: { keys: [] }, attributes, nlri };
      const nextHops = set.nextHopLinkLocal ? [set.nextHop, set.nextHopLinkLocal] : [set.nextHop];
      const mp: PathAttribute = { code: 14, flags: 0x90, value: { afi: familyAfi(this.family), safi: familySafi(this.family), nextHops, nlri } };
      return { type: 2, withdrawn: { keys: [] }, attributes: insertByCode(attributes, mp), nlri: { keys: [] } };
    };
    return this.pack(keys, pathIds, make, ipv4);
  }

  /** UPDATEs withdrawing `keys`. */
  withdraw(keys: readonly PrefixKey[], pathIds?: readonly number[]): Buffer[] {
    const ipv4 = this.family === IPV4_UNICAST;
    const make = (nlri: NlriList): UpdateMessage => {
      if (ipv4) return { type: 2, withdrawn: nlri, attributes: [], nlri: { keys: [] } };
      const mp: PathAttribute = { code: 15, flags: 0x90, value: { afi: familyAfi(this.family), safi: familySafi(this.family), nlri } };
      return { type: 2, withdrawn: { keys: [] }, attributes: [mp], nlri: { keys: [] } };
    };
    return this.pack(keys, pathIds, make);
  }

  /** `appendNlri`: the messages end with the NLRI field (IPv4 announcements): encode the rest once and append. */
  private pack(keys: readonly PrefixKey[], pathIds: readonly number[] | undefined, make: (nlri: NlriList) => UpdateMessage, appendNlri = false): Buffer[] {
    const out: Buffer[] = [];
    if (keys.length === 0) return out;
    const empty = encodeUpdate(make(this.list([], pathIds ? [] : undefined)), this.ctx);
    const base = empty.length + EXT_LENGTH_SLACK;
    const room = this.maxLength - base;
    let start = 0;
    while (start < keys.length) {
      let used = 0;
      let end = start;
      while (end < keys.length) {
        const s = prefixSize(keys[end], this.addPath);
        if (used + s > room) break;
        used += s;
        end++;
      }
      if (end === start) end = start + 1; // a single prefix always fits a 4096-octet message
      const chunk = this.list(keys.slice(start, end), pathIds ? pathIds.slice(start, end) : undefined);
      if (appendNlri) {
        const w = SCRATCH.reset().bytes(empty);
        encodeNlri(w, IPV4_UNICAST, chunk, this.addPath);
        w.buf.writeUInt16BE(w.pos, HEADER_LENGTH_OFFSET);
        out.push(Buffer.from(w.buf.subarray(0, w.pos)));
      } else out.push(encodeUpdate(make(chunk), this.ctx));
      start = end;
    }
    return out;
  }

  private list(keys: PrefixKey[], pathIds: number[] | undefined): NlriList {
    if (this.addPath) return { keys, pathIds: pathIds ?? keys.map(() => 1) };
    return { keys };
  }
}

function insertByCode(attrs: PathAttribute[], a: PathAttribute): PathAttribute[] {
  const out = attrs.slice();
  let i = 0;
  while (i < out.length && out[i].code < a.code) i++;
  out.splice(i, 0, a);
  return out;
}
