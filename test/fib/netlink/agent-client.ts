/**
 * DOC: the test side of `ns-agent.ts`: starts the agent inside a namespace, sends it commands, collects its
 * monitor events, and kills it on teardown.
 */
import { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { BatchResult, TransportOptions } from '../../../src/fib/netlink/transport';
import { TeardownHost, spawnIn } from '../../helpers/netns';

/** Options of `NsAgent.start`. */
export type AgentOptions = TransportOptions & { threadedWriter?: boolean; nativeWriter?: boolean; monitor?: 'native' | 'child' };

/** A running agent in one namespace. */
export class NsAgent {
  private nextId = 1;
  private readonly waiting = new Map<number, (v: Record<string, unknown>) => void>();
  /** Monitor notifications received so far (hex of each message). */
  readonly events: string[] = [];
  /** The subscription (0, 1, ... in subscribe order) each of `events` was delivered to. */
  readonly eventSubs: number[] = [];
  resyncs = 0;
  private eventWaiters: (() => void)[] = [];

  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const msg = JSON.parse(line) as Record<string, unknown>;
      if (msg.event === 'message') {
        this.events.push(msg.hex as string);
        this.eventSubs.push(msg.sub as number);
      }
      else if (msg.event === 'resync') this.resyncs++;
      else this.waiting.get(msg.id as number)?.(msg);
      for (const w of this.eventWaiters) w();
    });
    child.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
    child.on('exit', (code, signal) => {
      for (const [id, resolve] of this.waiting) resolve({ id, errno: -1, error: `agent exited (code ${code}, signal ${signal})` });
      this.waiting.clear();
    });
  }

  /**
   * Starts the agent in `ns` (its request socket opened with `opts`; `monitor: 'child'` forces the child-process
   * monitor); it is killed on `t`'s teardown.
   */
  static start(t: TeardownHost, ns: string, opts: AgentOptions = {}): NsAgent {
    const agent = new NsAgent(spawnIn(ns, process.execPath, [join(__dirname, 'ns-agent.js'), JSON.stringify(opts)]));
    t.teardown(() => agent.stop());
    return agent;
  }

  private call(cmd: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, (v) => {
        this.waiting.delete(id);
        resolve(v);
      });
      this.child.stdin!.write(`${JSON.stringify({ ...cmd, id })}\n`);
    });
  }

  async batch(messages: Buffer, acks?: 'errors' | 'all'): Promise<BatchResult> {
    const r = await this.call({ op: 'batch', hex: messages.toString('hex'), acks });
    if (r.result === undefined) throw new Error(`batch failed: ${String(r.error)}`);
    return r.result as BatchResult;
  }

  /** Resolves with 0 on ACK, else the errno. */
  async request(message: Buffer): Promise<number> {
    const r = await this.call({ op: 'request', hex: message.toString('hex') });
    return r.ok ? 0 : (r.errno as number);
  }

  async dump(request: Buffer): Promise<Buffer[]> {
    const r = await this.call({ op: 'dump', hex: request.toString('hex') });
    if (r.messages === undefined) throw new Error(`dump failed: ${String(r.error)}`);
    return (r.messages as string[]).map((h) => Buffer.from(h, 'hex'));
  }

  /** A streamed dump (`dumpEach`): the messages of the attempt that completed, and its count. */
  async dumpEach(request: Buffer): Promise<{ messages: Buffer[]; count: number }> {
    const r = await this.call({ op: 'dumpEach', hex: request.toString('hex') });
    if (r.messages === undefined) throw new Error(`dump failed: ${String(r.error)}`);
    return { messages: (r.messages as string[]).map((h) => Buffer.from(h, 'hex')), count: r.count as number };
  }

  /** The agent's pid (`ip netns exec` execs node, so the child is the agent itself). */
  get pid(): number {
    return this.child.pid!;
  }

  /** How many monitor processes the agent runs. */
  async monitorProcesses(): Promise<number> {
    return (await this.monitors()).processes;
  }

  /**
   * The agent's monitors: its monitor processes, the implementation in use ('native' | 'child', null when none is
   * open), and its multicast rtnetlink sockets (held in the agent itself / in its monitor processes).
   */
  async monitors(): Promise<{ processes: number; implementation: string | null; inProcess: number; inChildren: number }> {
    const r = await this.call({ op: 'monitorProcesses' });
    return { processes: r.count as number, implementation: r.implementation as string | null, inProcess: r.inProcess as number, inChildren: r.inChildren as number };
  }

  async subscribe(groups: number[], recvBufferSize?: number): Promise<void> {
    await this.call({ op: 'subscribe', groups, recvBufferSize });
  }

  /** Waits until `pred` holds over the events, or rejects after `ms`. */
  waitForEvent(pred: (events: string[]) => boolean, ms = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a monitor event')), ms);
      const check = (): void => {
        if (!pred(this.events)) return;
        clearTimeout(timer);
        this.eventWaiters = this.eventWaiters.filter((w) => w !== check);
        resolve();
      };
      this.eventWaiters.push(check);
      check();
    });
  }

  stop(): void {
    if (this.child.exitCode === null && !this.child.killed) {
      this.child.stdin!.end();
      this.child.kill('SIGTERM');
    }
  }
}
