/**
 * DOC: the child-process monitor backend: the multicast rtnetlink socket lives in `monitor-child.js`, a node
 * process of its own, which relays what it reads over a pipe. The fallback of `monitor.ts` when the native addon
 * (monitor-native.ts) cannot be used, or when `PETREL_NETLINK_MONITOR=child` asks for it.
 *
 * Why a process: the `netlink` package aborts its process on an overrun (monitor-child.ts). An overrun therefore
 * kills the child, which is reported as `lost` (monitor.ts resyncs every subscriber and starts a new one).
 * Protocol: the child's stdout carries frames (u32 little-endian length, then whole netlink messages); a
 * zero-length frame answers the spawn and then each join command, in order (FIFO), so a join resolves only once
 * its groups are joined. Commands go to its stdin as JSON lines (`{ ignorePorts }`, `{ join, recvBufferSize }`).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { FibError } from './errors';
import type { BackendEvents, BackendStart, MonitorBackend } from './monitor-backend';

/** Starts a monitor process; the promise resolves once it has joined `start.groups`. */
export function startProcessMonitor(start: BackendStart, events: BackendEvents): { backend: MonitorBackend; ready: Promise<void> } {
  const arg = JSON.stringify({ groups: start.groups, recvBufferSize: start.recvBufferSize || undefined, ignorePorts: start.ignorePorts });
  const c = spawn(process.execPath, [join(__dirname, 'monitor-child.js'), arg], { stdio: ['pipe', 'pipe', 'inherit'] });
  /** Resolvers of the zero-length frames still expected (spawn ready, then one per join command). */
  const acks: { resolve: () => void; reject: (e: FibError) => void }[] = [];
  let closed = false;
  const send = (cmd: object): void => {
    c.stdin?.write(`${JSON.stringify(cmd)}\n`);
  };
  c.stdin!.on('error', () => undefined); // the child is gone; its exit handler decides what follows
  const ready = new Promise<void>((resolve, reject) => acks.push({ resolve, reject }));
  let pending: Buffer = Buffer.alloc(0);
  c.stdout!.on('data', (data: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, data]) : data;
    let p = 0;
    while (pending.length - p >= 4) {
      const len = pending.readUInt32LE(p);
      if (pending.length - p - 4 < len) break;
      const frame = pending.subarray(p + 4, p + 4 + len);
      p += 4 + len;
      if (len === 0) acks.shift()?.resolve();
      else if (!closed) events.data(frame);
    }
    pending = pending.subarray(p);
  });
  c.on('error', (err) => {
    for (const a of acks.splice(0)) a.reject(new FibError(`netlink monitor could not start: ${err.message}`));
  });
  c.on('exit', (code) => {
    for (const a of acks.splice(0)) a.reject(new FibError(`netlink monitor exited before joining its groups (code ${code})`));
    if (closed) return;
    closed = true;
    events.lost();
  });
  const backend: MonitorBackend = {
    implementation: 'child',
    join: (groups, recvBufferSize) => {
      const acked = new Promise<void>((resolve, reject) => acks.push({ resolve, reject }));
      send({ join: groups, recvBufferSize: recvBufferSize || undefined });
      return acked;
    },
    ignorePorts: (ports) => send({ ignorePorts: ports }),
    close: () => {
      if (closed) return;
      closed = true;
      for (const a of acks.splice(0)) a.reject(new FibError('netlink monitor closed'));
      c.stdin?.end();
      c.kill();
    },
  };
  return { backend, ready };
}
