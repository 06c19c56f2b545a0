/**
 * DOC: the test side of `tunnel-agent.ts`: starts it in a namespace, sends commands, collects its log lines and
 * stops it on teardown. Shared by the kernel tests and interop-tests/tunnels.
 */
import { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { TunnelPlan } from '../../../src/config/tunnels';
import type { TunnelManagerOptions, TunnelStatus } from '../../../src/fib/tunnels/tunnel-manager';
import { TeardownHost, spawnIn } from '../../helpers/netns';

/** One log line the manager wrote. */
export interface AgentLog {
  level: string;
  obj: Record<string, unknown>;
  msg: string;
}

/** A TunnelManager running in a namespace. */
export class TunnelAgent {
  private nextId = 1;
  private readonly waiting = new Map<number, (v: { status?: TunnelStatus; error?: string }) => void>();
  readonly logs: AgentLog[] = [];

  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = JSON.parse(line) as { id?: number; event?: string; status?: TunnelStatus; error?: string } & AgentLog;
      if (m.event === 'log') this.logs.push({ level: m.level, obj: m.obj, msg: m.msg });
      else if (m.id !== undefined) this.waiting.get(m.id)?.(m);
    });
    child.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
    child.on('exit', (code, signal) => {
      for (const [, resolve] of this.waiting) resolve({ error: `agent exited (code ${code}, signal ${signal})` });
      this.waiting.clear();
    });
  }

  /** Starts the agent in `ns`; it is stopped on `t`'s teardown. */
  static spawn(t: TeardownHost, ns: string): TunnelAgent {
    const a = new TunnelAgent(spawnIn(ns, process.execPath, [join(__dirname, 'tunnel-agent.js')]));
    t.teardown(() => a.stop());
    return a;
  }

  private async call(cmd: Record<string, unknown>): Promise<TunnelStatus> {
    const id = this.nextId++;
    const r = await new Promise<{ status?: TunnelStatus; error?: string }>((resolve) => {
      this.waiting.set(id, (v) => {
        this.waiting.delete(id);
        resolve(v);
      });
      this.child.stdin!.write(`${JSON.stringify({ ...cmd, id })}\n`);
    });
    if (r.error !== undefined || r.status === undefined) throw new Error(`tunnel agent: ${r.error ?? 'no status'}`);
    return r.status;
  }

  start(plan: TunnelPlan, opts: Omit<TunnelManagerOptions, 'log'> = {}): Promise<TunnelStatus> {
    return this.call({ op: 'start', plan, opts });
  }

  update(plan: TunnelPlan): Promise<TunnelStatus> {
    return this.call({ op: 'update', plan });
  }

  reconcile(): Promise<TunnelStatus> {
    return this.call({ op: 'reconcile' });
  }

  status(): Promise<TunnelStatus> {
    return this.call({ op: 'status' });
  }

  stop(): void {
    if (this.child.exitCode === null && !this.child.killed) {
      this.child.stdin!.end();
      this.child.kill('SIGTERM');
    }
  }
}
