/**
 * DOC: locally originated routes (static blackholes for this node's blocks, service ranges, `via` routes, and
 * routes learned from the kernel) entering the Loc-RIB under a local route source.
 *
 * Local sources carry BIRD's protocol preferences so best path prefers them as BIRD does (static 200, kernel 10,
 * direct 240 — BIRD's defaults), and export rules give them our own next hop on every session.
 */
import type { PrefixKey } from '../util/prefix';
import type { AttrInterner, AttrFields } from './attrs/intern';
import { emptyAttrFields } from './attrs/intern';
import type { LocRib } from './loc-rib';
import { SourceKind, type RouteSource } from './types';

let nextLocalId = 1_000_000;

const PREFERENCE: Record<number, number> = { [SourceKind.Static]: 200, [SourceKind.Kernel]: 10, [SourceKind.Direct]: 240 };

/** A local route source such as `static1`, `kernel1` or `direct1`. */
export function localSource(name: string, kind: SourceKind.Static | SourceKind.Kernel | SourceKind.Direct): RouteSource {
  return { id: nextLocalId++, name, kind, address: '', routerId: 0, peerAs: 0, rrClient: false, preference: PREFERENCE[kind] };
}

/** Adds or replaces a local route; `fields` defaults to ORIGIN IGP with an empty AS path and no next hop. */
export function originate(rib: LocRib, interner: AttrInterner, source: RouteSource, prefix: PrefixKey, fields: AttrFields = emptyAttrFields(), preference = source.preference): void {
  const set = interner.internSet(fields);
  rib.upsert(prefix, source, 0, set, interner.ref(set), preference);
}

/** Removes a local route. */
export function retract(rib: LocRib, source: RouteSource, prefix: PrefixKey): void {
  rib.withdraw(prefix, source, 0);
}
