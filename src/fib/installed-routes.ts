/**
 * DOC: the FIB's installed table: what we believe the kernel holds of ours, one interned RouteShape per prefix.
 *
 * Why not a Map: at a million routes a Map costs ~40 octets an entry; this table stores the shape's id in a
 * `ShapeIdArray` indexed by the Loc-RIB's prefix slot (loc-rib.ts: every prefix has a slot for the table's lifetime),
 * 2 octets an entry outside the V8 heap (shape-id-array.ts), and a caller that already has the slot (the FIB reading the journal) skips the hash lookup
 * (`getAt`/`setAt`). A prefix the Loc-RIB has never seen (a route of ours adopted from the kernel at start, a
 * kernel notification) is given a slot there (`LocRib.slotOf`): a slot without routes, which the RIB never
 * reuses, so the mapping stays valid. A family without a Loc-RIB (not configured) falls back to a PrefixMap.
 * Keys iterate per family in slot order.
 */
import type { LocRib } from '../rib/loc-rib';
import type { RouteShape, ShapeTable } from './route-shape';
import { ShapeIdArray } from './shape-id-array';
import { PrefixMap } from '../util/prefix-map';
import type { PrefixKey } from '../util/prefix';

class FamilyTable {
  readonly ids = new ShapeIdArray();
  count = 0;
  constructor(readonly rib: LocRib) {}
}

/** The read side the scan needs. */
export interface InstalledView {
  readonly size: number;
  get(k: PrefixKey): RouteShape | undefined;
  keys(): Iterable<PrefixKey>;
}

export class InstalledRoutes implements InstalledView {
  private readonly v4: FamilyTable | undefined;
  private readonly v6: FamilyTable | undefined;
  private readonly other = new PrefixMap<RouteShape>();

  /** `shapes` resolves the stored ids: every shape stored here must be held (acquired) in it. */
  constructor(
    v4: LocRib | undefined,
    v6: LocRib | undefined,
    private readonly shapes: ShapeTable,
  ) {
    this.v4 = v4 && new FamilyTable(v4);
    this.v6 = v6 && new FamilyTable(v6);
  }

  get size(): number {
    return (this.v4?.count ?? 0) + (this.v6?.count ?? 0) + this.other.size;
  }

  get(k: PrefixKey): RouteShape | undefined {
    const f = this.familyOf(k);
    if (f === undefined) return this.other.get(k);
    const slot = f.rib.findSlot(k);
    return slot < 0 ? undefined : this.shapes.byId(f.ids.get(slot));
  }

  has(k: PrefixKey): boolean {
    return this.get(k) !== undefined;
  }

  set(k: PrefixKey, shape: RouteShape): void {
    const f = this.familyOf(k);
    if (f === undefined) this.other.set(k, shape);
    else this.setAt(f.rib, f.rib.slotOf(k), shape);
  }

  delete(k: PrefixKey): boolean {
    const f = this.familyOf(k);
    if (f === undefined) return this.other.delete(k);
    const slot = f.rib.findSlot(k);
    return slot >= 0 && this.deleteAt(f.rib, slot);
  }

  /** The shape at `slot` of `rib` (one of the two Loc-RIBs given to the constructor). */
  getAt(rib: LocRib, slot: number): RouteShape | undefined {
    return this.shapes.byId(this.tableOf(rib).ids.get(slot));
  }

  setAt(rib: LocRib, slot: number, shape: RouteShape): void {
    const f = this.tableOf(rib);
    if (f.ids.get(slot) === 0) f.count++;
    f.ids.set(slot, shape.id);
  }

  deleteAt(rib: LocRib, slot: number): boolean {
    const f = this.tableOf(rib);
    if (f.ids.get(slot) === 0) return false;
    f.ids.set(slot, 0);
    f.count--;
    return true;
  }

  *keys(): IterableIterator<PrefixKey> {
    for (const f of [this.v4, this.v6]) {
      if (f === undefined) continue;
      for (let s = 0, n = f.ids.length; s < n; s++) if (f.ids.get(s) !== 0) yield f.rib.keyOf(s);
    }
    yield* this.other.keys();
  }

  private familyOf(k: PrefixKey): FamilyTable | undefined {
    return typeof k === 'number' ? this.v4 : this.v6;
  }

  private tableOf(rib: LocRib): FamilyTable {
    if (rib === this.v4?.rib) return this.v4;
    return this.v6!;
  }
}
