/**
 * DOC: the policy language: plain-data definitions (what config compilers produce), the evaluation context a caller
 * hands in per route, and the result it gets back.
 *
 * The language is BIRD's filter subset Calico uses (calico-contract.md §4.8), as data rather than text:
 *  - a `PolicyDef` is an ordered list of `Rule`s plus a fall-through verdict (BIRD's trailing `accept;`/`reject;`);
 *  - a `FunctionDef` is a named rule list without a verdict: falling off its end returns to the caller, while an
 *    `accept`/`reject` inside it ends the whole evaluation (contract §4.7, BIRD semantics);
 *  - a `Rule` is `if (all match conditions) then { actions } [else { actions }]`; actions run in order and may be
 *    terminal (`accept`, `reject`), a `call`, a nested `if`, or attribute edits.
 * BIRD's bool function parameters (`internal_peer`, `is_same_as`) are the context boolean `peerInternal`
 * (conditions `peerType`): Calico passes the same value to both (peer AS == effective local AS).
 * Values follow BIRD's: an undefined attribute compares lower than any number (BIRD 1.6 `val_compare` of T_VOID),
 * so `krt_metric < 1024` holds when krt_metric is undefined.
 */
import type { PrefixKey } from '../../util/prefix';
import type { AttrSet } from '../attrs/attr-set';
import type { SourceKind } from '../types';

/** BIRD's largest int (2^31-1), the base of Calico's priority ↔ local_pref mapping (`bgp_local_pref = MAX - P`). */
export const BIRD_INT_MAX = 2147483647;

export type Verdict = 'accept' | 'reject';

/** Comparison operators for numeric attributes. */
export type CmpOp = '<' | '<=' | '=' | '!=' | '>' | '>=';

/** BIRD's route sources as Calico tests them (`source = RTS_BGP`; static RTS_STATIC, kernel RTS_INHERIT, direct RTS_DEVICE). */
export type SourceClass = 'bgp' | 'static' | 'kernel' | 'direct';

/** Attributes `defined(x)` can test. */
export type DefinableAttr =
  | 'localPref' | 'med' | 'nextHop' | 'communities' | 'largeCommunities' | 'krtMetric' | 'krtTunnel' | 'ifname' | 'source';

/** One entry of a prefix set: `P{min,max}` matches prefixes inside P whose length is within [min, max]. */
export interface PrefixSetEntry {
  prefix: string;
  /** Default: P's own length (a bare `P` in a BIRD set matches P exactly). */
  min?: number;
  /** Default: P's own length. */
  max?: number;
}

/** A match condition. Every condition of a rule must hold (BIRD `&&`, short-circuit, in order). */
export type Condition =
  /** `net = P`, `net != P`, `net ~ P` (inside or equal), `net !~ P`. */
  | { kind: 'prefix'; op: 'equal' | 'notEqual' | 'within' | 'notWithin'; prefix: string }
  /** `net ~ [ P{a,b}, ... ]` (or `!~` with negate). */
  | { kind: 'prefixSet'; entries: PrefixSetEntry[]; negate?: boolean }
  | { kind: 'source'; is: SourceClass }
  /** `ifname ~ "glob"` (BIRD patmatch: `*` any run, `?` one character). False when ifname is undefined. */
  | { kind: 'ifname'; glob: string }
  /** `bgp_next_hop = A` / `bgp_next_hop ~ P`. False when there is no BGP next hop. */
  | { kind: 'nextHop'; op: 'equal' | 'within'; value: string }
  /** `(a, b) ~ bgp_community`. */
  | { kind: 'community'; value: [number, number] }
  /** `(a, b, c) ~ bgp_large_community`. */
  | { kind: 'largeCommunity'; value: [number, number, number] }
  /** `bgp_path ~ [= A B * =]`: the path starts with these ASes. */
  | { kind: 'asPathPrefix'; asns: number[] }
  /** The session this policy runs for (`ctx.peerName`). */
  | { kind: 'peer'; name: string }
  /** The route's source protocol or peer name (`ctx.sourceName`). */
  | { kind: 'sourceName'; name: string }
  /** BIRD bool params `is_same_as` / `internal_peer`: `ctx.peerInternal` equals `internal`. */
  | { kind: 'peerType'; internal: boolean }
  | { kind: 'defined'; attr: DefinableAttr }
  | { kind: 'krtMetric'; op: CmpOp; value: number }
  | { kind: 'localPref'; op: CmpOp; value: number }
  | { kind: 'med'; op: CmpOp; value: number }
  | { kind: 'not'; cond: Condition }
  /** BIRD `||` over the listed conditions. */
  | { kind: 'any'; conds: Condition[] };

/** An action. Terminal ones end the whole evaluation, also from inside a called function. */
export type Action =
  | { kind: 'accept' }
  | { kind: 'reject' }
  /** A BIRD filter runtime error (e.g. comparing a prefix with a prefix set): BIRD rejects the route and logs. */
  | { kind: 'error'; message: string }
  | { kind: 'call'; fn: string }
  | { kind: 'if'; match: Condition[]; then: Action[]; else?: Action[] }
  | { kind: 'setLocalPref'; value: number }
  | { kind: 'setMed'; value: number }
  | { kind: 'addCommunity'; value: [number, number] }
  | { kind: 'removeCommunity'; value: [number, number] }
  | { kind: 'addLargeCommunity'; value: [number, number, number] }
  /** The path afterwards starts with `asns` in this order (BIRD: `prepend` of each, last first). */
  | { kind: 'prependAsPath'; asns: number[] }
  | { kind: 'setNextHop'; value: string }
  /** BIRD route `preference` (best-path step 0). */
  | { kind: 'setPreference'; value: number }
  | { kind: 'setKrtMetric'; value: number }
  /** `krt_metric = 2147483647 - bgp_local_pref` (no-op when local_pref is undefined). */
  | { kind: 'krtMetricFromLocalPref' }
  /** `bgp_local_pref = 2147483647 - krt_metric` (no-op when krt_metric is undefined). */
  | { kind: 'localPrefFromKrtMetric' }
  /** Calico's `krt_tunnel`: the device to program the route through ('' = the resolved interface). */
  | { kind: 'setKrtTunnel'; value: string };

/** `if (match) then { actions } else { else }`; no match conditions means "always". */
export interface Rule {
  match?: Condition[];
  actions: Action[];
  else?: Action[];
  /** Why the rule exists (the comment confd writes next to it); for `show` output and debugging. */
  comment?: string;
}

/** A named rule list (BIRD `function`). */
export interface FunctionDef {
  name: string;
  rules: Rule[];
}

/** A filter: rules, then the verdict when every rule falls through. */
export interface PolicyDef {
  name: string;
  rules: Rule[];
  default: Verdict;
}

/**
 * What one evaluation sees. Callers may reuse one object across routes (nothing keeps a reference to it).
 * Optional fields that are undefined are BIRD's "not defined".
 */
export interface EvalContext {
  prefix: PrefixKey;
  attrs: AttrSet;
  /** The route's source kind (Ebgp and Ibgp are both BIRD's RTS_BGP). */
  source: SourceKind;
  /** The route's source protocol or peer name (`kernel1`, `Mesh_10_0_0_2`). */
  sourceName?: string;
  /** The session the policy runs for (import: where the route came from; export: where it goes). */
  peerName?: string;
  /** BIRD's `is_same_as`/`internal_peer`: the session is iBGP (PeerConfig.internal). */
  peerInternal?: boolean;
  /** The route's interface: the device for kernel/direct routes, the resolved outgoing interface for BGP routes. */
  ifname?: string;
  /** Kernel metric (RTA_PRIORITY) of a kernel-learned route, or one set by an earlier filter. */
  krtMetric?: number;
  krtTunnel?: string;
  /** Starting route preference; default by source: BGP 100, static 200, kernel 10, direct 240. */
  preference?: number;
}

/** The outcome of one evaluation. */
export interface PolicyResult {
  verdict: Verdict;
  /**
   * accept: the attribute set to use, holding ONE NEW reference the caller must release — the very input object
   * when nothing changed (copy-on-write). reject: the input set, no reference taken.
   */
  attrs: AttrSet;
  preference: number;
  krtMetric: number | undefined;
  krtTunnel: string | undefined;
  /** Set when a BIRD runtime error rejected the route. */
  error: string | undefined;
}
