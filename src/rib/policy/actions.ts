/**
 * DOC: attribute-editing actions → closures over FilterState (the non-terminal part of the language).
 *
 * Each edit writes the FilterState field and marks it dirty only when the value really changes, so a policy that
 * "sets" an attribute to the value it already has keeps the route's AttrSet object (copy-on-write). Lists are
 * replaced, never mutated (they may be interned leaves). Communities are appended unsorted; the interner
 * canonicalises (sorts, dedups) on `finish`, as BIRD does on export. Control flow (accept, reject, call, if) is
 * compiled by policy.ts.
 */
import type { AsPathSegment } from '../../bgp/codec/types';
import { ConfigError } from '../../util/errors';
import type { FilterState } from './filter-state';
import { canonicalAddress } from './match';
import { BIRD_INT_MAX, type Action } from './types';

/** A compiled edit. */
export type Edit = (s: FilterState) => void;

/** RFC 4271 §4.3: an AS_SEQUENCE segment holds at most 255 ASes. */
const MAX_SEGMENT = 255;

/** BIRD `bgp_path.prepend(asn)`: into the leading AS_SEQUENCE, or a new one when the path starts otherwise or it is full. */
export function prependAs(path: readonly AsPathSegment[], asn: number): AsPathSegment[] {
  const first = path[0];
  if (first !== undefined && first.type === 2 && first.asns.length < MAX_SEGMENT) {
    return [{ type: 2, asns: [asn, ...first.asns] }, ...path.slice(1)];
  }
  return [{ type: 2, asns: [asn] }, ...path];
}

function checkU32(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new ConfigError(`${what} ${v} is not an unsigned 32-bit integer`);
  return v;
}

function checkU16(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new ConfigError(`${what} ${v} is not a 16-bit value`);
  return v;
}

/** Compiles an attribute edit; undefined for control-flow actions (handled by the caller). */
export function compileEdit(a: Action): Edit | undefined {
  switch (a.kind) {
    case 'setLocalPref': {
      const v = checkU32(a.value, 'local_pref');
      return (s) => { if (s.localPref !== v) { s.localPref = v; s.dirty = true; } };
    }
    case 'setMed': {
      const v = checkU32(a.value, 'med');
      return (s) => { if (s.med !== v) { s.med = v; s.dirty = true; } };
    }
    case 'addCommunity': {
      const v = checkU16(a.value[0], 'community') * 65536 + checkU16(a.value[1], 'community');
      return (s) => {
        const cur = s.communities;
        if (cur !== null && cur.includes(v)) return;
        s.communities = cur === null ? [v] : [...cur, v];
        s.dirty = true;
      };
    }
    case 'removeCommunity': {
      const v = checkU16(a.value[0], 'community') * 65536 + checkU16(a.value[1], 'community');
      return (s) => {
        const cur = s.communities;
        if (cur === null || !cur.includes(v)) return;
        const next = cur.filter((x) => x !== v);
        s.communities = next.length === 0 ? null : next;
        s.dirty = true;
      };
    }
    case 'addLargeCommunity': {
      const t: [number, number, number] = [
        checkU32(a.value[0], 'large community'), checkU32(a.value[1], 'large community'), checkU32(a.value[2], 'large community'),
      ];
      return (s) => {
        const cur = s.largeCommunities;
        if (cur !== null && cur.some((x) => x[0] === t[0] && x[1] === t[1] && x[2] === t[2])) return;
        s.largeCommunities = cur === null ? [t] : [...cur, t];
        s.dirty = true;
      };
    }
    case 'prependAsPath': {
      const asns = a.asns.map((x) => checkU32(x, 'AS number'));
      return (s) => {
        let p = s.asPath;
        for (let i = asns.length - 1; i >= 0; i--) p = prependAs(p, asns[i]);
        s.asPath = p;
        s.dirty = true;
      };
    }
    case 'setNextHop': {
      const nh = canonicalAddress(a.value);
      return (s) => { if (s.nextHop !== nh) { s.nextHop = nh; s.dirty = true; } };
    }
    case 'setPreference': {
      const v = a.value;
      return (s) => { s.preference = v; };
    }
    case 'setKrtMetric': {
      const v = a.value;
      return (s) => { s.krtMetric = v; };
    }
    case 'krtMetricFromLocalPref':
      return (s) => { if (s.localPref >= 0) s.krtMetric = BIRD_INT_MAX - s.localPref; };
    case 'localPrefFromKrtMetric':
      return (s) => {
        if (s.krtMetric === undefined) return;
        // A BIRD int subtraction stored into the u32 attribute.
        const v = (BIRD_INT_MAX - s.krtMetric) >>> 0;
        if (s.localPref !== v) { s.localPref = v; s.dirty = true; }
      };
    case 'setKrtTunnel': {
      const v = a.value;
      return (s) => { s.krtTunnel = v; };
    }
    default:
      return undefined;
  }
}
