/**
 * DOC: the test side of `fib-agent.ts`: starts a FIB agent in a namespace, sends it commands, reads `ip route`
 * in that namespace, and kills the agent (SIGKILL available, to test persistence) on teardown.
 */
import { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { monitorChildPids, monitorSockets } from './netlink/monitor-children';
import type { FibCounters } from '../../src/fib/fib';
import type { PolicyDef } from '../../src/rib/policy/types';
import { TeardownHost, addAddress, createNetns, exec, linkUp, spawnIn, vethPair } from '../helpers/netns';

export interface FibAgentOptions {
  table: number;
  protocol: number;
  mergePaths?: boolean;
  scanTime?: number;
  convergenceTimeoutMs?: number;
  converged?: boolean;
  policyV4?: PolicyDef;
  /** FibOptions.writerThreads, writerThreadBacklog, writerThreadIdleMs (default: the FIB's). */
  writerThreads?: number;
  writerThreadBacklog?: number;
  writerThreadIdleMs?: number;
  /** FibOptions.nexthopObjects (default: the FIB's, on). */
  nexthopObjects?: boolean;
  /** The kernel monitor implementation: 'child' forces the child process (PETREL_NETLINK_MONITOR=child). */
  monitor?: 'native' | 'child';
}

/** One route as `ip -j route show` prints it. */
export interface IpRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
  metric?: number;
  type?: string;
  flags?: string[];
  nexthops?: { gateway: string; dev: string; weight: number; flags: string[] }[];
}

export class FibAgent {
  private nextId = 1;
  private readonly waiting = new Map<number, (v: Record<string, unknown>) => void>();
  private ready!: Promise<void>;
  stderr = '';

  /**
   * The pid of the agent's kernel monitor process (a child running monitor-child.js), or undefined: there is one
   * only with the child-process monitor (`monitor: 'child'`); the native one is a thread of the agent.
   */
  monitorPid(): number | undefined {
    return monitorChildPids(this.child.pid!)[0];
  }

  /** The agent's pid (`ip netns exec` execs `env`, which execs node: the child is the agent itself). */
  get pid(): number {
    return this.child.pid!;
  }

  /** The agent's multicast rtnetlink sockets: held by the agent itself (native monitor) / by its monitor process. */
  monitorSockets(): { inProcess: number; inChildren: number } {
    return monitorSockets(this.child.pid!);
  }

  private constructor(private readonly child: ChildProcess) {
    let onReady!: () => void;
    let onFail!: (e: Error) => void;
    this.ready = new Promise((res, rej) => {
      onReady = res;
      onFail = rej;
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const msg = JSON.parse(line) as Record<string, unknown>;
      if (msg.ready) onReady();
      else this.waiting.get(msg.id as number)?.(msg);
    });
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    child.on('exit', (code, signal) => {
      onFail(new Error(`fib agent exited (code ${code}, signal ${signal}): ${this.stderr}`));
      for (const [id, resolve] of this.waiting) resolve({ id, error: `agent exited (code ${code}, signal ${signal})` });
      this.waiting.clear();
    });
  }

  /** Starts an agent in `ns`; resolves once its FIB has started (adopted what it found). Killed on teardown. */
  static async start(t: TeardownHost, ns: string, opts: FibAgentOptions): Promise<FibAgent> {
    const { monitor, ...agentOpts } = opts;
    const env = `PETREL_NETLINK_MONITOR=${monitor ?? ''}`;
    const agent = new FibAgent(spawnIn(ns, 'env', [env, process.execPath, join(__dirname, 'fib-agent.js'), JSON.stringify(agentOpts)]));
    t.teardown(() => agent.kill('SIGKILL'));
    await agent.ready;
    return agent;
  }

  private call(cmd: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (v) => {
        this.waiting.delete(id);
        if (v.error) reject(new Error(String(v.error)));
        else resolve(v);
      });
      this.child.stdin!.write(`${JSON.stringify({ ...cmd, id })}\n`);
    });
  }

  async announce(prefix: string, source: string, nextHop?: string, extra: { kind?: 'ebgp' | 'ibgp' | 'static'; localPref?: number } = {}): Promise<void> {
    await this.call({ op: 'announce', prefix, source, nextHop, ...extra });
  }

  /** Announces several routes in one event-loop turn (the FIB sees them together). */
  async announceMany(routes: { prefix: string; source: string; nextHop?: string; kind?: 'ebgp' | 'ibgp' | 'static' }[]): Promise<void> {
    await this.call({ op: 'announceMany', routes });
  }

  async withdraw(prefix: string, source: string): Promise<void> {
    await this.call({ op: 'withdraw', prefix, source });
  }

  async idle(): Promise<FibCounters> {
    return (await this.call({ op: 'idle' })).counters as FibCounters;
  }

  async converge(): Promise<void> {
    await this.call({ op: 'converge' });
  }

  async scan(): Promise<FibCounters> {
    return (await this.call({ op: 'scan' })).counters as FibCounters;
  }

  /** Graceful stop (routes stay); resolves when the process has exited. */
  async stop(): Promise<void> {
    const exited = new Promise<void>((r) => (this.child.exitCode !== null ? r() : this.child.once('exit', () => r())));
    await this.call({ op: 'stop' }).catch(() => undefined);
    await exited;
  }

  /** Kills the agent (SIGKILL: no clean-up at all). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    // `ip netns exec` execs env, which execs node, so the child is the agent itself.
    this.child.kill(signal);
    return exited;
  }
}

/** Routes of `table` in `ns` (`ip -j route show table T [args]`). */
export async function ipRoutes(ns: string, table: number, family: '-4' | '-6' = '-4', ...args: string[]): Promise<IpRoute[]> {
  return JSON.parse(await exec(ns, 'ip', [family, '-j', 'route', 'show', 'table', String(table), ...args])) as IpRoute[];
}

/** Polls `fn` until it returns a truthy value or `ms` pass. */
export async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A throw-away namespace for FIB tests: veth v0 (10.1.0.1/24, 2001:db8:1::1/64) ↔ v1, both up, so next hops in
 * 10.1.0.0/24 and 2001:db8:1::/64 resolve through v0. Removed at teardown.
 */
export async function fibNamespace(tt: TeardownHost, prefix: string): Promise<string> {
  const ns = await createNetns(tt, prefix);
  await vethPair(ns, 'v0', ns, 'v1');
  await addAddress(ns, 'v0', '10.1.0.1/24');
  await exec(ns, 'ip', ['-6', 'addr', 'add', '2001:db8:1::1/64', 'dev', 'v0', 'nodad']);
  await linkUp(ns, 'v0');
  await linkUp(ns, 'v1');
  return ns;
}
