/**
 * DOC: rtnetlink multicast monitors (`subscribe`): one monitor process per Petrel process, shared by every
 * subscriber (the FIB, the kernel learner, the tunnel manager), with its messages handed to the subscribers whose
 * groups they belong to.
 *
 * Why one process: every subscriber of the IPv4 route group receives every route notification, so with one monitor
 * process each, a bulk install of a million routes was read (two recvmsg each) and relayed three times, and each
 * reader could overrun on its own and force its consumer's resync. Shared, the routes are read once, and the echoes
 * of the FIB's own writes are dropped in the monitor process before they cross the pipe (`silencePort`).
 *
 * The socket lives in a child process (`monitor-child.ts` explains the netlink package defect that forces it): when
 * that process dies, which is what an overrun does to it, every subscriber's `onResync` is called and a new one is
 * started with the union of their groups. Joining a group the running process lacks is a command on its stdin; the
 * process answers each join, and after that, with a zero-length frame (FIFO), so `subscribe` resolves only once
 * its groups are joined. A subscriber may be offered a message of a group it did not ask for only when the
 * message's group cannot be told from its type (none of the types Petrel joins).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Af, RtnlGroup } from './constants';
import { FibError } from './errors';
import { forEachMessage } from './header';

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
   * again to resync; the subscription carries on (its socket is reopened).
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
let child: ChildProcess | undefined;
let joined = new Set<number>();
let recvBufferSize = 0;
/** Resolvers of the zero-length frames still expected (spawn ready, then one per join command). */
let acks: { resolve: () => void; reject: (e: FibError) => void }[] = [];
let starting: Promise<void> | undefined;

/** Drops the notifications carrying `port` (a transport's own writes) in the monitor process. */
export function silencePort(port: number): void {
  silenced.add(port);
  send({ ignorePorts: [...silenced] });
}

/** Undoes `silencePort`. */
export function unsilencePort(port: number): void {
  if (silenced.delete(port)) send({ ignorePorts: [...silenced] });
}

function send(cmd: object): void {
  child?.stdin?.write(`${JSON.stringify(cmd)}\n`);
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

function deliver(dgram: Buffer): void {
  forEachMessage(dgram, (off, len) => {
    const g = groupOf(dgram, off);
    const msg = dgram.subarray(off, off + len);
    for (const s of subs) if (g === 0 || s.groups.has(g)) s.handlers.onMessage(msg);
  });
}

function spawnChild(): Promise<void> {
  const groups = new Set<number>();
  for (const s of subs) for (const g of s.groups) groups.add(g);
  joined = groups;
  const arg = JSON.stringify({ groups: [...groups], recvBufferSize: recvBufferSize || undefined, ignorePorts: [...silenced] });
  const c = spawn(process.execPath, [join(__dirname, 'monitor-child.js'), arg], { stdio: ['pipe', 'pipe', 'inherit'] });
  child = c;
  c.stdin!.on('error', () => undefined); // the child is gone; its exit handler decides what follows
  const ready = new Promise<void>((resolve, reject) => acks.push({ resolve, reject }));
  let pending: Buffer = Buffer.alloc(0);
  c.stdout!.on('data', (data: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, data]) : data;
    let p = 0;
    while (pending.length - p >= 4) {
      const len = pending.readUInt32LE(p);
      if (pending.length - p - 4 < len) break;
      const dgram = pending.subarray(p + 4, p + 4 + len);
      p += 4 + len;
      if (len === 0) acks.shift()?.resolve();
      else if (child === c) deliver(dgram);
    }
    pending = pending.subarray(p);
  });
  c.on('error', (err) => {
    for (const a of acks.splice(0)) a.reject(new FibError(`netlink monitor could not start: ${err.message}`));
  });
  c.on('exit', (code) => {
    if (child !== c) return;
    child = undefined;
    const waiting = acks.splice(0);
    for (const a of waiting) a.reject(new FibError(`netlink monitor exited before joining its groups (code ${code})`));
    // The subscribers still waiting leave (their subscribe rejects); the established ones resync on a new process.
    setImmediate(() => {
      if (subs.size === 0 || child !== undefined) return;
      for (const s of subs) s.handlers.onResync?.();
      ensureChild().catch((err: FibError) => {
        for (const s of [...subs]) {
          subs.delete(s);
          s.handlers.onError?.(err);
        }
      });
    });
  });
  return ready;
}

/** Starts the monitor process if none runs (one start at a time). */
function ensureChild(): Promise<void> {
  if (child !== undefined) return starting ?? Promise.resolve();
  const run = spawnChild().finally(() => {
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
    if (child === undefined) await ensureChild();
    else {
      await starting;
      const missing = groups.filter((g) => !joined.has(g));
      if (missing.length > 0 || (opts.recvBufferSize ?? 0) > 0) {
        for (const g of missing) joined.add(g);
        const acked = new Promise<void>((resolve, reject) => acks.push({ resolve, reject }));
        send({ join: missing, recvBufferSize: recvBufferSize || undefined });
        await acked;
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
      if (subs.size === 0 && child !== undefined) {
        const c = child;
        child = undefined;
        for (const a of acks.splice(0)) a.reject(new FibError('netlink monitor closed'));
        c.stdin?.end();
        c.kill();
      }
    },
  };
}
