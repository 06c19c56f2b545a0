/**
 * DOC: one batch of FIB writes being built or in flight: the encoded rtnetlink messages back to back (one
 * NlWriter, sent by NetlinkTransport.batch in as few sendmsg calls as the buffers allow) and, in parallel arrays,
 * the operation each message belongs to, so that a per-message failure (BatchFailure.index) maps back to its prefix
 * and to the installed state before and after the operation.
 *
 * An operation is one prefix: a REPLACE (RTM_NEWROUTE with NLM_F_CREATE|NLM_F_REPLACE), a DELETE, or both when the
 * metric changes (the kernel keys routes by destination, TOS and metric: a REPLACE with another metric would add a
 * second route, so the old one is deleted first). Messages carry the FIB's table and protocol (from the shape
 * templates). Parallel arrays of primitives and references, reset and reused: no object per route.
 * Memory: the arrays keep their capacity across batches (typed arrays for numbers; `prev`/`next` are overwritten by
 * index and cleared, never truncated). Truncating them (`length = 0`) freed their backing stores, so every batch
 * grew new ones while it was in flight: long enough to be promoted, ~40 MB of old-generation garbage at a million
 * routes, which was most of the difference in peak RSS between S1 with the FIB on and off.
 */
import { NlWriter, ROUTE_DELETE_FLAGS, ROUTE_REPLACE_FLAGS, RtmType, encodeRoute, type Route } from './netlink/codec';
import type { RouteShape } from './route-shape';
import { ipv4KeyAddr, ipv4KeyLen, type PrefixKey } from '../util/prefix';

/** Flags of an operation. */
export const enum OpFlag {
  None = 0,
  /** A DELETE of the old metric precedes the REPLACE. */
  MetricChange = 1,
  /** Deletes a route of ours the installed table does not track (found by a scan). */
  Extra = 2,
}

/** The batch under construction (reused across batches). */
export class FibBatch {
  /** Shared memory: a route writer thread reads the batch in place (route-writer.ts). */
  readonly w = new NlWriter(1 << 20, true);
  /**
   * Per operation: the prefix key (`keyAt`). IPv4 keys are numbers up to 2^38, boxed by V8 above 2^31: kept in a
   * Float64Array they are not objects that live until the batch settles (promoted to the old generation at a
   * million routes, they were tens of MB of garbage at the FIB's peak). IPv6 keys (strings) in `v6keys`.
   */
  private v4keys = new Float64Array(8192);
  private readonly v6keys: (string | undefined)[] = [];
  private count = 0;
  private nmsg = 0;
  /** Per operation (index < `ops`): the installed shape before, the one after (null: deleted), OpFlag bits. */
  readonly prev: (RouteShape | undefined)[] = [];
  readonly next: (RouteShape | null)[] = [];
  flags = new Uint8Array(8192);
  /** Per message (index < `messages`): its operation, and whether it is a DELETE (1). */
  msgOp = new Int32Array(8192);
  msgDel = new Uint8Array(8192);
  private readonly v6dst = Buffer.alloc(16);
  private readonly extra: Route = { family: 2, dstLen: 0 };

  get ops(): number {
    return this.count;
  }

  /** The prefix of operation `op`. */
  keyAt(op: number): PrefixKey {
    return this.v6keys[op] ?? this.v4keys[op];
  }

  get messages(): number {
    return this.nmsg;
  }

  /** Records a REPLACE of `k` to `next` (after a DELETE of `prev` when the metric changes). */
  replace(k: PrefixKey, prev: RouteShape | undefined, next: RouteShape): void {
    const metricChange = prev !== undefined && prev.metric !== next.metric;
    const op = this.begin(k, prev, next, metricChange ? OpFlag.MetricChange : OpFlag.None);
    if (metricChange) this.encode(op, true, prev.del, k);
    this.encode(op, false, next.add, k);
  }

  /** Records a DELETE of the route `prev` of `k`. */
  remove(k: PrefixKey, prev: RouteShape): void {
    this.encode(this.begin(k, prev, null, OpFlag.None), true, prev.del, k);
  }

  /** Records a DELETE of an untracked route of ours (table/protocol/metric as found in the kernel). */
  removeExtra(k: PrefixKey, family: number, table: number, protocol: number, metric: number): void {
    const r = this.extra;
    r.family = family as Route['family'];
    r.table = table;
    r.protocol = protocol;
    r.priority = metric;
    this.encode(this.begin(k, undefined, null, OpFlag.Extra), true, r, k);
  }

  reset(): void {
    this.w.reset();
    this.prev.fill(undefined, 0, this.count);
    this.next.fill(null, 0, this.count);
    if (this.v6keys.length > 0) this.v6keys.fill(undefined, 0, this.count);
    this.count = 0;
    this.nmsg = 0;
  }

  private begin(k: PrefixKey, prev: RouteShape | undefined, next: RouteShape | null, flags: number): number {
    const op = this.count++;
    if (op === this.v4keys.length) {
      this.v4keys = grown(this.v4keys, new Float64Array(op * 2));
      this.flags = grown(this.flags, new Uint8Array(op * 2));
    }
    if (typeof k === 'number') this.v4keys[op] = k; // v6keys[op] is undefined: reset clears what a batch set
    else {
      while (this.v6keys.length < op) this.v6keys.push(undefined);
      this.v6keys[op] = k;
    }
    if (op < this.prev.length) {
      this.prev[op] = prev;
      this.next[op] = next;
    } else {
      this.prev.push(prev);
      this.next.push(next);
    }
    this.flags[op] = flags;
    return op;
  }

  private encode(op: number, del: boolean, tpl: Route, k: PrefixKey): void {
    if (typeof k === 'number') {
      tpl.dst = ipv4KeyAddr(k);
      tpl.dstLen = ipv4KeyLen(k);
    } else {
      this.v6dst.write(k, 0, 16, 'latin1');
      tpl.dst = this.v6dst;
      tpl.dstLen = k.charCodeAt(16);
    }
    encodeRoute(this.w, del ? RtmType.DelRoute : RtmType.NewRoute, del ? ROUTE_DELETE_FLAGS : ROUTE_REPLACE_FLAGS, 0, tpl);
    tpl.dst = undefined;
    const m = this.nmsg++;
    if (m === this.msgOp.length) {
      this.msgOp = grown(this.msgOp, new Int32Array(m * 2));
      this.msgDel = grown(this.msgDel, new Uint8Array(m * 2));
    }
    this.msgOp[m] = op;
    this.msgDel[m] = del ? 1 : 0;
  }
}

/** `bigger` with `a` copied into its start. */
function grown<T extends Float64Array | Int32Array | Uint8Array>(a: T, bigger: T): T {
  bigger.set(a);
  return bigger;
}
