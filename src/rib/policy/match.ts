/**
 * DOC: match conditions → closures over FilterState, compiled once per policy.
 *
 * Every literal (prefix, address, glob) is parsed here, at compile time; the closures only compare numbers and
 * strings. IPv4 prefix tests are specialised on the numeric key (`addr*64+len`: one division, one mask, one
 * compare); IPv6 keys use `prefixContains`. Next-hop tests memoise the last next-hop text, since a feed of a full
 * table shares a handful of next hops. Invalid literals are ConfigErrors (compile time, never per route).
 * BIRD semantics kept: `bgp_next_hop` exists only on BGP routes; undefined numbers compare lower than any number;
 * an undefined community list is an empty one; `&&` and `||` short-circuit in order.
 */
import { ConfigError } from '../../util/errors';
import {
  formatIpv4, formatIpv6, ipv4KeyAddr, ipv4KeyLen, ipv4Mask, ipv6KeyLen, parseIpv4, parseIpv6, parsePrefix,
  prefixContains, type PrefixKey,
} from '../../util/prefix';
import { SourceKind } from '../types';
import type { FilterState } from './filter-state';
import { compileGlob } from './glob';
import type { CmpOp, Condition, PrefixSetEntry } from './types';

/** A compiled condition. */
export type Test = (s: FilterState) => boolean;

function parsePrefixOrThrow(text: string, where: string): PrefixKey {
  const k = parsePrefix(text);
  if (k === undefined || (!text.includes('/'))) throw new ConfigError(`invalid prefix "${text}" in ${where}`);
  return k;
}

function prefixLen(k: PrefixKey): number {
  return typeof k === 'number' ? ipv4KeyLen(k) : ipv6KeyLen(k);
}

/** `net ~ P`: the route's prefix lies inside P (or equals it). */
function withinTest(outer: PrefixKey): Test {
  if (typeof outer === 'number') {
    const oaddr = ipv4KeyAddr(outer), olen = ipv4KeyLen(outer), mask = ipv4Mask(olen);
    return (s) => {
      const k = s.ctx.prefix;
      if (typeof k !== 'number' || k % 64 < olen) return false;
      return ((Math.floor(k / 64) & mask) >>> 0) === oaddr;
    };
  }
  return (s) => prefixContains(outer, s.ctx.prefix);
}

/** `net ~ [ P{min,max}, ... ]`. Linear over entries: Calico's sets have one entry. */
function prefixSetTest(entries: PrefixSetEntry[]): Test {
  const compiled = entries.map((e) => {
    const key = parsePrefixOrThrow(e.prefix, 'prefix set');
    const own = prefixLen(key);
    const min = e.min ?? own, max = e.max ?? own;
    if (min > max || min < 0 || max > (typeof key === 'number' ? 32 : 128)) {
      throw new ConfigError(`invalid length range {${min},${max}} for ${e.prefix} in prefix set`);
    }
    return { within: withinTest(key), min, max };
  });
  return (s) => {
    const len = prefixLen(s.ctx.prefix);
    for (let i = 0; i < compiled.length; i++) {
      const c = compiled[i];
      if (len >= c.min && len <= c.max && c.within(s)) return true;
    }
    return false;
  };
}

/** Canonical text of an IPv4 or IPv6 address (the form AttrSet.nextHop holds). */
export function canonicalAddress(text: string): string {
  if (text.includes(':')) {
    const b = parseIpv6(text);
    if (b) return formatIpv6(b);
  } else {
    const a = parseIpv4(text);
    if (a !== undefined) return formatIpv4(a);
  }
  throw new ConfigError(`invalid IP address "${text}"`);
}

function nextHopWithinTest(text: string): Test {
  const outer = parsePrefixOrThrow(text, 'bgp_next_hop ~');
  let lastHop = '';
  let lastResult = false;
  return (s) => {
    if (!s.isBgp || s.nextHop === '') return false;
    const nh = s.nextHop;
    if (nh !== lastHop) {
      const k = parsePrefix(nh);
      lastResult = k !== undefined && prefixContains(outer, k);
      lastHop = nh;
    }
    return lastResult;
  };
}

/** `x op value` with BIRD's ordering of an undefined x (lower than everything). */
function compare(op: CmpOp, value: number, read: (s: FilterState) => number | undefined): Test {
  switch (op) {
    case '<': return (s) => { const x = read(s); return x === undefined || x < value; };
    case '<=': return (s) => { const x = read(s); return x === undefined || x <= value; };
    case '!=': return (s) => { const x = read(s); return x === undefined || x !== value; };
    case '=': return (s) => read(s) === value;
    case '>': return (s) => { const x = read(s); return x !== undefined && x > value; };
    case '>=': return (s) => { const x = read(s); return x !== undefined && x >= value; };
  }
}

/** Whether the AS path begins with `asns`; an AS_SET counts as one position matching any member (BIRD). */
export function asPathStartsWith(segments: readonly { type: number; asns: number[] }[], asns: readonly number[]): boolean {
  let i = 0;
  for (const seg of segments) {
    if (i === asns.length) return true;
    if (seg.type === 2 || seg.type === 3) {
      for (let j = 0; j < seg.asns.length && i < asns.length; j++, i++) if (seg.asns[j] !== asns[i]) return false;
    } else {
      if (!seg.asns.includes(asns[i])) return false;
      i++;
    }
  }
  return i === asns.length;
}

/** Compiles one condition. */
export function compileCondition(c: Condition): Test {
  switch (c.kind) {
    case 'prefix': {
      const key = parsePrefixOrThrow(c.prefix, `net ${c.op}`);
      if (c.op === 'equal') return (s) => s.ctx.prefix === key;
      if (c.op === 'notEqual') return (s) => s.ctx.prefix !== key;
      const t = withinTest(key);
      return c.op === 'within' ? t : (s) => !t(s);
    }
    case 'prefixSet': {
      const t = prefixSetTest(c.entries);
      return c.negate ? (s) => !t(s) : t;
    }
    case 'source':
      switch (c.is) {
        case 'bgp': return (s) => s.isBgp;
        case 'static': return (s) => s.ctx.source === SourceKind.Static;
        case 'kernel': return (s) => s.ctx.source === SourceKind.Kernel;
        case 'direct': return (s) => s.ctx.source === SourceKind.Direct;
      }
      break;
    case 'ifname': {
      const g = compileGlob(c.glob);
      return (s) => s.ifname !== undefined && g(s.ifname);
    }
    case 'nextHop': {
      if (c.op === 'within') return nextHopWithinTest(c.value);
      const addr = canonicalAddress(c.value);
      return (s) => s.isBgp && s.nextHop === addr;
    }
    case 'community': {
      const v = c.value[0] * 65536 + c.value[1];
      return (s) => s.communities !== null && s.communities.includes(v);
    }
    case 'largeCommunity': {
      const [a, b, d] = c.value;
      return (s) => {
        const l = s.largeCommunities;
        if (l === null) return false;
        for (let i = 0; i < l.length; i++) if (l[i][0] === a && l[i][1] === b && l[i][2] === d) return true;
        return false;
      };
    }
    case 'asPathPrefix': {
      const asns = [...c.asns];
      return (s) => asPathStartsWith(s.asPath, asns);
    }
    case 'peer': return (s) => s.ctx.peerName === c.name;
    case 'sourceName': return (s) => s.ctx.sourceName === c.name;
    case 'peerType': return c.internal ? (s) => s.ctx.peerInternal === true : (s) => s.ctx.peerInternal !== true;
    case 'defined':
      switch (c.attr) {
        case 'localPref': return (s) => s.localPref >= 0;
        case 'med': return (s) => s.med >= 0;
        case 'nextHop': return (s) => s.isBgp && s.nextHop !== '';
        case 'communities': return (s) => s.communities !== null;
        case 'largeCommunities': return (s) => s.largeCommunities !== null;
        case 'krtMetric': return (s) => s.krtMetric !== undefined;
        case 'krtTunnel': return (s) => s.krtTunnel !== undefined;
        case 'ifname': return (s) => s.ifname !== undefined;
        case 'source': return () => true;
      }
      break;
    case 'krtMetric': return compare(c.op, c.value, (s) => s.krtMetric);
    case 'localPref': return compare(c.op, c.value, (s) => (s.localPref < 0 ? undefined : s.localPref));
    case 'med': return compare(c.op, c.value, (s) => (s.med < 0 ? undefined : s.med));
    case 'not': {
      const t = compileCondition(c.cond);
      return (s) => !t(s);
    }
    case 'any': {
      const ts = c.conds.map(compileCondition);
      return (s) => {
        for (let i = 0; i < ts.length; i++) if (ts[i](s)) return true;
        return false;
      };
    }
  }
  throw new ConfigError(`unknown condition ${JSON.stringify(c)}`);
}

/** Compiles a conjunction; null when there is nothing to test (the rule always applies). */
export function compileConditions(conds: readonly Condition[] | undefined): Test | null {
  if (!conds || conds.length === 0) return null;
  const ts = conds.map(compileCondition);
  if (ts.length === 1) return ts[0];
  if (ts.length === 2) {
    const [a, b] = ts;
    return (s) => a(s) && b(s);
  }
  return (s) => {
    for (let i = 0; i < ts.length; i++) if (!ts[i](s)) return false;
    return true;
  };
}
