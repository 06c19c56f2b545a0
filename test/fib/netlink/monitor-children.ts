/**
 * DOC: finds the kernel monitor processes (monitor-child.js) a given process started, by reading /proc. Tests use
 * it to count monitors per daemon and to kill one and watch the parent recover.
 */
import { readFileSync, readdirSync } from 'node:fs';

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
