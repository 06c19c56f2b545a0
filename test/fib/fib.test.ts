import t from 'tap';
import { TeardownHost, addAddress, exec, ipRouteLines, linkUp, vethPair } from '../helpers/netns';
import { FibAgent, FibAgentOptions, fibNamespace, ipRoutes, until } from './fib-agent-client';

// A real Fib against the kernel of a throw-away namespace (needs root and iproute2). Table 100, protocol 12.
const TABLE = 100;
const BASE: FibAgentOptions = { table: TABLE, protocol: 12 };

function setup(tt: TeardownHost): Promise<string> {
  return fibNamespace(tt, 'petrel-fib');
}

/** `ip route` text of table 100 (one line per route, stable order), for exact comparisons. */
/** `ip route show table TABLE`, one line per route (ipRouteLines: `nhid N` left out). */
function table(ns: string, family: '-4' | '-6' = '-4'): Promise<string[]> {
  return ipRouteLines(ns, [family, 'route', 'show', 'table', String(TABLE)]);
}

t.test('writer threads start for a backlog, end when idle, and start again', async (t) => {
  const ns = await setup(t);
  const fib = await FibAgent.start(t, ns, { ...BASE, writerThreadBacklog: 3, writerThreadIdleMs: 300 });
  await fib.announce('10.50.1.0/24', 'p1', '10.1.0.2');
  let c = await fib.idle();
  t.match(c, { installed: 1, writerThreads: 0 }, 'one route: written on the main thread');
  await fib.announceMany(['10.50.2.0/24', '10.50.3.0/24', '10.50.4.0/24'].map((prefix) => ({ prefix, source: 'p1', nextHop: '10.1.0.2' })));
  c = await fib.idle();
  t.match(c, { installed: 4, writerThreads: 1 }, 'a backlog of three: written by a thread');
  await until('the idle thread ended', async () => (await fib.idle()).writerThreads === 0);
  await fib.announceMany(['10.50.5.0/24', '10.50.6.0/24', '10.50.7.0/24'].map((prefix) => ({ prefix, source: 'p1', nextHop: '10.1.0.2' })));
  c = await fib.idle();
  t.match(c, { installed: 7, writerThreads: 1, failed: 0 }, 'started again');
  t.equal((await table(ns)).length, 7);
});

// Writes from one writer thread (the default), two (prefixes sharded between them) and the event loop's thread.
for (const writerThreads of [1, 2, 0]) {
  t.test(`install, replace in place, withdraw (IPv4 and IPv6), into the configured table and protocol; ${writerThreads} writer threads`, async (t) => {
    const ns = await setup(t);
    // A backlog of 1 starts the threads at once (their default threshold is for bulk installs).
    const fib = await FibAgent.start(t, ns, { ...BASE, writerThreads, writerThreadBacklog: 1 });
    await fib.announce('10.244.1.0/26', 'p1', '10.1.0.2');
    await fib.announce('10.244.2.0/26', 'p1', '10.1.0.2');
    await fib.announce('2001:db8:99::/64', 'p6', '2001:db8:1::2');
    let c = await fib.idle();
    t.match(c, { installed: 3, pending: 0, failed: 0, unresolved: 0, replaces: 3, deletes: 0, writerThreads });
    t.same(await table(ns), ['10.244.1.0/26 via 10.1.0.2 dev v0 proto bird', '10.244.2.0/26 via 10.1.0.2 dev v0 proto bird']);
    t.same(await table(ns, '-6'), ['2001:db8:99::/64 via 2001:db8:1::2 dev v0 proto bird metric 1024 pref medium']);
    t.same(await ipRoutes(ns, 254, '-4', 'proto', '12'), [], 'nothing in the main table');

    await fib.announce('10.244.1.0/26', 'p1', '10.1.0.3');
    c = await fib.idle();
    t.equal(c.replaces, 4, 'one replace for the changed route');
    t.same(await table(ns), ['10.244.1.0/26 via 10.1.0.3 dev v0 proto bird', '10.244.2.0/26 via 10.1.0.2 dev v0 proto bird'], 'replaced in place, no duplicate');

    await fib.withdraw('10.244.2.0/26', 'p1');
    await fib.withdraw('2001:db8:99::/64', 'p6');
    c = await fib.idle();
    t.match(c, { installed: 1, deletes: 2 });
    t.same(await table(ns), ['10.244.1.0/26 via 10.1.0.3 dev v0 proto bird']);
    t.same(await table(ns, '-6'), []);
  });
}

t.test('ECMP set becomes one multipath route; shrinking it replaces in place', async (t) => {
  const ns = await setup(t);
  const fib = await FibAgent.start(t, ns, BASE);
  await fib.announceMany([{ prefix: '10.50.0.0/24', source: 'a', nextHop: '10.1.0.2' }, { prefix: '10.50.0.0/24', source: 'b', nextHop: '10.1.0.3' }]);
  await fib.idle();
  const [r] = await ipRoutes(ns, TABLE);
  t.equal(r.dst, '10.50.0.0/24');
  t.equal(r.protocol, 'bird');
  t.same(r.nexthops?.map((n) => [n.gateway, n.dev, n.weight]), [['10.1.0.2', 'v0', 1], ['10.1.0.3', 'v0', 1]]);
  await fib.withdraw('10.50.0.0/24', 'a');
  await fib.idle();
  t.same(await table(ns), ['10.50.0.0/24 via 10.1.0.3 dev v0 proto bird']);
});

t.test('blackhole for local static routes; kernel policy: metric, reject, tunnel onlink', async (t) => {
  const ns = await setup(t);
  // Only the device's name and index matter here (the ipip module may be absent): a veth named tunl0.
  await vethPair(ns, 'tunl0', ns, 'tunp');
  await linkUp(ns, 'tunl0');
  await linkUp(ns, 'tunp');
  const fib = await FibAgent.start(t, ns, {
    ...BASE,
    policyV4: {
      name: 'kernel', default: 'accept',
      rules: [
        { match: [{ kind: 'prefix', op: 'within', prefix: '10.96.0.0/12' }], actions: [{ kind: 'reject' }] },
        { match: [{ kind: 'prefix', op: 'within', prefix: '192.168.0.0/16' }], actions: [{ kind: 'setKrtTunnel', value: 'tunl0' }, { kind: 'setKrtMetric', value: 1024 }, { kind: 'accept' }] },
        { match: [{ kind: 'prefix', op: 'within', prefix: '172.16.0.0/16' }], actions: [{ kind: 'setKrtMetric', value: 512 }, { kind: 'accept' }] },
      ],
    },
  });
  await fib.announce('10.244.7.0/26', 'static1', undefined, { kind: 'static' });
  await fib.announce('2001:db8:7::/122', 'static1', undefined, { kind: 'static' });
  await fib.announce('10.96.0.0/12', 'static1', undefined, { kind: 'static' });
  await fib.announce('192.168.5.0/26', 'p1', '10.9.9.9');
  await fib.announce('172.16.1.0/24', 'p1', '10.1.0.2');
  const c = await fib.idle();
  t.match(c, { installed: 4, unresolved: 0 });
  t.same(await table(ns), [
    'blackhole 10.244.7.0/26 proto bird',
    '172.16.1.0/24 via 10.1.0.2 dev v0 proto bird metric 512',
    '192.168.5.0/26 via 10.9.9.9 dev tunl0 proto bird metric 1024 onlink',
  ], 'service range rejected; the tunnel route uses the BGP next hop on tunl0 even though it is not on a connected net');
  t.same(await table(ns, '-6'), ['blackhole 2001:db8:7::/122 dev lo proto bird metric 1024 pref medium']);
});

t.test('unresolved next hop: kept out of the kernel, installed once a connected route covers it; recursive', async (t) => {
  const ns = await setup(t);
  const fib = await FibAgent.start(t, ns, BASE);
  await fib.announce('10.60.0.0/24', 'p1', '10.2.0.5');
  let c = await fib.idle();
  t.match(c, { installed: 0, unresolved: 1 });
  t.same(await table(ns), []);

  await addAddress(ns, 'v0', '10.2.0.1/24');
  await until('route installed after the connected route appeared', async () => (await table(ns)).length === 1);
  t.same(await table(ns), ['10.60.0.0/24 via 10.2.0.5 dev v0 proto bird']);
  c = await fib.idle();
  t.match(c, { installed: 1, unresolved: 0 });

  // iBGP next hop behind a static route: resolved through that route's gateway.
  await exec(ns, 'ip', ['route', 'add', '10.3.0.0/24', 'via', '10.1.0.2']);
  await fib.announce('10.70.0.0/24', 'p2', '10.3.0.7');
  await fib.idle();
  t.same(await table(ns), ['10.60.0.0/24 via 10.2.0.5 dev v0 proto bird', '10.70.0.0/24 via 10.1.0.2 dev v0 proto bird']);

  // The static route moves: the recursive route follows it.
  await exec(ns, 'ip', ['route', 'replace', '10.3.0.0/24', 'via', '10.1.0.4']);
  await until('recursive route follows the static route', async () => (await table(ns)).includes('10.70.0.0/24 via 10.1.0.4 dev v0 proto bird'));
  // The connected subnet goes away: the route that needed it leaves the kernel but stays wanted.
  await exec(ns, 'ip', ['addr', 'del', '10.2.0.1/24', 'dev', 'v0']);
  await until('route removed when its next hop became unreachable', async () => !(await table(ns)).some((l) => l.startsWith('10.60.0.0/24')));
  c = await fib.idle();
  t.match(c, { installed: 1, unresolved: 1 });
});

t.test('routes changed or removed by someone else are put back', async (t) => {
  const ns = await setup(t);
  const fib = await FibAgent.start(t, ns, BASE);
  await fib.announce('10.80.0.0/24', 'p1', '10.1.0.2');
  await fib.announce('10.81.0.0/24', 'p1', '10.1.0.2');
  await fib.idle();
  await exec(ns, 'ip', ['route', 'del', '10.80.0.0/24', 'table', String(TABLE)]);
  await until('deleted route put back', async () => (await table(ns)).includes('10.80.0.0/24 via 10.1.0.2 dev v0 proto bird'));
  await exec(ns, 'ip', ['route', 'change', '10.81.0.0/24', 'via', '10.1.0.9', 'table', String(TABLE)]);
  await until('changed route put back', async () => (await table(ns)).includes('10.81.0.0/24 via 10.1.0.2 dev v0 proto bird'));
  let c = await fib.idle();
  t.ok(c.repairs >= 2, `at least two repairs (${c.repairs})`);
  // A change that keeps our protocol is someone else's too (the monitor drops only our own socket's echoes).
  await exec(ns, 'ip', ['route', 'replace', '10.81.0.0/24', 'via', '10.1.0.9', 'proto', '12', 'table', String(TABLE)]);
  await until('route rewritten with our protocol put back', async () => (await table(ns)).includes('10.81.0.0/24 via 10.1.0.2 dev v0 proto bird'));
  c = await fib.idle();
  const repairs = c.repairs;
  t.ok(repairs >= 3, `at least three repairs (${repairs})`);
  // A scan of a table that is as installed (routes compared by their bytes) rewrites nothing.
  c = await fib.scan();
  c = await fib.idle();
  t.same(await table(ns), ['10.80.0.0/24 via 10.1.0.2 dev v0 proto bird', '10.81.0.0/24 via 10.1.0.2 dev v0 proto bird']);
  t.equal(c.scans, 1, 'the one requested (a start that found no untracked route of ours needs no convergence scan)');
  t.equal(c.repairs, repairs, 'the scan repaired nothing');
});

t.test('a lost monitor (overrun) resyncs from a dump: the changes it missed are found and put back', async (t) => {
  const ns = await setup(t);
  // The child-process monitor, which can be killed (test/fib/netlink/monitor.test.ts overruns the native one).
  const fib = await FibAgent.start(t, ns, { ...BASE, monitor: 'child' });
  for (const p of ['10.82.0.0/24', '10.83.0.0/24', '10.84.0.0/24']) await fib.announce(p, 'p1', '10.1.0.2');
  let c = await fib.idle();
  const monitor = fib.monitorPid();
  if (monitor === undefined) throw new Error('no monitor process found');
  process.kill(monitor, 'SIGSTOP'); // what it would have read is lost with it
  await exec(ns, 'ip', ['route', 'del', '10.82.0.0/24', 'table', String(TABLE)]);
  await exec(ns, 'ip', ['route', 'replace', '10.83.0.0/24', 'via', '10.1.0.9', 'proto', '12', 'table', String(TABLE)]);
  process.kill(monitor, 'SIGKILL');
  const want = ['10.82.0.0/24 via 10.1.0.2 dev v0 proto bird', '10.83.0.0/24 via 10.1.0.2 dev v0 proto bird', '10.84.0.0/24 via 10.1.0.2 dev v0 proto bird'];
  await until('missed changes put back', async () => JSON.stringify(await table(ns)) === JSON.stringify(want));
  c = await fib.idle();
  t.match(c, { scans: 1, repairs: 2, installed: 3, replaces: 5 }, 'one resync scan; the missing and the changed route rewritten');
  t.not(fib.monitorPid(), undefined, 'a new monitor runs');
});

t.test('restart: adopted routes are kept; after convergence only stale ones are removed', async (t) => {
  const ns = await setup(t);
  const first = await FibAgent.start(t, ns, BASE);
  await first.announce('10.90.1.0/24', 'p1', '10.1.0.2');
  await first.announce('10.90.2.0/24', 'p1', '10.1.0.2');
  await first.announce('10.90.3.0/24', 'p1', '10.1.0.3');
  await first.idle();
  await first.stop();
  const kept = ['10.90.1.0/24 via 10.1.0.2 dev v0 proto bird', '10.90.2.0/24 via 10.1.0.2 dev v0 proto bird', '10.90.3.0/24 via 10.1.0.3 dev v0 proto bird'];
  t.same(await table(ns), kept, 'a clean stop leaves every route');
  // A second route of ours for one prefix (another metric), e.g. left by an older run with other settings.
  await exec(ns, 'ip', ['route', 'add', '10.90.2.0/24', 'via', '10.1.0.2', 'dev', 'v0', 'proto', 'bird', 'metric', '50', 'table', String(TABLE)]);

  const second = await FibAgent.start(t, ns, { ...BASE, converged: false });
  let c = await second.idle();
  t.match(c, { installed: 3, adopted: 3, converged: false, replaces: 0, deletes: 0 });
  await second.announce('10.90.1.0/24', 'p1', '10.1.0.2'); // unchanged
  await second.announce('10.90.3.0/24', 'p1', '10.1.0.4'); // changed while converging
  c = await second.idle();
  t.match(c, { installed: 3, adopted: 1, replaces: 1, deletes: 0 }, 'the unchanged route is not rewritten');
  t.same(await table(ns), [kept[0], kept[1], '10.90.2.0/24 via 10.1.0.2 dev v0 proto bird metric 50', '10.90.3.0/24 via 10.1.0.4 dev v0 proto bird'], 'the stale routes wait for convergence');
  await second.converge();
  c = await second.idle();
  t.match(c, { installed: 2, adopted: 0, converged: true, deletes: 2 }, 'the untracked second route is found by the convergence scan');
  // A second scan follows when the first run's nexthop object for 10.1.0.3, now unused, is deleted (nexthop-objects.ts).
  t.ok(c.scans === 1 || (c.scans === 2 && c.nexthopObjects > 0), `one convergence scan, two with nexthop objects (${c.scans})`);
  t.same(await table(ns), [kept[0], '10.90.3.0/24 via 10.1.0.4 dev v0 proto bird']);
});

t.test('kill -9 keeps the routes; the restarted FIB keeps the valid ones without rewriting', async (t) => {
  const ns = await setup(t);
  const first = await FibAgent.start(t, ns, BASE);
  await first.announce('10.91.1.0/24', 'p1', '10.1.0.2');
  await first.announce('10.91.2.0/24', 'a', '10.1.0.2');
  await first.announce('10.91.2.0/24', 'b', '10.1.0.3');
  await first.idle();
  const before = await table(ns);
  await first.kill('SIGKILL');
  t.same(await table(ns), before, 'kill -9 removed nothing');
  t.equal(before.length, 4, 'two routes, the multipath one printed on three lines');

  const second = await FibAgent.start(t, ns, { ...BASE, converged: false });
  await second.announceMany([
    { prefix: '10.91.1.0/24', source: 'p1', nextHop: '10.1.0.2' },
    { prefix: '10.91.2.0/24', source: 'a', nextHop: '10.1.0.2' },
    { prefix: '10.91.2.0/24', source: 'b', nextHop: '10.1.0.3' },
  ]);
  await second.converge();
  const c = await second.idle();
  t.match(c, { installed: 2, adopted: 0, replaces: 0, deletes: 0 }, 'multipath route adopted as is');
  t.same(await table(ns), before);
});
