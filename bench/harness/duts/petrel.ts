/**
 * DOC: Petrel as a benchmark DUT: renders Calico v3 resources for a `DutSpec` and runs `petreld` in the DUT's
 * namespace (under `node`, optionally with profiling flags such as `--cpu-prof`).
 *
 * Rendering: BGPConfiguration (the DUT's AS), one Node (this DUT, address = the router id) and, per neighbor,
 * either a global BGPPeer carrying the `bench-export-all` BGPFilter (exportV4: accept 0.0.0.0/0 In; without it
 * Calico's export filter only advertises this node's pools, unlike the other DUTs' `export all`), or, with
 * `spec.mesh`, a Node resource so that the neighbors become a node-to-node mesh exactly as in a Calico cluster (C1).
 * PetrelConfiguration: fib.enabled from the spec, fib.learn off (the other DUTs run no kernel learn / direct
 * protocol, and the export-all filter would advertise the DUT's interface subnets), the spec's timers, graceful restart off (BIRD's benchmark config
 * has none, and its startup wait would hold back the FIB), control sockets and API inside the run's temp dir,
 * log level warn. Petrel's event-loop lag is read from `petrel show status --json` if the daemon reports it
 * (any numeric field whose path mentions both "lag" and "p99"; the max likewise). Its log (pino JSON lines) is
 * summarized after a run: every line at warn (40) or above, grouped by message.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run, startDaemon, type DaemonProcess } from '../../../interop-tests/lib/exec';
import type { Dut, DutLoopLag, DutOptions, DutSpec } from './dut';

/** dist/ root, from dist/bench/harness/duts. */
const DIST = resolve(__dirname, '..', '..', '..');
const PETRELD = join(DIST, 'src', 'cli', 'petreld.js');
const PETREL = join(DIST, 'src', 'cli', 'petrel.js');

/** Renders the Calico v3 YAML of a spec (`node` is the DUT's Node name). */
export function renderPetrelConfig(spec: DutSpec & { mesh?: boolean }, node: string, dir: string): string {
  const docs: string[] = [];
  docs.push(`apiVersion: projectcalico.org/v3
kind: BGPConfiguration
metadata:
  name: default
spec:
  asNumber: ${spec.localAs}
  nodeToNodeMeshEnabled: ${spec.mesh === true}
  logSeverityScreen: Warning`);
  const nodeDoc = (name: string, ip: string, asn?: number) => `apiVersion: projectcalico.org/v3
kind: Node
metadata:
  name: ${name}
spec:
  bgp:
    ipv4Address: ${ip}/24${asn !== undefined ? `\n    asNumber: ${asn}` : ''}`;
  docs.push(nodeDoc(node, spec.routerId));
  if (spec.mesh) {
    spec.neighbors.forEach((n, i) => docs.push(nodeDoc(`peer-${i}`, n.address, n.remoteAs === spec.localAs ? undefined : n.remoteAs)));
  } else {
    docs.push(`apiVersion: projectcalico.org/v3
kind: BGPFilter
metadata:
  name: bench-export-all
spec:
  exportV4:
  - action: Accept
    matchOperator: In
    cidr: 0.0.0.0/0`);
    spec.neighbors.forEach((n, i) => docs.push(`apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata:
  name: peer-${i}
spec:
  peerIP: ${n.address}
  asNumber: ${n.remoteAs}
  filters: [bench-export-all]`));
  }
  docs.push(`apiVersion: petrel/v1
kind: PetrelConfiguration
metadata:
  name: petrel
spec:
  nodeName: ${node}
  routerId: ${spec.routerId}
  controlSocket: ${join(dir, 'bird.ctl')}
  controlSocketV6: ${join(dir, 'bird6.ctl')}
  apiListen: ""
  logLevel: warn
  fib:
    enabled: ${spec.fib}
    learn: false
  timers:
    holdTime: ${spec.holdTime}
    keepaliveTime: ${spec.keepaliveTime}
    connectDelayTime: 0
    connectRetryTime: 1
    errorWaitMin: 1
    errorWaitMax: 2
  gracefulRestart:
    enabled: false`);
  return `${docs.join('\n---\n')}\n`;
}

/** Finds the first number at a path mentioning "lag" and `stat` (default "p99") in a JSON value. */
export function findLagP99(v: unknown, path = '', stat: RegExp = /p99/i): number | undefined {
  if (typeof v === 'number') return /lag/i.test(path) && stat.test(path) ? v : undefined;
  if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const r = findLagP99(x, `${path}.${k}`, stat);
      if (r !== undefined) return r;
    }
  }
  return undefined;
}

/** Groups a pino log's lines at warn (40) or above by message: `N× message`, most frequent first. */
export function summarizePinoProblems(log: string): string[] {
  const counts = new Map<string, number>();
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const o = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
      if ((o.level ?? 0) < 40) continue;
      const key = `${o.level! >= 50 ? 'ERROR' : 'WARN'} ${o.msg ?? ''}${o.err?.message ? `: ${o.err.message}` : ''}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    } catch {
      continue;
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([m, n]) => `${n}× ${m}`);
}

/** petreld as a DUT. */
export class PetrelDut implements Dut {
  readonly kind = 'petrel' as const;
  readonly hasFib = true;
  private dir: string | undefined;
  private proc: DaemonProcess | undefined;

  constructor(private readonly opts: DutOptions = {}) {}

  missing(): string[] {
    try {
      require.resolve(PETRELD);
      return [];
    } catch {
      return [PETRELD];
    }
  }

  async version(): Promise<string> {
    const pkg = require(join(DIST, '..', 'package.json')) as { version: string };
    return `${pkg.version} (node ${process.version})`;
  }

  async start(netns: string, spec: DutSpec & { mesh?: boolean }): Promise<void> {
    const dir = (this.dir = mkdtempSync(join(tmpdir(), 'petrel-bench-')));
    writeFileSync(join(dir, 'petrel.yaml'), renderPetrelConfig(spec, 'dut', dir));
    const flags = [...(this.opts.nodeFlags ?? [])];
    if (this.opts.profileDir) flags.push(`--cpu-prof-dir=${this.opts.profileDir}`);
    this.proc = startDaemon(process.execPath, [...flags, PETRELD, '--config', join(dir, 'petrel.yaml'), '--node', 'dut', '--socket', join(dir, 'api.sock')], {
      name: `petreld@${netns}`,
      logFile: join(dir, 'petreld.log'),
      netns,
    });
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (!this.proc.alive()) throw new Error(`petreld exited on start: ${this.logTail()}`);
      try {
        await run(process.execPath, [PETREL, '--socket', join(dir, 'api.sock'), 'show', 'status', '--json']);
        return;
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`petreld did not answer: ${(e as Error).message}; ${this.logTail()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  rootPids(): number[] {
    return this.proc?.alive() ? [this.proc.pid] : [];
  }

  async loopLagP99Ms(): Promise<number | undefined> {
    return (await this.loopLag())?.p99Ms;
  }

  async loopLag(): Promise<DutLoopLag | undefined> {
    if (!this.dir) return undefined;
    try {
      const r = await run(process.execPath, [PETREL, '--socket', join(this.dir, 'api.sock'), 'show', 'status', '--json']);
      const status: unknown = JSON.parse(r.stdout);
      return { p99Ms: findLagP99(status), maxMs: findLagP99(status, '', /max/i) };
    } catch {
      return undefined;
    }
  }

  logTail(): string {
    return (this.proc?.log() ?? '').slice(-1500);
  }

  logProblems(): string[] {
    return summarizePinoProblems(this.proc?.log() ?? '');
  }

  logFiles(): string[] {
    return this.proc ? [this.proc.logFile] : [];
  }

  async stop(): Promise<void> {
    // SIGINT lets node write --cpu-prof output on the way out (petreld exits cleanly on it).
    if (this.proc?.alive()) {
      const p = this.proc;
      process.kill(p.pid, 'SIGINT');
      const t = setTimeout(() => p.alive() && process.kill(p.pid, 'SIGKILL'), 15_000);
      await p.exited;
      clearTimeout(t);
    }
    this.proc = undefined;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
