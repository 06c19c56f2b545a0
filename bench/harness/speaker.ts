/**
 * DOC: the benchmark's minimal BGP speaker: just enough of RFC 4271 to bring a session up and keep it up, so the
 * feeder, the sink and C1's mesh peers can be fast, allocation-light Node processes.
 *
 * One `MiniSession` per TCP connection: it sends OPEN (built by src/bgp/codec's buildOpen, IPv4 unicast, 4-octet
 * AS, route refresh), answers the peer's OPEN with a KEEPALIVE, is Established on the peer's first KEEPALIVE after
 * OPEN (§8.2.2 OpenConfirm), then sends a KEEPALIVE every hold/3 (§10). It never runs a hold timer of its own (the
 * DUT's health is what is measured) and never validates UPDATEs: each one is handed, framed, to `onUpdate`.
 * A NOTIFICATION or a closed socket ends the session with an error. Connecting retries every 100 ms until the
 * deadline, since the DUT may not listen yet.
 * Instead of a hold timer it measures the DUT's longest silence once Established (`maxGapMs`: the longest time
 * between two reads of the socket; a gap over the hold time is a hold-timer expiry the peer would have declared).
 */
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Framer } from '../../src/bgp/codec/framer';
import { encodeMessage, KEEPALIVE } from '../../src/bgp/codec/message';
import { buildOpen, negotiate } from '../../src/bgp/codec/session-codec';
import { decodeOpen } from '../../src/bgp/codec/open';
import { DEFAULT_CODEC_CONTEXT } from '../../src/bgp/codec/types';
import { family } from '../../src/bgp/family';

/** Settings of one session. */
export interface SessionSettings {
  localAs: number;
  routerId: string;
  /** Proposed hold time, seconds. */
  holdTime: number;
}

/** Called per framed UPDATE (`buf[start, end)`, header included). */
export type OnUpdate = (buf: Buffer, start: number, end: number) => void;

const IPV4_UNICAST = family(1, 1);

/** One BGP session over an open socket. */
export class MiniSession {
  readonly established: Promise<void>;
  /** Resolves (with the reason) when the session ends. */
  readonly closed: Promise<string>;
  private keepalive: NodeJS.Timeout | undefined;
  private up = false;
  private lastRead = 0;
  private gapMs = 0;
  private endedWith: string | undefined;

  constructor(readonly socket: Socket, settings: SessionSettings, onUpdate: OnUpdate) {
    socket.setNoDelay(true);
    const local = {
      localAs: settings.localAs, peerAs: 0, routerId: settings.routerId, holdTime: settings.holdTime,
      families: [IPV4_UNICAST],
    };
    let resolveUp!: () => void;
    let rejectUp!: (e: Error) => void;
    this.established = new Promise<void>((res, rej) => {
      resolveUp = res;
      rejectUp = rej;
    });
    this.established.catch(() => undefined);
    let resolveClosed!: (why: string) => void;
    this.closed = new Promise<string>((res) => (resolveClosed = res));
    const framer = new Framer(65535);
    let gotOpen = false;
    const end = (why: string): void => {
      this.endedWith ??= why;
      if (this.keepalive) clearInterval(this.keepalive);
      rejectUp(new Error(why));
      resolveClosed(why);
      socket.destroy();
    };
    socket.on('data', (chunk: Buffer) => {
      if (this.up) {
        const now = performance.now();
        if (now - this.lastRead > this.gapMs) this.gapMs = now - this.lastRead;
        this.lastRead = now;
      }
      try {
        framer.push(chunk, (buf, start, stop, type) => {
          if (type === 2) onUpdate(buf, start, stop);
          else if (type === 1 && !gotOpen) {
            gotOpen = true;
            const n = negotiate(local, decodeOpen(buf, start + 19, stop));
            if (!n.tx.as4) throw new Error('the peer did not negotiate 4-octet AS (the feed needs it)');
            socket.write(KEEPALIVE);
            if (n.keepaliveTime > 0) this.keepalive = setInterval(() => socket.write(KEEPALIVE), n.keepaliveTime * 1000);
          } else if (type === 4 && gotOpen && !this.up) {
            this.up = true;
            this.lastRead = performance.now();
            resolveUp();
          } else if (type === 3) {
            end(`NOTIFICATION ${buf[start + 19]}/${buf[start + 20]} from the peer`);
          }
        });
      } catch (e) {
        end(e instanceof Error ? e.message : String(e));
      }
    });
    socket.on('error', (e) => end(e.message));
    socket.on('close', () => end('connection closed'));
    socket.write(encodeMessage(buildOpen(local), DEFAULT_CODEC_CONTEXT));
  }

  get isUp(): boolean {
    return this.up;
  }

  /** The DUT's longest silence since Established, ms, counting the current one (0 before Established). */
  get maxGapMs(): number {
    return this.up && this.endedWith === undefined ? Math.max(this.gapMs, performance.now() - this.lastRead) : this.gapMs;
  }

  /** Why the session ended, if it has. */
  get endReason(): string | undefined {
    return this.endedWith;
  }

  close(): void {
    if (this.keepalive) clearInterval(this.keepalive);
    this.socket.destroy();
  }
}

/** Connects from `localAddress` to `host`:`port`, retrying every 100 ms until `deadlineMs` (epoch ms). */
export function connectRetry(host: string, port: number, localAddress: string, deadlineMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const s = connect({ host, port, localAddress });
      s.once('connect', () => {
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (e) => {
        s.destroy();
        if (Date.now() > deadlineMs) reject(new Error(`connect ${localAddress} → ${host}:${port}: ${e.message}`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}
