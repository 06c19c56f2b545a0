/**
 * DOC: a child process that drives `NetlinkTransport` inside a network namespace for the tests.
 *
 * Started as `ip netns exec NS node ns-agent.js` (a netlink socket lives in its opener's namespace and Node cannot
 * setns). It reads JSON commands, one per line, on stdin and answers one JSON line each on stdout; the test side
 * (`agent-client.ts`) encodes messages with the pure codec and decodes what comes back, so the codec runs in the
 * test process and only the socket work happens here.
 *   {id, op:'batch', hex, acks?}   → {id, result: BatchResult}
 *   {id, op:'request', hex}         → {id, ok: true} | {id, errno}
 *   {id, op:'dump', hex}            → {id, messages: hex[]}
 *   {id, op:'dumpEach', hex}        → {id, messages: hex[], count}
 *   {id, op:'subscribe', groups, recvBufferSize?} → {id, ok: true}, then {event:'message', hex, sub} / {event:'resync'}
 *     (`sub`: the subscription's number, from 0 in subscribe order)
 *   {id, op:'monitorProcesses'}     → {id, count, implementation, inProcess, inChildren} (monitor-child processes
 *     of this agent, the monitor implementation in use, and the multicast rtnetlink sockets of this process and
 *     of those children)
 * The first argument, if any, is JSON TransportOptions for the request socket (tests shrink buffers and chunks), plus
 * `threadedWriter: true` to send batches through a ThreadedRouteWriter (worker thread) instead, `nativeWriter: true`
 * through a NativeRouteWriter (the addon's thread; the agent exits with code 3 if the addon lacks it), and
 * `monitor: 'child'` to force the child-process monitor (PETREL_NETLINK_MONITOR=child).
 */
import { createInterface } from 'node:readline';
import { FibError } from '../../../src/fib/netlink/errors';
import { monitorChildPids, monitorSockets } from './monitor-children';
import { monitorImplementation } from '../../../src/fib/netlink/monitor';
import { Monitor, NetlinkTransport, TransportOptions, subscribe } from '../../../src/fib/netlink/transport';
import { ThreadedRouteWriter, type RouteWriter } from '../../../src/fib/netlink/route-writer';
import { NativeRouteWriter, hasNativeWriter } from '../../../src/fib/netlink/native-route-writer';
import { loadSockoptAddon } from '../../../src/util/sockopt-addon';

interface Command {
  id: number;
  op: 'batch' | 'request' | 'dump' | 'dumpEach' | 'subscribe' | 'monitorProcesses';
  hex?: string;
  acks?: 'errors' | 'all';
  groups?: number[];
  recvBufferSize?: number;
}

type Options = TransportOptions & { threadedWriter?: boolean; nativeWriter?: boolean; monitor?: 'native' | 'child' };
const options = process.argv[2] ? (JSON.parse(process.argv[2]) as Options) : {};
if (options.monitor === 'child') process.env.PETREL_NETLINK_MONITOR = 'child';
const transport = NetlinkTransport.open(options);
/** Batches go through a writer thread (worker or native, each with its own socket) when asked, as the FIB's do. */
function openWriter(): RouteWriter {
  if (options.threadedWriter) return new ThreadedRouteWriter(options);
  if (!options.nativeWriter) return transport;
  const addon = loadSockoptAddon();
  if (!hasNativeWriter(addon)) process.exit(3);
  return new NativeRouteWriter(addon, options);
}
const writer = openWriter();
const monitors: Monitor[] = [];
let subscribed = 0;

function reply(obj: unknown): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

async function handle(cmd: Command): Promise<void> {
  try {
    switch (cmd.op) {
      case 'batch':
        reply({ id: cmd.id, result: await writer.batch(Buffer.from(cmd.hex!, 'hex'), { acks: cmd.acks }) });
        return;
      case 'request':
        await transport.request(Buffer.from(cmd.hex!, 'hex'));
        reply({ id: cmd.id, ok: true });
        return;
      case 'dump': {
        const msgs = await transport.dump(Buffer.from(cmd.hex!, 'hex'));
        reply({ id: cmd.id, messages: msgs.map((m) => m.toString('hex')) });
        return;
      }
      case 'dumpEach': {
        const messages: string[] = [];
        const count = await transport.dumpEach(Buffer.from(cmd.hex!, 'hex'), (m) => messages.push(m.toString('hex')), () => (messages.length = 0));
        reply({ id: cmd.id, messages, count });
        return;
      }
      case 'monitorProcesses':
        reply({ id: cmd.id, count: monitorChildPids(process.pid).length, implementation: monitorImplementation() ?? null, ...monitorSockets(process.pid) });
        return;
      case 'subscribe': {
        const sub = subscribed++;
        monitors.push(
          await subscribe(
            cmd.groups!,
            {
              onMessage: (m) => reply({ event: 'message', hex: m.toString('hex'), sub }),
              onResync: () => reply({ event: 'resync' }),
            },
            { recvBufferSize: cmd.recvBufferSize },
          ),
        );
        reply({ id: cmd.id, ok: true });
        return;
      }
    }
  } catch (err) {
    reply({ id: cmd.id, errno: err instanceof FibError ? err.errno : -1, error: String(err) });
  }
}

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => void handle(JSON.parse(line) as Command));
rl.on('close', () => {
  if (writer !== transport) writer.close();
  transport.close();
  for (const m of monitors) m.close();
});
