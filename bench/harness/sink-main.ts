/**
 * DOC: the sink helper: one BGP session that counts the distinct IPv4 prefixes it is sent (feed.ts countUpdate:
 * length bytes walked, no objects built) and reports when the expected number has arrived.
 *
 * Modes: `active` connects to the DUT (the benchmark topology); `passive` listens on `localAddress` and takes
 * the first connection (the tools-only calibration, where the feeder talks to the sink directly). Events:
 * `established`; `done` once `expect` distinct prefixes arrived, with `tFirst` (first UPDATE carrying NLRI),
 * `tLast` (the UPDATE that completed the set) and the CPU time spent between them; `status` on request (counts so
 * far, the DUT's longest silence `maxGapMs` and why the session ended, `down`). The session stays up until stdin
 * closes.
 */
import { createServer, type Socket } from 'node:net';
import { childArgs, emit, nowNs, onCommand } from './child';
import { countUpdate, PrefixCounter } from './feed';
import { connectRetry, MiniSession } from './speaker';

/** The helper's argument. */
export interface SinkArgs {
  mode: 'active' | 'passive';
  /** Active: the DUT address to connect to. */
  peer: string;
  port: number;
  localAddress: string;
  localAs: number;
  routerId: string;
  holdTime: number;
  expect: number;
  connectTimeoutMs: number;
}

function accept(address: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const srv = createServer((s) => {
      srv.close();
      resolve(s);
    });
    srv.once('error', reject);
    srv.listen(port, address, () => emit({ event: 'listening' }));
  });
}

async function main(): Promise<void> {
  const a = childArgs<SinkArgs>();
  const counter = new PrefixCounter();
  let withdrawn = 0;
  let eor = false;
  let tFirst: string | undefined;
  let cpu0: NodeJS.CpuUsage | undefined;
  let done = false;
  const onUpdate = (buf: Buffer, start: number, end: number): void => {
    const c = countUpdate(buf, start, end, counter);
    withdrawn += c.withdrawn;
    if (c.eor) eor = true;
    if (c.announced > 0 && tFirst === undefined) {
      tFirst = nowNs();
      cpu0 = process.cpuUsage();
    }
    if (!done && counter.distinct >= a.expect) {
      done = true;
      const tLast = nowNs();
      const cpu = process.cpuUsage(cpu0);
      emit({ event: 'done', tFirst, tLast, distinct: counter.distinct, total: counter.total, withdrawn, cpuMs: (cpu.user + cpu.system) / 1000 });
    }
  };
  const sock = a.mode === 'active' ? await connectRetry(a.peer, a.port, a.localAddress, Date.now() + a.connectTimeoutMs) : await accept(a.localAddress, a.port);
  const sess = new MiniSession(sock, { localAs: a.localAs, routerId: a.routerId, holdTime: a.holdTime }, onUpdate);
  onCommand((cmd) => {
    if (cmd === 'status') {
      emit({
        event: 'status', distinct: counter.distinct, total: counter.total, withdrawn, eor, up: sess.isUp, maxGapMs: sess.maxGapMs,
        down: sess.endReason === undefined ? [] : [sess.endReason],
      });
    }
  });
  void sess.closed.then((why) => emit({ event: 'session-down', why }));
  await sess.established;
  emit({ event: 'established' });
  if (a.expect === 0) emit({ event: 'done', tFirst: nowNs(), tLast: nowNs(), distinct: 0, total: 0, withdrawn: 0, cpuMs: 0 });
}

if (require.main === module) {
  main().catch((e: unknown) => {
    emit({ event: 'error', message: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  });
}
