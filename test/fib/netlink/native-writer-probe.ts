/**
 * DOC: a child process for native-route-writer.test.ts, run inside a test namespace (`ip netns exec`): opens a
 * NativeRouteWriter, writes routes to table 101 via 10.1.0.2 (`bad` indexes via an unreachable gateway), prints
 * one JSON line per outcome, and then either closes the writer or leaves it open; the test checks that the
 * process then exits by itself.
 * argv[2]: JSON `{ mode, n, bad?, acks?, recvBufferSize?, maxChunkMessages? }`, mode one of
 *   'close'    one batch, print its result, close();
 *   'idle'     one batch, print its result, leave the writer open (an idle writer must not hold the process);
 *   'inflight' submit a batch and close() at once: print the rejection.
 */
import { NativeRouteWriter, hasNativeWriter } from '../../../src/fib/netlink/native-route-writer';
import { loadSockoptAddon } from '../../../src/util/sockopt-addon';
import { Af, NlWriter, ROUTE_REPLACE_FLAGS, RtmType, encodeRoute } from '../../../src/fib/netlink/codec';

interface ProbeArgs {
  mode: 'close' | 'idle' | 'inflight';
  n: number;
  bad?: number[];
  acks?: 'errors' | 'all';
  recvBufferSize?: number;
  maxChunkMessages?: number;
}

function main(args: ProbeArgs): void {
  const addon = loadSockoptAddon();
  if (!hasNativeWriter(addon)) process.exit(3);
  const w = new NlWriter();
  for (let i = 0; i < args.n; i++) {
    const gateway = args.bad?.includes(i) ? '10.99.0.1' : '10.1.0.2';
    encodeRoute(w, RtmType.NewRoute, ROUTE_REPLACE_FLAGS, 0, { family: Af.Inet, dst: ((10 << 24) | (202 << 16)) + i, dstLen: 32, gateway, protocol: 12, table: 101 });
  }
  const writer = new NativeRouteWriter(addon, { recvBufferSize: args.recvBufferSize, maxChunkMessages: args.maxChunkMessages });
  const out = (o: unknown): boolean => process.stdout.write(`${JSON.stringify(o)}\n`);
  const pending = writer.batch(w.finish(), { acks: args.acks });
  if (args.mode === 'inflight') {
    writer.close();
    pending.then((r) => out({ result: r }), (e: Error) => out({ error: e.message }));
  } else {
    pending.then(
      (r) => {
        out({ result: r, port: writer.port });
        if (args.mode === 'close') writer.close();
      },
      (e: Error) => out({ error: e.message }),
    );
  }
}

// Run by the test with its arguments; loaded bare (tap runs every file), it does nothing.
if (process.argv[2] !== undefined) main(JSON.parse(process.argv[2]) as ProbeArgs);
