/**
 * DOC: resource figures of a DUT from /proc: every process of its tree (FRR's zebra+bgpd, OpenBGPD's three
 * privilege-separated processes, BIRD or petreld alone), their CPU time and peak RSS.
 *
 * A `ProcSampler` starts from the DUT's root pids, rescans /proc for descendants on each `sample()` (OpenBGPD
 * forks after start) and keeps, per pid, the last seen CPU ticks (utime+stime, /proc/PID/stat fields 14-15,
 * threads included) and VmHWM (the kernel's own peak RSS of that process). The DUT's peak RSS is the sum of its
 * processes' VmHWM: an upper bound when the processes peak at different moments, stated as such in the report.
 * CPU seconds of a run are `cpuSeconds()` after minus before. `breakdown()` names each process (the script or
 * binary of its command line) with its own peak RSS and CPU, to see which one a DUT's figure comes from.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let clkTck: number | undefined;

function ticksPerSecond(): number {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

interface ProcInfo {
  ppid: number;
  ticks: number;
}

function readStat(pid: number): ProcInfo | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: split after its closing parenthesis.
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return undefined;
  }
}

function readHwmKb(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The first script argument (`.js`) of a process's command line, else its binary's name. */
function processName(pid: number): string {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const base = (a: string) => a.slice(a.lastIndexOf('/') + 1);
    const js = argv.find((a) => a.endsWith('.js'));
    return js ? base(js) : base(argv[0] ?? `pid ${pid}`);
  } catch {
    return `pid ${pid}`;
  }
}

/** Tracks a DUT's process tree. */
export class ProcSampler {
  private readonly known = new Map<number, { ticks: number; hwmKb: number; name: string }>();

  constructor(private readonly roots: () => number[]) {}

  /** Rescans the tree and updates every live process's figures. */
  sample(): void {
    const all = new Map<number, number>();
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      const st = readStat(Number(d));
      if (st) all.set(Number(d), st.ppid);
    }
    const tree = new Set(this.roots().filter((p) => all.has(p)));
    for (let grew = true; grew; ) {
      grew = false;
      for (const [pid, ppid] of all) {
        if (!tree.has(pid) && tree.has(ppid)) {
          tree.add(pid);
          grew = true;
        }
      }
    }
    for (const pid of tree) {
      const st = readStat(pid);
      const hwm = readHwmKb(pid);
      if (!st || hwm === undefined) continue;
      const prev = this.known.get(pid);
      this.known.set(pid, { ticks: st.ticks, hwmKb: Math.max(hwm, prev?.hwmKb ?? 0), name: prev?.name ?? processName(pid) });
    }
  }

  /** Pids seen so far. */
  get pids(): number[] {
    return [...this.known.keys()];
  }

  /** CPU seconds used so far by every process seen (as of the last sample). */
  cpuSeconds(): number {
    let t = 0;
    for (const v of this.known.values()) t += v.ticks;
    return t / ticksPerSecond();
  }

  /** Per process seen: its name, peak RSS (MB) and CPU seconds so far, largest RSS first. */
  breakdown(): { pid: number; name: string; peakRssMb: number; cpuSeconds: number }[] {
    return [...this.known]
      .map(([pid, v]) => ({ pid, name: v.name, peakRssMb: (v.hwmKb * 1024) / 1e6, cpuSeconds: v.ticks / ticksPerSecond() }))
      .sort((a, b) => b.peakRssMb - a.peakRssMb);
  }

  /** Sum of the processes' peak RSS, MB (10^6 octets). */
  peakRssMb(): number {
    let kb = 0;
    for (const v of this.known.values()) kb += v.hwmKb;
    return (kb * 1024) / 1e6;
  }
}
