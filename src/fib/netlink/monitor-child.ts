/**
 * DOC: the process that owns a multicast rtnetlink socket for `subscribe()` (monitor.ts) and relays what it
 * receives to its parent over stdout (monitor-process.ts). The fallback: when the native addon has the in-process
 * monitor (monitor-native.ts), this process is not started.
 *
 * Why a child process: the `netlink` package's native poll callback aborts the whole process (std::terminate on a
 * NULL syscall name in its error path) when the kernel flags an overrun (ENOBUFS makes epoll report EPOLLERR). A
 * busy route monitor can overrun, so the socket lives here: if this process dies, the parent treats it as the
 * ENOBUFS resync signal and starts a new one. It inherits the parent's network namespace.
 * The package exposes no setsockopt beyond SO_RCVBUF/SO_SNDBUF and memberships; the native addon
 * (util/sockopt-addon.ts) adds the two this socket needs: SO_RCVBUFFORCE (a buffer above net.core.rmem_max, as
 * root) and SO_ATTACH_FILTER.
 *
 * Echo filter: a notification caused by a request carries the requester's port id in `nlmsg_pid`. Messages from
 * the ports in `ignorePorts` (the parent's writers opened with `silenceEchoes`, such as the FIB's; updated through
 * stdin) are dropped in the kernel by a socket filter (echo-filter.ts), so a bulk install of a million routes never
 * reaches this process. Without the addon they are dropped here, in JS, after one read per route: same result,
 * more CPU and more overruns. Everything else is relayed in order.
 * Relay: messages kept from the datagrams read in one burst are gathered into one frame, written when the burst
 * ends (setImmediate) or when 256 KiB are gathered: a write per burst, not two per datagram.
 * Framing on stdout: u32 little-endian length, then whole netlink messages. A zero-length frame means "groups
 * joined". stdout is a pipe, which Node writes synchronously on Linux: a slow parent stalls this reader, the kernel
 * queue overflows, and that too ends in a resync rather than in unbounded memory.
 * Arguments: JSON `{ groups: number[], recvBufferSize?: number, ignorePorts?: number[] }`; stdin: lines of JSON
 * commands (below); its end ends this process. One such process serves every subscriber of its parent (monitor.ts).
 */
import { RawNetlinkSocket } from 'netlink';
import { writeSync } from 'node:fs';
import { NETLINK_ROUTE, NLMSG_HDRLEN } from './constants';
import { echoFilterProgram, netlinkSocketFd } from './echo-filter';
import { loadSockoptAddon } from '../../util/sockopt-addon';

const args = JSON.parse(process.argv[2] ?? '{}') as { groups: number[]; recvBufferSize?: number; ignorePorts?: number[] };
let ignore = new Set(args.ignorePorts ?? []);
const sock = new RawNetlinkSocket(NETLINK_ROUTE, { recvBufferSize: args.recvBufferSize ?? 4 << 20, sendBufferSize: 32 << 10 });
for (const g of args.groups) sock.addMembership(g);
const addon = loadSockoptAddon();
const fd = addon === null ? -1 : netlinkSocketFd(sock.address().port);

/** SO_RCVBUFFORCE when the addon is there (not capped by net.core.rmem_max), else the package's SO_RCVBUF. */
function setRecvBuffer(size: number): void {
  if (fd >= 0) {
    try {
      addon!.setInt(fd, addon!.SOL_SOCKET, addon!.SO_RCVBUFFORCE, size);
      return;
    } catch {
      // not root: fall back to the capped option
    }
  }
  sock.setRecvBufferSize(size);
}

/** Puts the current `ignore` set into the kernel's socket filter (no-op without the addon). */
function applyFilter(): void {
  if (fd < 0) return;
  try {
    addon!.attachFilter(fd, echoFilterProgram([...ignore]));
  } catch (e) {
    process.stderr.write(`petrel monitor: socket filter not attached (${e instanceof Error ? e.message : String(e)}); filtering in JS\n`);
  }
}

setRecvBuffer(args.recvBufferSize ?? 4 << 20);
applyFilter();

const ready = Buffer.alloc(4);
const FLUSH_AT = 256 << 10;
let out = Buffer.allocUnsafe(FLUSH_AT + (64 << 10));
let used = 4;
let flushScheduled = false;

function write(b: Buffer): void {
  try {
    writeSync(1, b);
  } catch {
    process.exit(0); // the parent went away
  }
}

function flush(): void {
  flushScheduled = false;
  if (used === 4) return;
  out.writeUInt32LE(used - 4, 0);
  let off = 0;
  while (off < used) {
    try {
      off += writeSync(1, out, off, used - off);
    } catch {
      process.exit(0);
    }
  }
  used = 4;
}

function keep(buf: Buffer, off: number, len: number): void {
  const padded = (len + 3) & ~3;
  if (used + padded > out.length) {
    const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, used + padded));
    out.copy(bigger, 0, 0, used);
    out = bigger;
  }
  buf.copy(out, used, off, off + len);
  out.fill(0, used + len, used + padded);
  used += padded;
}

sock.on('message', (buf: Buffer) => {
  let off = 0;
  while (off + NLMSG_HDRLEN <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (len < NLMSG_HDRLEN || off + len > buf.length) break;
    if (ignore.size === 0 || !ignore.has(buf.readUInt32LE(off + 12))) keep(buf, off, len);
    off += (len + 3) & ~3;
  }
  if (used >= FLUSH_AT) flush();
  else if (used > 4 && !flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
});
sock.on('error', () => {
  flush();
  process.exit(3);
});
// stdin: newline-delimited JSON commands from the parent: `{ ignorePorts }` (the set to drop from now on) and
// `{ join, recvBufferSize? }` (more groups; answered with a zero-length frame once joined).
let line = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d: string) => {
  line += d;
  for (let nl = line.indexOf('\n'); nl >= 0; nl = line.indexOf('\n')) {
    const cmd = JSON.parse(line.slice(0, nl)) as { ignorePorts?: number[]; join?: number[]; recvBufferSize?: number };
    line = line.slice(nl + 1);
    if (cmd.ignorePorts !== undefined) {
      ignore = new Set(cmd.ignorePorts);
      applyFilter();
    }
    if (cmd.join !== undefined) {
      if (cmd.recvBufferSize !== undefined && cmd.recvBufferSize > sock.getRecvBufferSize() / 2) setRecvBuffer(cmd.recvBufferSize);
      for (const g of cmd.join) sock.addMembership(g);
      flush();
      write(ready);
    }
  }
});
process.stdin.on('end', () => process.exit(0));
write(ready);
