/**
 * DOC: rtnetlink multicast monitors (`subscribe`): one monitor socket per Petrel process, shared by every
 * subscriber (the FIB, the kernel learner, the tunnel manager), with its messages handed to the subscribers whose
 * groups they belong to.
 *
 * Why one socket: every subscriber of the IPv4 route group receives every route notification, so with one socket
 * each, a bulk install of a million routes was read and relayed three times, and each reader could overrun on its
 * own and force its consumer's resync. Shared, the routes are read once, and the echoes of the FIB's own writes are
 * dropped before they are read (`silencePort`: an in-kernel socket filter, else a check here).
 *
 * Where the socket lives (monitor-backend.ts): in this process, read by a native thread (monitor-native.ts), when
 * the addon has the monitor; otherwise in a child node process (monitor-process.ts, ~50 MB more RSS). Setting
 * `PETREL_NETLINK_MONITOR=child` forces the child process. An overrun (ENOBUFS) calls every subscriber's
 * `onResync`; the native socket carries on, a child process dies of it and is replaced, as is a native socket
 * that fails: a new one is opened with the union of the subscribers' groups. `subscribe` resolves only once its
 * groups are joined. A subscriber may be offered a message of a group it did not ask for only when the message's
 * group cannot be told from its type (none of the types Petrel joins).
 */
import { Af, RtnlGroup } from './constants';
import { FibError } from './errors';
import { forEachMessage } from './header';
import type { BackendEvents, MonitorBackend, MonitorImplementation } from './monitor-backend';
import { hasNativeMonitor, openNativeMonitor } from './monitor-native';
import { startProcessMonitor } from './monitor-process';
import { loadSockoptAddon } from '../../util/sockopt-addon';

export type { MonitorImplementation } from './monitor-backend';

/** A multicast subscription; `close()` stops it. */
export interface Monitor {
  close(): void;
}

/** Callbacks of `subscribe`. */
export interface MonitorHandlers {
  /** One kernel notification (a view of one message, header included; decode with `decodeMessage`). */
  onMessage: (msg: Buffer) => void;
  /**
   * Notifications were lost (the kernel overran the receive buffer: ENOBUFS). The consumer must dump the tables
   * again to resync; the subscription carries on.
   */
  onResync?: () => void;
  /** The monitor could not be (re)started; the subscription is over. */
  onError?: (err: FibError) => void;
}

interface Sub {
  groups: ReadonlySet<number>;
  handlers: MonitorHandlers;
}

const subs = new Set<Sub>();
const silenced = new Set<number>();
let backend: MonitorBackend | undefined;
let joined = new Set<number>();
let recvBufferSize = 0;
let starting: Promise<void> | undefined;

/** Drops the notifications carrying `port` (a transport's own writes) before the subscribers see them. */
export function silencePort(port: number): void {
  silenced.add(port);
  backend?.ignorePorts([...silenced]);
}

/** Undoes `silencePort`. */
export function unsilencePort(port: number): void {
  if (silenced.delete(port)) backend?.ignorePorts([...silenced]);
}

/** The implementation holding the monitor socket now, or undefined when no subscription is open. */
export function monitorImplementation(): MonitorImplementation | undefined {
  return backend?.implementation;
}

/** The group a notification belongs to (RtnlGroup), or 0 when its type does not say. */
function groupOf(m: Buffer, off: number): number {
  const type = m.readUInt16LE(off + 4);
  const family = m.length > off + 16 ? m[off + 16] : 0;
  switch (type) {
    case 16: case 17: return RtnlGroup.Link;
    case 20: case 21: return family === Af.Inet6 ? RtnlGroup.Ipv6Ifaddr : RtnlGroup.Ipv4Ifaddr;
    case 24: case 25: return family === Af.Inet6 ? RtnlGroup.Ipv6Route : RtnlGroup.Ipv4Route;
    case 28: case 29: return RtnlGroup.Neigh;
    default: return 0;
  }
}

function visit(dgrams: Buffer, off: number, len: number): void {
  if (silenced.size > 0 && silenced.has(dgrams.readUInt32LE(off + 12))) return; // when no socket filter took it
  const g = groupOf(dgrams, off);
  const msg = dgrams.subarray(off, off + len);
  for (const s of subs) if (g === 0 || s.groups.has(g)) s.handlers.onMessage(msg);
}

const events: BackendEvents = {
  data: (dgrams) => forEachMessage(dgrams, (off, len) => visit(dgrams, off, len)),
  overrun: () => {
    for (const s of subs) s.handlers.onResync?.();
  },
  lost: () => {
    backend = undefined;
    // The subscribers still waiting leave (their subscribe rejects); the established ones resync on a new socket.
    setImmediate(() => {
      if (subs.size === 0 || backend !== undefined) return;
      for (const s of subs) s.handlers.onResync?.();
      ensureBackend().catch((err: FibError) => {
        for (const s of [...subs]) {
          subs.delete(s);
          s.handlers.onError?.(err);
        }
      });
    });
  },
};

/** Opens the native monitor when the addon has it (and the child process is not asked for), else starts one. */
function open(): Promise<void> {
  const start = { groups: [...joined], recvBufferSize, ignorePorts: [...silenced] };
  const addon = process.env.PETREL_NETLINK_MONITOR === 'child' ? null : loadSockoptAddon();
  if (hasNativeMonitor(addon)) {
    try {
      backend = openNativeMonitor(addon, start, events);
      return Promise.resolve();
    } catch (e) {
      process.stderr.write(`petrel monitor: in-process netlink monitor failed (${e instanceof Error ? e.message : String(e)}); using a child process\n`);
    }
  }
  const p = startProcessMonitor(start, events);
  backend = p.backend;
  return p.ready;
}

/** Opens the monitor socket if none is open (one start at a time), joined to every subscriber's groups. */
function ensureBackend(): Promise<void> {
  if (backend !== undefined) return starting ?? Promise.resolve();
  joined = new Set<number>();
  for (const s of subs) for (const g of s.groups) joined.add(g);
  const run = open().finally(() => {
    if (starting === run) starting = undefined;
  });
  starting = run;
  return run;
}

/**
 * Joins the rtnetlink multicast `groups` (RtnlGroup values) in this process's network namespace and calls
 * `onMessage` per notification of those groups. Resolves once the groups are joined (nothing sent after that is
 * missed). `recvBufferSize`: SO_RCVBUF of the shared socket (the largest asked for applies; default 4 MiB).
 */
export async function subscribe(groups: readonly number[], handlers: MonitorHandlers, opts: { recvBufferSize?: number } = {}): Promise<Monitor> {
  const sub: Sub = { groups: new Set(groups), handlers };
  recvBufferSize = Math.max(recvBufferSize, opts.recvBufferSize ?? 0);
  subs.add(sub);
  try {
    if (backend === undefined) await ensureBackend();
    else {
      await starting;
      const missing = groups.filter((g) => !joined.has(g));
      if (missing.length > 0 || (opts.recvBufferSize ?? 0) > 0) {
        for (const g of missing) joined.add(g);
        if (backend === undefined) throw new FibError('netlink monitor closed');
        await backend.join(missing, recvBufferSize);
      }
    }
  } catch (e) {
    subs.delete(sub);
    throw e;
  }
  let closed = false;
  return {
    close: () => {
      if (closed) return;
      closed = true;
      subs.delete(sub);
      if (subs.size === 0 && backend !== undefined) {
        const b = backend;
        backend = undefined;
        b.close();
      }
    },
  };
}
