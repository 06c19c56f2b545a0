/**
 * DOC: the interned AS_PATH leaf, stored as one compact string instead of arrays of segment objects.
 *
 * Why: a decoded path is an array of `{type, asns}` objects whose arrays grew by `push` (V8 leaves up to 17 slots
 * of slack each), plus a text key for the interning Map: ~600 bytes for a 3-AS path, once per distinct path
 * (S1-paths: 200,000 of them, raw and eBGP-rewritten). Here a path is its wire form with 4-octet ASNs (RFC 6793
 * §3; RFC 4271 §4.3 segment layout, except the count takes two octets so a policy-built segment may pass 255)
 * held as a one-byte string: that string is the value and the equality test, about 32 bytes for a 3-AS path; its
 * hash is computed while encoding, for the interner's chained table (chain-table.ts). The leaf keeps the numbers best path reads per comparison (length, neighbour
 * AS, origin AS) as plain fields, computed once.
 *
 * `value` (the segment array every other reader uses: policy, loop check, encoder, API) is decoded on demand. A
 * one-entry memo returns the same array object for consecutive reads of one leaf, so the readers of one route
 * (loop check, policy, export rewrite) decode once, identity memos downstream (FilterState) keep hitting, and
 * `AttrInterner.internSet` recognises the memo's array and skips re-encoding. Invariant (as before): a decoded
 * array is never mutated in place; edits build new arrays.
 */
import type { AsPathSegment } from '../../bgp/codec/types';
import type { AsPathLeaf } from './attr-set';
import type { Chained } from './chain-table';

/** Scratch for encoding; grown when a path does not fit. */
let scratch = Buffer.allocUnsafe(1024);

/** The hash of the text `encodeAsPath` returned last (computed on the way, for the interner's table). */
export let encodedHash = 0;

/**
 * The canonical compact text of a path: per segment one octet type, two octets count, four per ASN; as latin1
 * text (one character per octet). Equal paths give equal strings.
 */
export function encodeAsPath(segments: readonly AsPathSegment[]): string {
  let size = 0;
  for (let i = 0; i < segments.length; i++) size += 3 + 4 * segments[i].asns.length;
  if (size > scratch.length) scratch = Buffer.allocUnsafe(size * 2);
  const b = scratch;
  let p = 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    const asns = s.asns;
    const n = asns.length;
    h = Math.imul(h ^ ((s.type << 16) | n), 0x01000193);
    b[p] = s.type;
    b[p + 1] = n >>> 8;
    b[p + 2] = n & 255;
    p += 3;
    for (let k = 0; k < n; k++) {
      const a = asns[k];
      h = Math.imul(h ^ a, 0x01000193);
      b[p] = a >>> 24;
      b[p + 1] = (a >>> 16) & 255;
      b[p + 2] = (a >>> 8) & 255;
      b[p + 3] = a & 255;
      p += 4;
    }
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  encodedHash = h ^ (h >>> 16);
  return b.toString('latin1', 0, p);
}

/** The segments of a compact text (inverse of `encodeAsPath`), as fresh exact-size arrays. */
export function decodeAsPath(text: string): AsPathSegment[] {
  let count = 0;
  for (let p = 0; p < text.length; count++) p += 3 + 4 * ((text.charCodeAt(p + 1) << 8) | text.charCodeAt(p + 2));
  const out = new Array<AsPathSegment>(count);
  for (let p = 0, i = 0; p < text.length; i++) {
    const type = text.charCodeAt(p);
    const n = (text.charCodeAt(p + 1) << 8) | text.charCodeAt(p + 2);
    p += 3;
    const asns = new Array<number>(n);
    for (let k = 0; k < n; k++, p += 4) {
      asns[k] = ((text.charCodeAt(p) << 24) | (text.charCodeAt(p + 1) << 16) | (text.charCodeAt(p + 2) << 8) | text.charCodeAt(p + 3)) >>> 0;
    }
    out[i] = { type, asns };
  }
  return out;
}

/** The leaf whose `value` was decoded last, and that array (the one-entry memo). */
let memoLeaf: InternedAsPath | null = null;
let memoValue: AsPathSegment[] = [];

/** Read by the interner: the leaf a segment array was decoded from, when it is the memo's array. */
export function leafOfDecoded(segments: readonly AsPathSegment[]): InternedAsPath | null {
  return segments === memoValue ? memoLeaf : null;
}

/** An interned AS_PATH; `key` is its compact text (`encodeAsPath`), `hash` that text's hash. */
export class InternedAsPath implements AsPathLeaf, Chained<InternedAsPath> {
  /** References from interned sets; -1 once removed from its table (never reused then). */
  refs = 0;
  /** The next leaf of this leaf's bucket in its interner's table. */
  next: InternedAsPath | null = null;
  readonly length: number;
  readonly neighborAs: number;
  readonly originAs: number;

  /**
   * `segments` must be what `key` decodes to (only read here, never kept); `owner` is the interner's table, so a
   * leaf recognised from the decode memo is only reused by the interner that holds it.
   */
  constructor(
    readonly id: number, readonly key: string, readonly hash: number, readonly owner: object, segments: readonly AsPathSegment[],
  ) {
    let length = 0;
    let neighborAs = 0;
    let seenFirst = false;
    for (const s of segments) {
      // RFC 4271 §9.1.2.2(a): a sequence counts each AS, a set counts 1, confederation segments 0 (RFC 5065 §5.3).
      if (s.type === 2) length += s.asns.length;
      else if (s.type === 1) length += 1;
      // The neighbouring AS: first AS of a leading AS_SEQUENCE (an AS_SET first means none).
      if (!seenFirst) {
        if (s.type === 2 && s.asns.length) { neighborAs = s.asns[0]; seenFirst = true; }
        else if (s.type === 1) seenFirst = true;
      }
    }
    const last = segments.length ? segments[segments.length - 1] : undefined;
    this.length = length;
    this.neighborAs = neighborAs;
    this.originAs = last && last.asns.length ? last.asns[last.asns.length - 1] : 0;
  }

  /** The segments (decoded on demand; consecutive reads of one leaf return the same array). Never mutate it. */
  get value(): AsPathSegment[] {
    if (memoLeaf !== this) {
      memoValue = decodeAsPath(this.key);
      memoLeaf = this;
    }
    return memoValue;
  }
}

/** Drops the memo's hold on a leaf being freed (so a dead leaf is not kept alive, nor recognised). */
export function forgetDecoded(leaf: InternedAsPath): void {
  if (memoLeaf === leaf) {
    memoLeaf = null;
    memoValue = [];
  }
}
