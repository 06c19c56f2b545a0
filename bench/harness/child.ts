/**
 * DOC: the benchmark's helper processes (feeder, sink, FIB counter, mesh peers) and how the orchestrator talks to
 * them. Node cannot setns(2), so each helper runs under `ip netns exec NS node SCRIPT ARGS-JSON`.
 *
 * Protocol: the helper prints one JSON object per line on stdout, each with an `event` name; the orchestrator
 * writes one command word per line on stdin (`go`, `status`, `quit`). A helper exits when stdin closes, so an
 * orchestrator that dies takes its helpers with it. Every helper is also registered with the interop harness's
 * exit guard (SIGKILL on the orchestrator's exit). Times in events are `process.hrtime.bigint()` nanoseconds as
 * decimal strings: CLOCK_MONOTONIC, shared by all processes of the machine whatever their network namespace.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { onExitCleanup } from '../../interop-tests/lib/exit-guard';

/** One event line of a helper. */
export interface ChildEvent {
  event: string;
  [k: string]: unknown;
}

// ---------------------------------------------------------------------------------------------- helper side

/** Prints one event line (helper side). */
export function emit(ev: ChildEvent): void {
  process.stdout.write(`${JSON.stringify(ev)}\n`);
}

/** Now as a decimal string of CLOCK_MONOTONIC nanoseconds. */
export function nowNs(): string {
  return process.hrtime.bigint().toString();
}

/** Calls `fn` per command line (helper side); exits the process when stdin closes. */
export function onCommand(fn: (cmd: string) => void): void {
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (l) => fn(l.trim()));
  rl.on('close', () => process.exit(0));
}

/** Parses the helper's JSON argument (helper side). */
export function childArgs<T>(): T {
  return JSON.parse(process.argv[2] ?? '{}') as T;
}

// ---------------------------------------------------------------------------------------------- orchestrator side

/** A running helper process. */
export class Child {
  readonly proc: ChildProcess;
  readonly pid: number;
  private readonly events: ChildEvent[] = [];
  private waiters: (() => void)[] = [];
  private exitInfo: string | undefined;
  private stderr = '';
  private readonly unregister: () => void;

  /** Starts `dist/bench/harness/<script>.js` with `args` (as JSON) inside `netns` (or here when undefined). */
  constructor(readonly name: string, script: string, args: unknown, netns?: string) {
    const js = join(__dirname, `${script}.js`);
    const argv = [process.execPath, '--max-old-space-size=4096', js, JSON.stringify(args)];
    this.proc = netns ? spawn('ip', ['netns', 'exec', netns, ...argv], { stdio: ['pipe', 'pipe', 'pipe'] }) : spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    this.pid = this.proc.pid ?? -1;
    this.unregister = onExitCleanup(() => this.proc.kill('SIGKILL'));
    createInterface({ input: this.proc.stdout! }).on('line', (l) => {
      try {
        this.events.push(JSON.parse(l) as ChildEvent);
      } catch {
        this.stderr += `${l}\n`;
      }
      this.wake();
    });
    this.proc.stderr!.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    this.proc.on('exit', (code, sig) => {
      this.exitInfo = `exited (${code ?? sig})`;
      this.unregister();
      this.wake();
    });
    this.proc.stdin!.on('error', () => undefined);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** True once the process has exited. */
  get exited(): boolean {
    return this.exitInfo !== undefined;
  }

  /** Writes one command line. */
  send(cmd: string): void {
    if (!this.exited) this.proc.stdin!.write(`${cmd}\n`);
  }

  /** The first event named `name` (already received or next), or throws on timeout/exit. */
  async waitEvent(name: string, timeoutMs: number): Promise<ChildEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.find((e) => e.event === name);
      if (hit) return hit;
      const err = this.events.find((e) => e.event === 'error');
      if (err) throw new Error(`${this.name}: ${String(err['message'])}`);
      if (this.exited) throw new Error(`${this.name} ${this.exitInfo} before '${name}': ${this.stderr.trim().slice(-1500)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.name}: no '${name}' within ${timeoutMs} ms`);
      await new Promise<void>((res) => {
        const t = setTimeout(res, left);
        this.waiters.push(() => {
          clearTimeout(t);
          res();
        });
      });
    }
  }

  /** Like waitEvent but resolves `undefined` instead of throwing on timeout (still throws if the helper fails). */
  async maybeEvent(name: string, timeoutMs: number): Promise<ChildEvent | undefined> {
    try {
      return await this.waitEvent(name, timeoutMs);
    } catch (e) {
      if (/no '.*' within/.test((e as Error).message)) return undefined;
      throw e;
    }
  }

  /** Every event named `name` received so far, oldest first. */
  eventsNamed(name: string): ChildEvent[] {
    return this.events.filter((e) => e.event === name);
  }

  /** Asks for a `status` event and returns it (undefined if the helper does not answer within 2 s). */
  async status(): Promise<ChildEvent | undefined> {
    this.events.splice(0, this.events.length, ...this.events.filter((e) => e.event !== 'status'));
    this.send('status');
    return this.maybeEvent('status', 2000).catch(() => undefined);
  }

  /** Closes stdin, then SIGKILLs after `graceMs`; resolves once exited. */
  async stop(graceMs = 2000): Promise<void> {
    if (this.exited) return;
    this.proc.stdin!.end();
    const exited = new Promise<void>((res) => this.proc.once('exit', () => res()));
    const t = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(t);
  }
}

/** Nanosecond strings → milliseconds between them. */
export function msBetween(fromNs: unknown, toNs: unknown): number {
  return Number(BigInt(String(toNs)) - BigInt(String(fromNs))) / 1e6;
}
