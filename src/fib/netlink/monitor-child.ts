/**
 * DOC: the process that owns a multicast rtnetlink socket for `subscribe()` (transport.ts) and relays what it
 * receives to its parent over stdout.
 *
 * Why a child process: the `netlink` package's native poll callback aborts the whole process (std::terminate on a
 * NULL syscall name in its error path) when the kernel flags an overrun (ENOBUFS makes epoll report EPOLLERR). A
 * busy route monitor overruns by design, so the socket lives here: if this process dies, the parent treats it as
 * the ENOBUFS resync signal and starts a new one. It inherits the parent's network namespace.
 * Framing on stdout: u32 little-endian length, then one datagram. A zero-length frame means "groups joined".
 * stdout is a pipe, which Node writes synchronously on Linux: a slow parent stalls this reader, the kernel queue
 * overflows, and that too ends in a resync rather than in unbounded memory.
 * Arguments: JSON `{ groups: number[], recvBufferSize?: number }`.
 */
import { RawNetlinkSocket } from 'netlink';
import { writeSync } from 'node:fs';
import { NETLINK_ROUTE } from './constants';

const { groups, recvBufferSize } = JSON.parse(process.argv[2] ?? '{}') as { groups: number[]; recvBufferSize?: number };
const sock = new RawNetlinkSocket(NETLINK_ROUTE, { recvBufferSize: recvBufferSize ?? 4 << 20, sendBufferSize: 32 << 10 });
for (const g of groups) sock.addMembership(g);

function frame(data: Buffer): void {
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32LE(data.length, 0);
  try {
    writeSync(1, head);
    if (data.length) writeSync(1, data);
  } catch {
    process.exit(0); // the parent went away
  }
}

sock.on('message', (buf) => frame(buf));
sock.on('error', () => process.exit(3));
process.stdin.on('end', () => process.exit(0)).resume();
frame(Buffer.alloc(0));
