/**
 * DOC: the interning tables: one AttrSet per distinct attribute set, one leaf per distinct AS path / community list.
 *
 * Two levels of hash-consing (architecture §5.1): leaves are interned by a canonical key (an AS path by its compact
 * wire text, as-path.ts; community and cluster lists by their joined text), and an AttrSet by a 32-bit hash of its
 * scalars and leaf ids in a table chained through the sets (interned-set.ts), compared field by field on a hash
 * match. No per-set key string is kept: with 100,000 distinct sets (S1-paths) the text keys, their Map entries
 * and the decoder's slack-filled AS path arrays were most of the ~1 KB each set cost (bench/rib-path.ts).
 * What a new leaf or set stores is an exact-size copy or a canonical instance (next hop, originator and aggregator
 * strings come from a bounded dedupe cache), never the decoder's per-UPDATE objects.
 * Refcounts are explicit: `internSet` returns the set with one more reference, `release` drops one and frees the
 * set (and its leaves' references) at zero. Underflow is a BugError. Leaves are referenced only by sets, so a leaf
 * lives exactly as long as some set uses it.
 */
import { BugError } from '../../util/errors';
import type { Aggregator, AsPathSegment, PathAttribute } from '../../bgp/codec/types';
import type { AsPathLeaf, AttrSet, Leaf } from './attr-set';
import { InternedAsPath, encodeAsPath, encodedHash, forgetDecoded, leafOfDecoded } from './as-path';
import { ChainTable } from './chain-table';
import { InternedSet, NO_EXTRA, isNoExtra, type SetExtra } from './interned-set';

/** The mutable description of a set before interning (what the decoder or a policy produces). */
export interface AttrFields {
  origin: number;
  asPath: AsPathSegment[];
  nextHop: string;
  nextHopLinkLocal: string;
  med: number;
  localPref: number;
  atomicAggregate: boolean;
  aggregator: Aggregator | null;
  communities: number[] | null;
  largeCommunities: [number, number, number][] | null;
  extCommunities: string[] | null;
  originatorId: string;
  clusterList: string[] | null;
  otc: number;
  other: PathAttribute<Buffer>[] | null;
}

export interface InternStats {
  sets: number;
  setRefs: number;
  asPaths: number;
  communityLists: number;
  largeCommunityLists: number;
  extCommunityLists: number;
  clusterLists: number;
}

/** Dedupe cache bound: past it the cache starts over (it only saves memory; correctness never depends on it). */
const STRING_CACHE_LIMIT = 65536;

/** FNV-1a style step over one 32-bit word; `fmix` at the end spreads every input bit to the bucket bits. */
function mix(h: number, v: number): number {
  return Math.imul(h ^ (v | 0), 0x01000193);
}

function mixString(h: number, s: string): number {
  h = mix(h, s.length);
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

/** MurmurHash3's finaliser. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function sameAggregator(a: Aggregator | null, b: Aggregator | null): boolean {
  return a === b || (a !== null && b !== null && a.asn === b.asn && a.address === b.address);
}

function sameOther(a: readonly PathAttribute<Buffer>[] | null, b: readonly PathAttribute<Buffer>[] | null): boolean {
  if (a === b) return true;
  if (a === null || b === null || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    if (x.code !== y.code || x.flags !== y.flags || !x.value.equals(y.value)) return false;
  }
  return true;
}

export class AttrInterner {
  private nextId = 1;
  private readonly sets = new ChainTable<InternedSet>();
  private readonly asPaths = new ChainTable<InternedAsPath>();
  private readonly communities = new Map<string, Leaf<number[]>>();
  private readonly largeCommunities = new Map<string, Leaf<[number, number, number][]>>();
  private readonly extCommunities = new Map<string, Leaf<string[]>>();
  private readonly clusterLists = new Map<string, Leaf<string[]>>();
  /** Canonical instances of next hop / originator / aggregator strings, so sets share one string each. */
  private readonly strings = new Map<string, string>();

  /** Finds or creates the leaf for an AS path (no reference taken: sets take them). */
  asPath(segments: AsPathSegment[]): AsPathLeaf {
    return this.asPathLeaf(segments);
  }

  private asPathLeaf(segments: AsPathSegment[]): InternedAsPath {
    // A path read from an interned leaf (fieldsOf, policy) comes back as the decode memo's array: no re-encoding.
    const known = leafOfDecoded(segments);
    if (known !== null && known.refs >= 0 && known.owner === this.asPaths) return known;
    const key = encodeAsPath(segments);
    const h = encodedHash;
    for (let l = this.asPaths.head(h); l !== null; l = l.next) if (l.hash === h && l.key === key) return l;
    const leaf = new InternedAsPath(this.nextId++, key, h, this.asPaths, segments);
    this.asPaths.add(leaf);
    return leaf;
  }

  /** The leaf for a list (stored as an exact-size copy: the caller's array may be the decoder's, with slack). */
  private leaf<V extends readonly unknown[]>(table: Map<string, Leaf<V>>, value: V, key: string): Leaf<V> {
    let leaf = table.get(key);
    if (!leaf) {
      leaf = { id: this.nextId++, key, value: value.slice() as unknown as V, refs: 0 };
      table.set(key, leaf);
    }
    return leaf;
  }

  private canonical(s: string): string {
    if (s === '') return s;
    const c = this.strings.get(s);
    if (c !== undefined) return c;
    if (this.strings.size >= STRING_CACHE_LIMIT) this.strings.clear();
    this.strings.set(s, s);
    return s;
  }

  /**
   * Interns a set, taking one reference. Community lists are canonicalised (sorted, duplicates removed) first, as
   * BIRD does on export, so equal sets share one object whatever order a peer sent them in.
   */
  internSet(f: AttrFields): AttrSet {
    const asPath = this.asPathLeaf(f.asPath);
    const comm = f.communities === null ? null : canonicalNumbers(f.communities);
    const communities = comm === null ? null : this.leaf(this.communities, comm, comm.join(','));
    const large = f.largeCommunities === null ? null : canonicalTriples(f.largeCommunities);
    const largeCommunities = large === null ? null : this.leaf(this.largeCommunities, large, large.map((t) => t.join(':')).join(','));
    const ext = f.extCommunities === null ? null : [...new Set(f.extCommunities)].sort();
    const extCommunities = ext === null ? null : this.leaf(this.extCommunities, ext, ext.join(','));
    const clusterList = f.clusterList === null ? null : this.leaf(this.clusterLists, f.clusterList, f.clusterList.join(','));
    const other = f.other !== null && f.other.length ? f.other : null;
    const agg = f.aggregator;
    let h = mix(mix(mix(0x811c9dc5, f.origin), asPath.id), f.med);
    h = mix(mix(mix(h, f.localPref), f.otc), f.atomicAggregate ? 1 : 0);
    h = mixString(mixString(mixString(h, f.nextHop), f.nextHopLinkLocal), f.originatorId);
    h = mix(mix(h, communities === null ? 0 : communities.id), largeCommunities === null ? 0 : largeCommunities.id);
    h = mix(mix(h, extCommunities === null ? 0 : extCommunities.id), clusterList === null ? 0 : clusterList.id);
    if (agg !== null) h = mixString(mix(h, agg.asn), agg.address);
    if (other !== null) {
      for (const a of other) {
        h = mix(mix(mix(h, a.code), a.flags), a.value.length);
        for (let i = 0; i < a.value.length; i++) h = Math.imul(h ^ a.value[i], 0x01000193);
      }
    }
    h = fmix(h);
    for (let s = this.sets.head(h); s !== null; s = s.next) {
      if (
        s.hash === h && s.asPath === asPath && s.origin === f.origin && s.med === f.med && s.localPref === f.localPref &&
        s.nextHop === f.nextHop && s.communities === communities
      ) {
        const x = s.extra;
        if (
          x.otc === f.otc && x.atomicAggregate === f.atomicAggregate && x.nextHopLinkLocal === f.nextHopLinkLocal &&
          x.originatorId === f.originatorId && x.largeCommunities === largeCommunities &&
          x.extCommunities === extCommunities && x.clusterList === clusterList && sameAggregator(x.aggregator, agg) &&
          sameOther(x.other, other)
        ) {
          s.refs++;
          return s;
        }
      }
    }
    asPath.refs++;
    if (communities) communities.refs++;
    if (largeCommunities) largeCommunities.refs++;
    if (extCommunities) extCommunities.refs++;
    if (clusterList) clusterList.refs++;
    const extra: SetExtra = {
      nextHopLinkLocal: this.canonical(f.nextHopLinkLocal), atomicAggregate: f.atomicAggregate,
      aggregator: agg === null ? null : { asn: agg.asn, address: this.canonical(agg.address) }, largeCommunities,
      extCommunities, originatorId: this.canonical(f.originatorId), clusterList, otc: f.otc,
      other: other === null ? null : other.slice(),
    };
    const set = new InternedSet(
      this.nextId++, h, f.origin, asPath, this.canonical(f.nextHop), f.med, f.localPref, communities,
      isNoExtra(extra) ? NO_EXTRA : extra,
    );
    this.sets.add(set);
    return set;
  }

  /** Takes one more reference on a set already interned. */
  ref(set: AttrSet): AttrSet {
    if (set.refs <= 0) throw new BugError(`ref of a released attribute set ${set.id}`);
    set.refs++;
    return set;
  }

  /** Drops one reference; frees the set and its leaf references at zero. */
  release(set: AttrSet): void {
    if (set.refs <= 0) throw new BugError(`attribute set ${set.id} released more often than interned`);
    if (--set.refs > 0) return;
    if (set instanceof InternedSet) this.sets.remove(set);
    this.unrefAsPath(set.asPath);
    if (set.communities) this.unrefLeaf(this.communities, set.communities);
    if (set.largeCommunities) this.unrefLeaf(this.largeCommunities, set.largeCommunities);
    if (set.extCommunities) this.unrefLeaf(this.extCommunities, set.extCommunities);
    if (set.clusterList) this.unrefLeaf(this.clusterLists, set.clusterList);
  }

  private unrefLeaf<V>(table: Map<string, Leaf<V>>, leaf: Leaf<V>): void {
    if (leaf.refs <= 0) throw new BugError(`leaf ${leaf.id} released more often than referenced`);
    if (--leaf.refs === 0 && table.get(leaf.key) === leaf) table.delete(leaf.key);
  }

  private unrefAsPath(leaf: AsPathLeaf): void {
    if (leaf.refs <= 0) throw new BugError(`AS path ${leaf.id} released more often than referenced`);
    if (--leaf.refs > 0 || !(leaf instanceof InternedAsPath) || leaf.owner !== this.asPaths) return;
    this.asPaths.remove(leaf);
    forgetDecoded(leaf);
    leaf.refs = -1;
  }

  /** The fields of a set, for a policy or export rule to modify and re-intern. */
  fieldsOf(set: AttrSet): AttrFields {
    return {
      origin: set.origin, asPath: set.asPath.value, nextHop: set.nextHop, nextHopLinkLocal: set.nextHopLinkLocal,
      med: set.med, localPref: set.localPref, atomicAggregate: set.atomicAggregate, aggregator: set.aggregator,
      communities: set.communities ? set.communities.value : null,
      largeCommunities: set.largeCommunities ? set.largeCommunities.value : null,
      extCommunities: set.extCommunities ? set.extCommunities.value : null,
      originatorId: set.originatorId, clusterList: set.clusterList ? set.clusterList.value : null, otc: set.otc,
      other: set.other ? [...set.other] : null,
    };
  }

  stats(): InternStats {
    let setRefs = 0;
    for (const s of this.sets.values()) setRefs += s.refs;
    return {
      sets: this.sets.size, setRefs, asPaths: this.asPaths.size, communityLists: this.communities.size,
      largeCommunityLists: this.largeCommunities.size, extCommunityLists: this.extCommunities.size,
      clusterLists: this.clusterLists.size,
    };
  }
}

function canonicalNumbers(a: number[]): number[] {
  for (let i = 1; i < a.length; i++) if (a[i] <= a[i - 1]) return [...new Set(a)].sort((x, y) => x - y);
  return a;
}

function canonicalTriples(a: [number, number, number][]): [number, number, number][] {
  const seen = new Map<string, [number, number, number]>();
  for (const t of a) seen.set(t.join(':'), t);
  return [...seen.values()].sort((x, y) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2]);
}

/** Fields of an empty set: ORIGIN IGP, empty AS path, nothing else. Local routes start here. */
export function emptyAttrFields(): AttrFields {
  return {
    origin: 0, asPath: [], nextHop: '', nextHopLinkLocal: '', med: -1, localPref: -1, atomicAggregate: false,
    aggregator: null, communities: null, largeCommunities: null, extCommunities: null, originatorId: '',
    clusterList: null, otc: -1, other: null,
  };
}
