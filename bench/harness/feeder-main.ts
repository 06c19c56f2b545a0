/**
 * DOC: the feeder helper: one or more BGP sessions to the DUT, each sending a pre-encoded feed (feed.ts).
 *
 * Sequence: build every feed (before any clock runs), connect each session from its own address, bring it up,
 * emit `established`; on `go`, write each session's whole feed with one `socket.write` (Node streams it out as
 * the DUT reads) and emit `sent` with `t0` (just before the first write) and `tWritten` (when the last session's
 * buffer was fully handed to the kernel). Whatever the DUT sends back is framed and discarded. `status` reports
 * the CPU time used so far, the DUT's longest silence on any session (`maxGapMs`, speaker.ts) and why sessions
 * ended (`down`). Sessions stay up until stdin closes.
 */
import { childArgs, emit, nowNs, onCommand } from './child';
import { buildFeed, type FeedSpec } from './feed';
import { connectRetry, MiniSession } from './speaker';

/** The helper's argument. */
export interface FeederArgs {
  dut: string;
  port: number;
  holdTime: number;
  connectTimeoutMs: number;
  sessions: { localAddress: string; localAs: number; routerId: string; feed: FeedSpec }[];
}

async function main(): Promise<void> {
  const a = childArgs<FeederArgs>();
  const feeds = a.sessions.map((s) => buildFeed(s.feed));
  emit({ event: 'built', bytes: feeds.reduce((n, b) => n + b.length, 0) });
  const deadline = Date.now() + a.connectTimeoutMs;
  const sessions = await Promise.all(
    a.sessions.map(async (s) => {
      const sock = await connectRetry(a.dut, a.port, s.localAddress, deadline);
      const sess = new MiniSession(sock, { localAs: s.localAs, routerId: s.routerId, holdTime: a.holdTime }, () => undefined);
      await sess.established;
      return sess;
    }),
  );
  for (const s of sessions) {
    void s.closed.then((why) => emit({ event: 'session-down', why }));
  }
  emit({ event: 'established' });
  let sent = false;
  onCommand((cmd) => {
    if (cmd === 'go' && !sent) {
      sent = true;
      const cpu0 = process.cpuUsage();
      const t0 = nowNs();
      let left = sessions.length;
      sessions.forEach((s, i) =>
        s.socket.write(feeds[i], () => {
          if (--left === 0) {
            const cpu = process.cpuUsage(cpu0);
            emit({ event: 'sent', t0, tWritten: nowNs(), cpuMs: (cpu.user + cpu.system) / 1000 });
          }
        }),
      );
    } else if (cmd === 'status') {
      const cpu = process.cpuUsage();
      emit({
        event: 'status', cpuMs: (cpu.user + cpu.system) / 1000, up: sessions.filter((s) => s.isUp).length,
        maxGapMs: Math.max(...sessions.map((s) => s.maxGapMs)), down: sessions.flatMap((s) => s.endReason ?? []),
      });
    }
  });
}

if (require.main === module) {
  main().catch((e: unknown) => {
    emit({ event: 'error', message: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  });
}
