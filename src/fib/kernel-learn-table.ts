/**
 * DOC: BIRD's kernel `learn` as a pure table: which kernel routes are "alien" and learned, and which of several
 * kernel routes to one prefix the RIB sees.
 *
 * Learnable (BIRD 1.6 `nl_parse_route` + `krt_learn_*`, contract §4.7): the configured table only (main by default);
 * protocol not unspec (0), redirect (1), kernel (2) or ours (RTPROT_BIRD 12 by default: our own FIB routes);
 * type unicast, blackhole, unreachable or prohibit (local/broadcast/multicast/throw are skipped); no TOS and no
 * source prefix (BIRD ignores both); not RTM_F_CLONED. Felix's workload routes (`proto boot`/`static`, 80 on
 * newer Felix) are therefore learned with their device and metric, and so are blackholes.
 * Several kernel routes of one prefix differ by metric (RTA_PRIORITY); as BIRD's `krt_learn_prune`, the lowest
 * metric is the one announced. An optional interface pattern list filters by the route's device (Calico sets
 * none on the kernel protocol: the default accepts all).
 * Owns: per prefix, the alternatives sorted by metric; calls `onChange(prefix, best | undefined)` when the
 * announced alternative appears, changes or disappears. Invariant: every stored list is non-empty and sorted.
 */
import { ipv4Key, ipv6Key, parseIpv4, parseIpv6, type PrefixKey } from '../util/prefix';
import type { DecodedRoute } from './netlink/route';
import { Af, RouteType } from './netlink/constants';

/** What the RIB needs of one kernel route. */
export interface KernelAlt {
  /** RTA_PRIORITY (BIRD `krt_metric`); 0 when absent. */
  metric: number;
  /** Output interface index (first next hop's for multipath); 0 for blackholes. */
  oif: number;
  type: number;
  protocol: number;
  gateway?: string;
}

/** Which kernel routes are learned. */
export interface LearnFilter {
  /** Our own rtm_protocol (never learned). Default 12. */
  protocol: number;
  /** The table to learn from. Default 254 (main). */
  table: number;
}

const RTM_F_CLONED = 0x200;

/** The RIB key of a decoded kernel route, or undefined when BIRD's `learn` would not take it. */
export function learnableKey(r: DecodedRoute, f: LearnFilter): PrefixKey | undefined {
  if (r.table !== f.table || r.tos !== 0 || r.srcLen !== 0 || r.flags & RTM_F_CLONED) return undefined;
  const p = r.protocol;
  if (p === 0 || p === 1 || p === 2 || p === f.protocol) return undefined;
  const t = r.type;
  if (t !== RouteType.Unicast && t !== RouteType.Blackhole && t !== RouteType.Unreachable && t !== RouteType.Prohibit) return undefined;
  if (r.family === Af.Inet) {
    const a = r.dst === undefined ? 0 : parseIpv4(r.dst);
    return a === undefined ? undefined : ipv4Key(a, r.dstLen);
  }
  if (r.family === Af.Inet6) {
    const b = r.dst === undefined ? Buffer.alloc(16) : parseIpv6(r.dst);
    return b === undefined ? undefined : ipv6Key(b, r.dstLen);
  }
  return undefined;
}

/** The alternative a decoded route stands for. */
export function altOf(r: DecodedRoute): KernelAlt {
  const nh = r.multipath?.[0];
  const alt: KernelAlt = { metric: r.priority ?? 0, oif: r.oif ?? nh?.oif ?? 0, type: r.type, protocol: r.protocol };
  const gw = r.gateway ?? nh?.gateway;
  if (gw !== undefined) alt.gateway = gw;
  return alt;
}

function sameAlt(a: KernelAlt, b: KernelAlt): boolean {
  return a.metric === b.metric && a.oif === b.oif && a.type === b.type && a.protocol === b.protocol && a.gateway === b.gateway;
}

/** The learned kernel routes, per prefix, lowest metric first. */
export class KernelRouteTable {
  readonly routes = new Map<PrefixKey, KernelAlt[]>();

  constructor(private readonly onChange: (prefix: PrefixKey, best: KernelAlt | undefined) => void) {}

  /** The announced alternative of `prefix`. */
  best(prefix: PrefixKey): KernelAlt | undefined {
    return this.routes.get(prefix)?.[0];
  }

  /** Applies one notification: RTM_NEWROUTE adds or replaces the alternative of that metric, RTM_DELROUTE removes it. */
  apply(op: 'new' | 'del', prefix: PrefixKey, alt: KernelAlt): void {
    const list = this.routes.get(prefix);
    const before = list?.[0];
    if (op === 'new') {
      if (list === undefined) this.routes.set(prefix, [alt]);
      else {
        const i = list.findIndex((a) => a.metric === alt.metric);
        if (i >= 0) list[i] = alt;
        else {
          list.push(alt);
          list.sort((a, b) => a.metric - b.metric);
        }
      }
    } else {
      if (list === undefined) return;
      const i = list.findIndex((a) => a.metric === alt.metric);
      if (i < 0) return;
      list.splice(i, 1);
      if (list.length === 0) this.routes.delete(prefix);
    }
    const after = this.routes.get(prefix)?.[0];
    if (before === after || (before && after && sameAlt(before, after))) return;
    this.onChange(prefix, after);
  }

  /** Replaces the table with a full dump, announcing only differences. */
  reset(next: Map<PrefixKey, KernelAlt[]>): void {
    for (const p of this.routes.keys()) if (!next.has(p)) {
      this.routes.delete(p);
      this.onChange(p, undefined);
    }
    for (const [p, list] of next) {
      list.sort((a, b) => a.metric - b.metric);
      const before = this.routes.get(p)?.[0];
      this.routes.set(p, list);
      if (!before || !sameAlt(before, list[0])) this.onChange(p, list[0]);
    }
  }

  /** Forgets every alternative through `oif` (its device is gone: the kernel flushed them without notifying). */
  dropOif(oif: number): void {
    for (const [p, list] of this.routes) {
      if (!list.some((a) => a.oif === oif)) continue;
      const before = list[0];
      const kept = list.filter((a) => a.oif !== oif);
      if (kept.length === 0) this.routes.delete(p);
      else this.routes.set(p, kept);
      if (kept[0] !== before) this.onChange(p, kept[0]);
    }
  }

  /** Prefixes whose announced route leaves through `oif`. */
  prefixesVia(oif: number): PrefixKey[] {
    const out: PrefixKey[] = [];
    for (const [p, list] of this.routes) if (list[0].oif === oif) out.push(p);
    return out;
  }
}

/** Adds one decoded route to a dump accumulator (same metric rule as `apply`). */
export function accumulate(into: Map<PrefixKey, KernelAlt[]>, prefix: PrefixKey, alt: KernelAlt): void {
  const list = into.get(prefix);
  if (list === undefined) into.set(prefix, [alt]);
  else {
    const i = list.findIndex((a) => a.metric === alt.metric);
    if (i >= 0) list[i] = alt;
    else list.push(alt);
  }
}
