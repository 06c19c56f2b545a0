/**
 * DOC: run inside a test namespace by monitor.test.ts (`ip netns exec NS node monitor-probe.js MODE`): subscribes
 * to the IPv4 route group, adds a route with `ip`, and
 *   MODE 'close': closes the subscription once the route's notification arrived, prints
 *     `{"implementation", "seen"}` and must then exit by itself (nothing left holding the event loop);
 *   MODE 'throw': throws from `onMessage`, which must surface as an uncaught exception (exit code 1);
 *   MODE 'burst': adds 3000 routes in one `ip -batch` instead, and prints `{"seen", "inOrder", "resyncs"}` once
 *     all arrived or a resync was asked for.
 * `PETREL_NETLINK_MONITOR=child` in its environment selects the child-process monitor.
 */
import { execFileSync } from 'node:child_process';

const BURST = 3000;
import { RtnlGroup, decodeRoute } from '../../../src/fib/netlink/codec';
import { monitorImplementation, subscribe } from '../../../src/fib/netlink/monitor';

async function main(): Promise<void> {
  const mode = process.argv[2];
  let done!: (dst: string) => void;
  const seen = new Promise<string>((r) => (done = r));
  const burst: string[] = [];
  let resyncs = 0;
  const m = await subscribe([RtnlGroup.Ipv4Route], {
    onMessage: (msg) => {
      const r = decodeRoute(msg);
      if (r.table !== 103) return;
      if (mode === 'throw') throw new Error('thrown by onMessage');
      burst.push(`${String(r.dst)}/${r.dstLen}`);
      if (mode !== 'burst' || burst.length === BURST) done(burst[0]);
    },
    onResync: () => {
      resyncs++;
      done('');
    },
  });
  const implementation = monitorImplementation();
  if (mode === 'burst') {
    const lines = Array.from({ length: BURST }, (_, i) => `route add blackhole 10.94.${i >> 8}.${i & 255}/32 table 103\n`);
    execFileSync('ip', ['-batch', '-'], { input: lines.join('') });
    await seen;
    m.close();
    const inOrder = burst.every((d, i) => d === `10.94.${i >> 8}.${i & 255}/32`);
    process.stdout.write(`${JSON.stringify({ seen: burst.length, inOrder, resyncs })}\n`);
    return;
  }
  execFileSync('ip', ['route', 'add', 'blackhole', '10.93.0.0/24', 'table', '103']);
  const dst = await seen;
  m.close();
  process.stdout.write(`${JSON.stringify({ implementation, seen: dst, after: monitorImplementation() ?? null })}\n`);
}

// Only when started for a mode (tap runs every file under dist/test: without one, touch nothing).
if (['close', 'throw', 'burst'].includes(process.argv[2])) void main();
