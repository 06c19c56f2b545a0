/**
 * DOC: BIRD's `direct` protocol as a pure state machine: connected prefixes of the addresses on interfaces that
 * match the interface pattern list, and the list matcher itself.
 *
 * Patterns are Calico's (contract §4.2): `-"<ignoredInterface>"`..., `-"cali*"`, `-"kube-ipvs*"`, `"*"`, first
 * match wins, no match excludes (BIRD `iface_patt_find`). Globs use BIRD's patmatch (`src/rib/policy/glob.ts`).
 * An address contributes `address/len` masked to its network (for a point-to-point address, IFA_ADDRESS: the peer
 * side) when its interface is administratively up (the Calico fork ignores addresses on admin-down interfaces) and
 * its scope is universe or site (BIRD skips link- and host-scope addresses: fe80::/64, 127.0.0.0/8, ::1).
 * When several interfaces hold the same prefix, the route names the lowest ifindex (deterministic; BIRD keeps the
 * last announcement). Owns: links (index → name, up) and addresses seen; emits prefix changes through `onChange`.
 * Invariant: `routes` maps exactly the prefixes some eligible address yields, each to the ifindex it names.
 */
import { compileGlob } from '../rib/policy/glob';
import { ipv4Key, ipv6Key, parseIpv4, parseIpv6, maskIpv6InPlace, ipv4Mask, type PrefixKey } from '../util/prefix';
import type { InterfacePattern } from '../config/node-config';

/** Calico's direct-protocol pattern list for the given BGPConfiguration.ignoredInterfaces. */
export function calicoDirectPatterns(ignored: readonly string[] = []): InterfacePattern[] {
  return [
    ...ignored.map((pattern) => ({ pattern, include: false })),
    { pattern: 'cali*', include: false },
    { pattern: 'kube-ipvs*', include: false },
    { pattern: '*', include: true },
  ];
}

/** A compiled BIRD interface pattern list: `matches(name)` is the include flag of the first matching pattern. */
export class InterfaceFilter {
  private readonly tests: { test: (n: string) => boolean; include: boolean }[];
  private readonly cache = new Map<string, boolean>();

  constructor(patterns: readonly InterfacePattern[]) {
    this.tests = patterns.map((p) => ({ test: compileGlob(p.pattern), include: p.include }));
  }

  /** Whether `name` passes: the first matching pattern decides; no match excludes. */
  matches(name: string): boolean {
    let v = this.cache.get(name);
    if (v === undefined) {
      v = false;
      for (const t of this.tests) {
        if (t.test(name)) {
          v = t.include;
          break;
        }
      }
      if (this.cache.size > 4096) this.cache.clear();
      this.cache.set(name, v);
    }
    return v;
  }
}

/** A link as the direct protocol needs it. */
export interface LinkState {
  name: string;
  up: boolean;
}

/** The prefix an interface address yields, or undefined when it yields none (bad text, wrong length). */
export function connectedPrefix(family: 4 | 6, address: string, prefixLen: number): PrefixKey | undefined {
  if (family === 4) {
    const a = parseIpv4(address);
    if (a === undefined || prefixLen > 32) return undefined;
    return ipv4Key((a & ipv4Mask(prefixLen)) >>> 0, prefixLen);
  }
  const b = parseIpv6(address);
  if (b === undefined || prefixLen > 128) return undefined;
  maskIpv6InPlace(b, prefixLen);
  return ipv6Key(b, prefixLen);
}

const SCOPE_LINK = 253;

interface AddrEntry {
  index: number;
  prefix: PrefixKey;
  scope: number;
}

/** The direct protocol's table: feed it links and addresses; it calls `onChange(prefix, ifindex | 0)`. */
export class InterfaceRoutes {
  private readonly filter: InterfaceFilter;
  readonly links = new Map<number, LinkState>();
  /** Address key (`index|addr/len`) → entry. */
  private readonly addrs = new Map<string, AddrEntry>();
  /** prefix → ifindex the route names. */
  readonly routes = new Map<PrefixKey, number>();

  constructor(
    patterns: readonly InterfacePattern[],
    private readonly onChange: (prefix: PrefixKey, ifindex: number) => void,
  ) {
    this.filter = new InterfaceFilter(patterns);
  }

  /** The interface name of a direct route, if it is ours. */
  ifnameOf(prefix: PrefixKey): string | undefined {
    const i = this.routes.get(prefix);
    return i === undefined ? undefined : this.links.get(i)?.name;
  }

  /** A link appeared or changed. */
  setLink(index: number, name: string, up: boolean): void {
    const old = this.links.get(index);
    if (old && old.name === name && old.up === up) return;
    this.links.set(index, { name, up });
    this.recomputeIndex(index, old !== undefined && old.name !== name);
  }

  /** A link is gone (its addresses go with it). */
  deleteLink(index: number): void {
    if (!this.links.delete(index)) return;
    for (const [k, a] of this.addrs) if (a.index === index) this.addrs.delete(k);
    this.recomputeIndex(index, false);
  }

  /** An address appeared (RTM_NEWADDR); `address` is IFA_ADDRESS (the peer side on point-to-point links). */
  addAddress(index: number, family: 4 | 6, address: string, prefixLen: number, scope: number): void {
    const prefix = connectedPrefix(family, address, prefixLen);
    if (prefix === undefined) return;
    this.addrs.set(`${index}|${address}/${prefixLen}`, { index, prefix, scope });
    this.recomputePrefix(prefix);
  }

  /** An address went away (RTM_DELADDR). */
  deleteAddress(index: number, address: string, prefixLen: number): void {
    const key = `${index}|${address}/${prefixLen}`;
    const a = this.addrs.get(key);
    if (!a) return;
    this.addrs.delete(key);
    this.recomputePrefix(a.prefix);
  }

  /** Replaces all state with a full snapshot (after a dump), emitting only the differences. */
  reset(links: Map<number, LinkState>, addrs: { index: number; family: 4 | 6; address: string; prefixLen: number; scope: number }[]): void {
    this.links.clear();
    for (const [i, l] of links) this.links.set(i, l);
    this.addrs.clear();
    for (const a of addrs) {
      const prefix = connectedPrefix(a.family, a.address, a.prefixLen);
      if (prefix !== undefined) this.addrs.set(`${a.index}|${a.address}/${a.prefixLen}`, { index: a.index, prefix, scope: a.scope });
    }
    const want = this.desired();
    for (const p of this.routes.keys()) if (!want.has(p)) {
      this.routes.delete(p);
      this.onChange(p, 0);
    }
    for (const [p, i] of want) if (this.routes.get(p) !== i) {
      this.routes.set(p, i);
      this.onChange(p, i);
    }
  }

  private eligible(a: AddrEntry): boolean {
    if (a.scope >= SCOPE_LINK) return false;
    const l = this.links.get(a.index);
    return l !== undefined && l.up && this.filter.matches(l.name);
  }

  private desired(): Map<PrefixKey, number> {
    const want = new Map<PrefixKey, number>();
    for (const a of this.addrs.values()) {
      if (!this.eligible(a)) continue;
      const cur = want.get(a.prefix);
      if (cur === undefined || a.index < cur) want.set(a.prefix, a.index);
    }
    return want;
  }

  private recomputeIndex(index: number, renamed: boolean): void {
    const prefixes = new Set<PrefixKey>();
    for (const a of this.addrs.values()) if (a.index === index) prefixes.add(a.prefix);
    for (const [p, i] of this.routes) if (i === index) prefixes.add(p);
    for (const p of prefixes) this.recomputePrefix(p, renamed);
  }

  /** `renamed`: the interface a route names was renamed, so report it even when the ifindex stays. */
  private recomputePrefix(prefix: PrefixKey, renamed = false): void {
    let best = 0;
    for (const a of this.addrs.values()) if (a.prefix === prefix && this.eligible(a) && (best === 0 || a.index < best)) best = a.index;
    const cur = this.routes.get(prefix) ?? 0;
    if (best === cur) {
      if (renamed && best !== 0) this.onChange(prefix, best);
      return;
    }
    if (best === 0) this.routes.delete(prefix);
    else this.routes.set(prefix, best);
    this.onChange(prefix, best);
  }
}
