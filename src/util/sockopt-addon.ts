/**
 * DOC: loads the native socket-options addon (native/sockopt.c, built by `npm ci` through node-gyp) once per
 * process, for its two users: per-peer TCP security (bgp/session/socket-options.ts) and the kernel monitor's
 * netlink socket (fib/netlink/monitor-native.ts: the in-process monitor itself, an in-kernel echo filter and a
 * forced receive buffer; monitor-child.ts, the fallback, uses the last two).
 * `PETREL_SOCKOPT_ADDON` overrides the addon path (tests). When the addon cannot be loaded, `loadSockoptAddon`
 * returns null and `sockoptAddonError` says why; each user decides whether that is fatal.
 */
import { join } from 'node:path';

/** The addon's exports (native/sockopt.c). */
export interface SockoptAddon {
  socket(v6: boolean): number;
  setInt(fd: number, level: number, name: number, value: number): void;
  getInt(fd: number, level: number, name: number): number;
  setMd5Key(fd: number, address: string, key: string): void;
  savedSynTtl(fd: number): number;
  /** SO_ATTACH_FILTER: `program` is a classic BPF program, 8 octets per instruction (struct sock_filter). */
  attachFilter(fd: number, program: Buffer): void;
  IPPROTO_TCP: number;
  TCP_SAVE_SYN: number;
  IPPROTO_IP: number;
  IPPROTO_IPV6: number;
  IP_TTL: number;
  IP_MINTTL: number;
  IPV6_UNICAST_HOPS: number;
  IPV6_MINHOPCOUNT: number;
  SOL_SOCKET: number;
  SO_RCVBUFFORCE: number;
  /**
   * Opens the in-process rtnetlink monitor (native/nlmonitor.c): a bound NETLINK_ROUTE socket without groups and
   * a reader thread. `callback(batch, event)` runs on the main thread: event 0 = `batch` holds datagrams (each
   * padded to 4 octets), 1 = overrun (notifications lost; the socket carries on), 2 = the socket failed (the
   * reader stopped). Absent from addons built before it existed.
   */
  nlMonitorOpen?(callback: (batch: Buffer | null, event: number) => void): NlMonitorHandle;
  /** The monitor socket's fd (-1 once closed). */
  nlMonitorFd?(h: NlMonitorHandle): number;
  /** NETLINK_ADD_MEMBERSHIP; joined when it returns. */
  nlMonitorJoin?(h: NlMonitorHandle, group: number): void;
  /** SO_RCVBUFFORCE, else SO_RCVBUF; returns the resulting SO_RCVBUF. */
  nlMonitorRecvBuffer?(h: NlMonitorHandle, size: number): number;
  /** Whether the monitor keeps the event loop alive (it does after open). */
  nlMonitorRef?(h: NlMonitorHandle, ref: boolean): void;
  /** Stops the reader thread and closes the socket (idempotent). */
  nlMonitorClose?(h: NlMonitorHandle): void;
  /**
   * Opens the native route writer (native/nlwriter.c): a bound NETLINK_ROUTE request socket and its thread. Sizes
   * of 0 take the defaults (4 MiB buffers, chunks as transport.ts computes them, 30 s timeout). `callback(id,
   * result, errno)` runs on the main thread once per submitted batch: `result` is null when the batch failed
   * as a whole (`errno` says why). Absent from addons built before it existed.
   */
  nlWriterOpen?(
    callback: (id: number, result: NlWriterResult | null, errno: number) => void,
    recvBufferSize: number,
    sendBufferSize: number,
    maxChunkBytes: number,
    maxChunkMessages: number,
    timeoutMs: number,
  ): NlWriterHandle;
  /** The writer socket's netlink port id. */
  nlWriterPort?(h: NlWriterHandle): number;
  /** Queues a batch (run in place: keep `bytes` alive and untouched until its callback). */
  nlWriterSubmit?(h: NlWriterHandle, id: number, bytes: Uint8Array, acksAll: boolean): void;
  /** Whether the writer keeps the event loop alive (it does after open). */
  nlWriterRef?(h: NlWriterHandle, ref: boolean): void;
  /** Stops the thread (joined when this returns) and closes the socket (idempotent). */
  nlWriterClose?(h: NlWriterHandle): void;
}

/** An open native route writer (an opaque external). */
export type NlWriterHandle = { readonly __nlWriter: unique symbol };

/** What the native writer reports per batch (the shape of transport.ts's BatchResult). */
export interface NlWriterResult {
  count: number;
  failed: { index: number; seq: number; errno: number; type: number; extMessage?: string }[];
  unknown: number[];
  acked: number;
}

/** An open native monitor (an opaque external). */
export type NlMonitorHandle = { readonly __nlMonitor: unique symbol };

let addon: SockoptAddon | null | undefined;
let loadError = '';

/** The addon, loaded on first use; null (and `sockoptAddonError()` says why) when it cannot be loaded. */
export function loadSockoptAddon(): SockoptAddon | null {
  if (addon !== undefined) return addon;
  const path = process.env.PETREL_SOCKOPT_ADDON || join(__dirname, '..', '..', '..', 'native', 'build', 'Release', 'petrel_sockopt.node');
  try {
    addon = require(path) as SockoptAddon;
  } catch (e) {
    addon = null;
    loadError = `cannot load the native socket-options addon ${path}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)} (rebuild it with "npm ci" or "npx node-gyp rebuild -C native")`;
  }
  return addon;
}

/** Why the addon could not be loaded ('' when it was, or was not tried yet). */
export function sockoptAddonError(): string {
  return loadError;
}
