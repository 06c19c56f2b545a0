/**
 * DOC: finds a process's kernel monitors, by reading /proc: the monitor processes (monitor-child.js) it started,
 * and the multicast rtnetlink sockets held by it and by those children (one per process, whichever
 * implementation holds it: in-process native thread or child process). Tests use it to count monitors per daemon
 * and to kill a monitor process and watch the parent recover.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** Pids of the live children of `parentPid` whose command line runs monitor-child. */
export function monitorChildPids(parentPid: number): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parentPid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('monitor-child')) pids.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Socket inodes of `pid`'s open file descriptors. */
function socketInodes(pid: number): Set<string> {
  const out = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

/**
 * The NETLINK_ROUTE sockets with multicast groups held by `pid` itself (`inProcess`) and by its monitor children
 * (`inChildren`), read from /proc/PID/net/netlink (the namespace of `pid`).
 */
export function monitorSockets(pid: number): { inProcess: number; inChildren: number } {
  const multicast = new Set<string>();
  for (const line of readFileSync(`/proc/${pid}/net/netlink`, 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    // sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode; Eth 0 is NETLINK_ROUTE, Groups the first 32 as hex.
    if (f.length >= 10 && f[1] === '0' && parseInt(f[3], 16) !== 0) multicast.add(f[9]);
  }
  const count = (p: number): number => [...socketInodes(p)].filter((i) => multicast.has(i)).length;
  return { inProcess: count(pid), inChildren: monitorChildPids(pid).reduce((n, c) => n + count(c), 0) };
}
