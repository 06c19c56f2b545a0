/**
 * DOC: the in-kernel half of the monitor's echo filter: a classic BPF program for a netlink socket that drops the
 * notifications caused by given netlink ports (Petrel's own route writers), and the lookup of the file descriptor
 * under the `netlink` package's socket so the program can be attached (native/sockopt.c attachFilter).
 *
 * Why in the kernel: the kernel stamps a notification with the port of the request that caused it (`nlmsg_pid`,
 * octets 12–15 of the header). Filtered in user space, a million-route install still queues a million
 * notifications on the monitor socket, wakes the monitor process for each burst and overruns its buffer; the
 * socket filter runs before the notification is queued (netlink's broadcast delivery calls sk_filter), so
 * the monitor never sees them. Notifications are one message per datagram, so testing the first header suffices.
 *
 * Program: `ld [12]; jeq #port_1, drop; …; jeq #port_n, drop; ret #-1; drop: ret #0`. BPF absolute loads read
 * in network byte order and `nlmsg_pid` is in host order, so the constants are byte-swapped on little-endian hosts.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { endianness } from 'node:os';

const BPF_LD_W_ABS = 0x20;
const BPF_JMP_JEQ_K = 0x15;
const BPF_RET_K = 0x06;
const NLMSG_PID_OFFSET = 12;
/** Jump offsets are one octet: at most this many ports in one program. */
export const MAX_FILTERED_PORTS = 250;

const little = endianness() === 'LE';

function insn(b: Buffer, i: number, code: number, jt: number, jf: number, k: number): void {
  const off = i * 8;
  if (little) {
    b.writeUInt16LE(code, off);
    b.writeUInt32LE(k >>> 0, off + 4);
  } else {
    b.writeUInt16BE(code, off);
    b.writeUInt32BE(k >>> 0, off + 4);
  }
  b[off + 2] = jt;
  b[off + 3] = jf;
}

/** The value a BPF word load of `nlmsg_pid` yields for `port` on this host. */
function loadedPid(port: number): number {
  if (!little) return port >>> 0;
  return (((port & 0xff) << 24) | ((port & 0xff00) << 8) | ((port >>> 8) & 0xff00) | (port >>> 24)) >>> 0;
}

/** A BPF program (struct sock_filter array) accepting every message except those whose nlmsg_pid is in `ports`. */
export function echoFilterProgram(ports: readonly number[]): Buffer {
  const n = Math.min(ports.length, MAX_FILTERED_PORTS);
  const b = Buffer.alloc((n + 3) * 8);
  insn(b, 0, BPF_LD_W_ABS, 0, 0, NLMSG_PID_OFFSET);
  for (let i = 1; i <= n; i++) insn(b, i, BPF_JMP_JEQ_K, n + 1 - i, 0, loadedPid(ports[i - 1]));
  insn(b, n + 1, BPF_RET_K, 0, 0, 0xffffffff);
  insn(b, n + 2, BPF_RET_K, 0, 0, 0);
  return b;
}

/** The file descriptor of this process's netlink socket bound to `port`, or -1 (from /proc/net/netlink + /proc/self/fd). */
export function netlinkSocketFd(port: number): number {
  let inode: string | undefined;
  for (const line of readFileSync('/proc/net/netlink', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 10 && Number(f[2]) === port) inode = f[9];
  }
  if (inode === undefined) return -1;
  const want = `socket:[${inode}]`;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === want) return Number(fd);
    } catch {
      // closed meanwhile (readdir's own fd)
    }
  }
  return -1;
}
