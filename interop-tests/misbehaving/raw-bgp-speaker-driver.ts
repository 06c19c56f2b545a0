/**
 * DOC: the test side of raw-bgp-speaker.ts: spawns it inside a namespace with piped stdio, records every event it
 * reports, sends it messages to write, and waits on its events. The process is killed on the tap test's teardown
 * (and by the exit guard if the test process dies first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { onExitCleanup } from '../lib/exit-guard.js';
import type { Teardownable } from '../lib/netns.js';
import { waitFor } from '../lib/wait-for.js';

/** One event the speaker reported. */
export interface RawEvent {
  ev: 'listening' | 'accepted' | 'established' | 'msg' | 'closed' | 'send-failed' | 'framing-error';
  conn?: number;
  /** BGP message type (`msg`). */
  type?: number;
  /** The whole message, header included, as hex (`msg`). */
  hex?: string;
}

/** A running raw speaker. */
export class RawSpeaker {
  readonly events: RawEvent[] = [];
  private constructor(private readonly child: ChildProcess) {}

  /** Starts the speaker in namespace `netns`, listening on `listen`:179 as AS `asn`; resolves once it listens. */
  static async start(t: Teardownable, netns: string, opts: { listen: string; asn: number; id: string }): Promise<RawSpeaker> {
    const script = path.join(__dirname, 'raw-bgp-speaker.js');
    const child = spawn('ip', ['netns', 'exec', netns, process.execPath, script, '--listen', opts.listen, '--as', String(opts.asn), '--id', opts.id], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const unregister = onExitCleanup(() => child.kill('SIGKILL'));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    t.teardown(async () => {
      child.kill('SIGKILL');
      await exited;
      unregister();
    });
    const s = new RawSpeaker(child);
    let buf = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim()) s.events.push(JSON.parse(line) as RawEvent);
      }
    });
    await s.waitEvent((e) => e.ev === 'listening', 10_000, 'raw speaker listening');
    return s;
  }

  /** Writes one whole BGP message (hex, header included) to the newest connection. */
  send(hex: string): void {
    this.child.stdin!.write(`${JSON.stringify({ send: hex })}\n`);
  }

  /** Waits for the first event (from index `from` on) matching `pred`; returns it. */
  waitEvent(pred: (e: RawEvent) => boolean, timeoutMs: number, what: string, from = 0): Promise<RawEvent> {
    return waitFor(() => this.events.slice(from).find(pred) ?? false, timeoutMs, what, { intervalMs: 50 });
  }

  /** The NOTIFICATIONs received (hex, header included), in order. */
  notifications(): string[] {
    return this.events.filter((e) => e.ev === 'msg' && e.type === 3).map((e) => e.hex!);
  }
}

const MARKER = 'ff'.repeat(16);

/** Frames a BGP message: marker, length, `type`, then the body (hex). */
export function bgpMessage(type: number, bodyHex: string): string {
  const len = 19 + bodyHex.length / 2;
  return `${MARKER}${len.toString(16).padStart(4, '0')}${type.toString(16).padStart(2, '0')}${bodyHex}`;
}

/** An UPDATE with no withdrawn routes, the given path attributes and NLRI (hex). */
export function updateMessage(attrsHex: string, nlriHex: string): string {
  return bgpMessage(2, `0000${(attrsHex.length / 2).toString(16).padStart(4, '0')}${attrsHex}${nlriHex}`);
}
