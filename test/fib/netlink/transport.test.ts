import t, { type Test } from 'tap';
import { TeardownHost, addAddress, createNetns, exec, linkUp, run, vethPair } from '../../helpers/netns';
import { monitorChildPids } from './monitor-children';
import { AgentOptions, NsAgent } from './agent-client';
import { hasNativeMonitor } from '../../../src/fib/netlink/monitor-native';
import { hasNativeWriter } from '../../../src/fib/netlink/native-route-writer';
import { loadSockoptAddon, sockoptAddonError } from '../../../src/util/sockopt-addon';
import { Af, NlWriter, Route, RtmType, RtnlGroup, ROUTE_REPLACE_FLAGS, decodeMessage, decodeRoute, encodeRoute, encodeRouteDump } from '../../../src/fib/netlink/codec';

// Transport behaviour against the kernel, in throw-away namespaces (root + iproute2): chunking, overruns, monitors.
// The monitor tests run against both implementations: in-process (native addon) and the child-process fallback.
const TABLE = 101;
const NATIVE = hasNativeMonitor(loadSockoptAddon());
const NATIVE_WRITER = hasNativeWriter(loadSockoptAddon());
const IMPLEMENTATIONS = ['native', 'child'] as const;

/** Skips `t` when it needs the native monitor and the addon lacks it (says why). */
function unavailable(t: Test, monitor: 'native' | 'child'): boolean {
  if (monitor === 'child' || NATIVE) return false;
  t.plan(0, `skipped: the native addon has no netlink monitor ${sockoptAddonError()}`);
  return true;
}
const ENETUNREACH = 101;

function routes(n: number, bad: number[] = []): Buffer {
  const w = new NlWriter();
  for (let i = 0; i < n; i++) {
    const r: Route = { family: Af.Inet, dst: (((10 << 24) | (201 << 16)) >>> 0) + i, dstLen: 32, gateway: bad.includes(i) ? '10.99.0.1' : '10.1.0.2', protocol: 12, table: TABLE };
    encodeRoute(w, RtmType.NewRoute, ROUTE_REPLACE_FLAGS, 0, r);
  }
  return w.finish();
}

async function setup(tt: TeardownHost, opts: AgentOptions): Promise<{ ns: string; agent: NsAgent }> {
  const ns = await createNetns(tt, 'petrel-nltr');
  await vethPair(ns, 'v0', ns, 'v1');
  await addAddress(ns, 'v0', '10.1.0.1/24');
  await linkUp(ns, 'v0');
  await linkUp(ns, 'v1');
  return { ns, agent: NsAgent.start(tt, ns, opts) };
}

async function count(ns: string): Promise<number> {
  return (JSON.parse(await exec(ns, 'ip', ['-j', 'route', 'show', 'table', String(TABLE), 'proto', '12'])) as unknown[]).length;
}

const WRITERS = { inline: 'on the calling thread', worker: 'through the writer thread', native: "through the addon's writer thread" } as const;
for (const writer of ['inline', 'worker', 'native'] as const) {
  const how = WRITERS[writer];
  t.test(`failures at chunk boundaries keep their batch indexes (16 messages per sendmsg), ${how}`, async (t) => {
    if (writer === 'native' && !NATIVE_WRITER) {
      t.plan(0, `skipped: the native addon has no route writer ${sockoptAddonError()}`);
      return;
    }
    const { ns, agent } = await setup(t, { maxChunkMessages: 16, threadedWriter: writer === 'worker', nativeWriter: writer === 'native' });
    const bad = [0, 15, 16, 63, 99];
    for (const acks of ['errors', 'all'] as const) {
      const res = await agent.batch(routes(100, bad), acks);
      t.same(
        res.failed.map((f) => [f.index, f.errno]),
        bad.map((i) => [i, ENETUNREACH]),
        `${acks}: exactly the bad gateways failed`,
      );
      t.same([res.count, res.unknown, res.acked], [100, [], acks === 'all' ? 95 : 0]);
    }
    t.equal(await count(ns), 95);
  });
}

t.test('a tiny receive buffer shrinks the chunks so that no answer is lost', async (t) => {
  // SO_RCVBUF 4096 (the kernel's minimum is about 4.6 KB) with an ACK per message: without the chunk bound the
  // kernel would drop ACKs (ENOBUFS), which netlink 0.3.0 turns into a process abort.
  const { ns, agent } = await setup(t, { recvBufferSize: 4096 });
  const res = await agent.batch(routes(3000, [1500]), 'all');
  t.same([res.count, res.acked, res.unknown, res.failed.map((f) => f.index)], [3000, 2999, [], [1500]]);
  t.equal(await count(ns), 2999);
  const w = new NlWriter();
  encodeRouteDump(w, 0, Af.Inet);
  const dumped = (await agent.dump(w.finish())).map((m) => decodeRoute(m)).filter((r) => r.table === TABLE);
  t.equal(dumped.length, 2999, 'a dump through the tiny buffer returns every route');
});

for (const monitor of IMPLEMENTATIONS) {
  t.test(`a monitor whose buffer overflows asks for a resync and keeps delivering (${monitor})`, async (t) => {
    if (unavailable(t, monitor)) return;
    const { ns, agent } = await setup(t, { monitor });
    await agent.subscribe([RtnlGroup.Ipv4Route], 4096);
    const before = await agent.monitors();
    // Freeze every reader (the agent and its monitor process, if any), then a burst from another socket (ip -batch)
    // overflows the 4 KiB buffer while nothing reads it.
    const frozen = [agent.pid, ...monitorChildPids(agent.pid)];
    const signal = (sig: NodeJS.Signals): void =>
      frozen.forEach((p) => {
        try {
          process.kill(p, sig);
        } catch {
          // gone: a monitor process dies of the overrun
        }
      });
    const thaw = (): void => signal('SIGCONT');
    t.teardown(thaw);
    signal('SIGSTOP');
    try {
      await run('ip', ['-n', ns, '-batch', '-'], Array.from({ length: 300 }, (_, i) => `route add 10.65.${i >> 8}.${i & 255}/32 via 10.1.0.2 table ${TABLE}\n`).join(''));
    } finally {
      thaw();
    }
    await agent.waitForEvent(() => agent.resyncs > 0);
    t.equal(agent.resyncs, 1, 'onResync was called once');
    t.ok(agent.events.length < 300, `only ${agent.events.length} of 300 notifications arrived`);
    // The monitor (the same native socket, or a restarted process) sees later changes: a new route each try,
    // until one lands after the overrun.
    const seen = (): boolean =>
      agent.events.some((h) => {
        const m = decodeMessage(Buffer.from(h, 'hex'));
        return m.kind === 'route' && m.route.dst !== undefined && m.route.dst.startsWith('10.66.');
      });
    for (let i = 0; i < 50 && !seen(); i++) {
      await exec(ns, 'ip', ['route', 'add', `10.66.${i}.0/24`, 'via', '10.1.0.2', 'table', String(TABLE)]);
      await new Promise((r) => setTimeout(r, 100));
    }
    t.ok(seen(), 'a route added after the resync was delivered');
    const after = await agent.monitors();
    const want = monitor === 'native' ? { processes: 0, implementation: 'native', inProcess: 1, inChildren: 0 } : { processes: 1, implementation: 'child', inProcess: 0, inChildren: 1 };
    t.same([before, after], [want, want], 'one monitor socket before and after');
  });
}

t.test('a streamed dump (dumpEach) sees what dump sees', async (t) => {
  const { ns, agent } = await setup(t, {});
  await agent.batch(routes(300));
  const w = new NlWriter();
  encodeRouteDump(w, 0, Af.Inet);
  const req = w.finish();
  const ours = (ms: Buffer[]): string[] => ms.map((m) => decodeRoute(m)).filter((r) => r.table === TABLE).map((r) => `${r.dst}/${r.dstLen}`);
  const all = await agent.dump(req);
  const streamed = await agent.dumpEach(req);
  t.equal(streamed.count, all.length, 'the count is that of the messages');
  t.same(ours(streamed.messages), ours(all));
  t.equal(ours(streamed.messages).length, 300);
  t.equal(await count(ns), 300);
});

// The child-process fallback runs with the writer thread only (as the FIB writes): the monitor does not care.
for (const [monitor, writer] of [['native', 'inline'], ['native', 'worker'], ['native', 'native'], ['child', 'worker']] as const) {
  const how = `writing ${WRITERS[writer]}`;
  t.test(`one monitor socket serves every subscriber; a silenced writer's own writes never reach them, ${how} (${monitor})`, async (t) => {
    if (unavailable(t, monitor)) return;
    if (writer === 'native' && !NATIVE_WRITER) {
      t.plan(0, `skipped: the native addon has no route writer ${sockoptAddonError()}`);
      return;
    }
    const { ns, agent } = await setup(t, { silenceEchoes: true, threadedWriter: writer === 'worker', nativeWriter: writer === 'native', monitor });
    await agent.subscribe([RtnlGroup.Ipv4Route]);
    await agent.subscribe([RtnlGroup.Link]); // joins a group the running monitor lacks
    t.same(
      await agent.monitors(),
      monitor === 'native' ? { processes: 0, implementation: 'native', inProcess: 1, inChildren: 0 } : { processes: 1, implementation: 'child', inProcess: 0, inChildren: 1 },
      'one monitor socket for two subscriptions',
    );
    const res = await agent.batch(routes(500));
    t.same([res.count, res.failed.length, res.unknown.length], [500, 0, 0]);
    await exec(ns, 'ip', ['route', 'add', '10.77.0.0/24', 'via', '10.1.0.2', 'table', String(TABLE)]);
    await exec(ns, 'ip', ['link', 'set', 'v1', 'mtu', '1400']);
    const decoded = (): { sub: number; kind: string; dst?: string; name?: string }[] =>
      agent.events.map((h, i) => {
        const m = decodeMessage(Buffer.from(h, 'hex'));
        return { sub: agent.eventSubs[i], kind: m.kind, dst: m.kind === 'route' ? m.route.dst : undefined, name: m.kind === 'link' ? m.link.name : undefined };
      });
    await agent.waitForEvent(() => decoded().some((e) => e.dst === '10.77.0.0') && decoded().some((e) => e.name === 'v1'));
    const routeEvents = decoded().filter((e) => e.kind === 'route');
    t.same(routeEvents.map((e) => [e.sub, e.dst]), [[0, '10.77.0.0']], 'only the outside route change, to the route subscriber only');
    t.same([...new Set(decoded().filter((e) => e.kind === 'link').map((e) => e.sub))], [1], 'link changes go to the link subscriber only');
    t.equal(await count(ns), 500);
  });
}
