/**
 * DOC: Calico BGPFilter resources → policy functions, exactly as confd's `BGPFilterBIRDFuncs` renders them
 * (calico-contract.md §4.6, confd/pkg/resource/template/template_funcs.go).
 *
 * One function per filter, direction and family, and only when that list has rules: `bgp_<name>_importFilterV4`
 * (names over 45 characters become the first 28, `_`, and the first 16 upper-case hex digits of SHA-256(name)).
 * Each rule is `if (conditions) then { operations; accept|reject; }`, conditions in confd's order: CIDR, source,
 * interface, communities, AS-path prefix, priority; `peerType` wraps the rule in `if (is_same_as)` /
 * `if (!is_same_as)`, here a leading `peerType` condition (same short-circuit order). CIDR with `prefixLength`
 * becomes the set `[ cidr{max(len,min), min(32|128,max)} ]`. confd writes `net = [set]` / `net != [set]` for
 * Equal/NotEqual with prefixLength, which BIRD cannot evaluate ("Can't compare values of incompatible types"): a
 * runtime error that rejects every route reaching the rule. We keep that behaviour (action `error`) rather than
 * invent a meaning. Operations come before the verdict: addCommunity, prependASPath (path ends up starting with
 * the listed ASes: confd emits the prepends in reverse), setPriority (`bgp_local_pref = 2147483647 - P`).
 */
import { createHash } from 'node:crypto';
import type { BgpFilter, BgpFilterRule } from '../../config/resources';
import { ConfigError } from '../../util/errors';
import { BIRD_INT_MAX, type Action, type Condition, type FunctionDef, type Rule } from './types';

export type FilterDirection = 'import' | 'export';
export type FilterFamily = 'ipv4' | 'ipv6';

/** BIRD's symbol limit. */
const MAX_SYMBOL = 64;
const HASH_CHARS = 16;

/** confd's `BGPFilterFunctionName` without the quotes: `bgp_<name>_<dir>FilterV<4|6>`, truncated and hashed. */
export function bgpFilterFunctionName(filterName: string, direction: FilterDirection, family: FilterFamily): string {
  const version = family === 'ipv4' ? '4' : '6';
  const fixed = `bgp__${direction}FilterV${version}`;
  const maxLen = MAX_SYMBOL - fixed.length;
  let name = filterName;
  if (name.length > maxLen) {
    const hash = createHash('sha256').update(filterName).digest('hex').toUpperCase().slice(0, HASH_CHARS);
    name = `${filterName.slice(0, maxLen - HASH_CHARS - 1)}_${hash}`;
  }
  return `bgp_${name}_${direction}FilterV${version}`;
}

/** The rule list of `filter` for a direction and family (empty when none). */
export function filterRules(filter: BgpFilter, direction: FilterDirection, family: FilterFamily): BgpFilterRule[] {
  if (direction === 'import') return family === 'ipv4' ? filter.importV4 : filter.importV6;
  return family === 'ipv4' ? filter.exportV4 : filter.exportV6;
}

/** Parses `a:b` or `a:b:c`. */
export function parseCommunity(text: string): [number, number] | [number, number, number] {
  const parts = text.split(':');
  const nums = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : NaN));
  if ((nums.length === 2 && nums.every((n) => n <= 0xffff)) || (nums.length === 3 && nums.every((n) => n <= 0xffffffff))) {
    return nums as [number, number] | [number, number, number];
  }
  throw new ConfigError(`invalid community "${text}" (want aa:nn or aa:nn:mm)`);
}

function cidrConditions(r: BgpFilterRule, family: FilterFamily): Condition[] | Action {
  const cidr = r.cidr as string;
  const op = r.matchOperator;
  if (op === undefined) throw new ConfigError(`BGPFilter rule with cidr ${cidr} has no matchOperator`);
  if (!r.prefixLength) {
    const map = { Equal: 'equal', NotEqual: 'notEqual', In: 'within', NotIn: 'notWithin' } as const;
    return [{ kind: 'prefix', op: map[op], prefix: cidr }];
  }
  const len = Number(cidr.slice(cidr.indexOf('/') + 1));
  const min = Math.max(len, r.prefixLength.min ?? len);
  const max = Math.min(family === 'ipv4' ? 32 : 128, r.prefixLength.max ?? 128);
  if (op === 'Equal' || op === 'NotEqual') {
    return { kind: 'error', message: `BIRD runtime error: net ${op === 'Equal' ? '=' : '!='} [ ${cidr}{${min},${max}} ]: can't compare values of incompatible types` };
  }
  return [{ kind: 'prefixSet', entries: [{ prefix: cidr, min, max }], negate: op === 'NotIn' }];
}

/** Translates one BGPFilter rule (§4.6). */
export function translateFilterRule(r: BgpFilterRule, family: FilterFamily): Rule {
  const match: Condition[] = [];
  if (r.peerType) match.push({ kind: 'peerType', internal: r.peerType === 'iBGP' });
  if (r.cidr !== undefined) {
    const c = cidrConditions(r, family);
    if (!Array.isArray(c)) return { match, actions: [c], comment: 'BGPFilter rule BIRD cannot evaluate' };
    match.push(...c);
  }
  if (r.source === 'RemotePeers') match.push({ kind: 'defined', attr: 'source' }, { kind: 'source', is: 'bgp' });
  if (r.interface !== undefined) match.push({ kind: 'defined', attr: 'ifname' }, { kind: 'ifname', glob: r.interface });
  const community = r.communities?.values[0];
  if (community !== undefined) {
    const c = parseCommunity(community);
    match.push(c.length === 2 ? { kind: 'community', value: c } : { kind: 'largeCommunity', value: c });
  }
  if (r.asPathPrefix && r.asPathPrefix.length > 0) match.push({ kind: 'asPathPrefix', asns: [...r.asPathPrefix] });
  if (r.priority !== undefined) {
    match.push({ kind: 'defined', attr: 'localPref' }, { kind: 'localPref', op: '=', value: BIRD_INT_MAX - r.priority });
  }
  const actions: Action[] = [];
  if (r.action === 'Accept') {
    for (const op of r.operations ?? []) {
      if ('addCommunity' in op) {
        const c = parseCommunity(op.addCommunity.value);
        actions.push(c.length === 2 ? { kind: 'addCommunity', value: c } : { kind: 'addLargeCommunity', value: c });
      } else if ('prependASPath' in op) {
        actions.push({ kind: 'prependAsPath', asns: [...op.prependASPath.prefix] });
      } else if ('setPriority' in op) {
        actions.push({ kind: 'setLocalPref', value: BIRD_INT_MAX - op.setPriority.value });
      }
    }
  }
  actions.push({ kind: r.action === 'Accept' ? 'accept' : 'reject' });
  return { match, actions };
}

/** The function for one BGPFilter, direction and family; undefined when that list is empty (confd emits none). */
export function bgpFilterFunction(filter: BgpFilter, direction: FilterDirection, family: FilterFamily): FunctionDef | undefined {
  const rules = filterRules(filter, direction, family);
  if (rules.length === 0) return undefined;
  return {
    name: bgpFilterFunctionName(filter.name, direction, family),
    rules: rules.map((r) => translateFilterRule(r, family)),
  };
}
