import t from 'tap';
import { TeardownHost, exec, ipRouteLines, tryExec } from '../helpers/netns';
import { FibAgent, FibAgentOptions, fibNamespace, until } from './fib-agent-client';
import { NEXTHOP_ID_BASE } from '../../src/fib/nexthop-objects';

// The FIB's kernel nexthop objects (src/fib/nexthop-objects.ts) against the kernel of a throw-away namespace.
const TABLE = 101;
const BASE: FibAgentOptions = { table: TABLE, protocol: 12 };

function setup(tt: TeardownHost): Promise<string> {
  return fibNamespace(tt, 'petrel-nhobj');
}

interface IpNexthop {
  id: number;
  gateway?: string;
  dev?: string;
  protocol?: string;
}

async function nexthops(ns: string): Promise<IpNexthop[]> {
  const out = await exec(ns, 'ip', ['-j', 'nexthop', 'show']);
  return out.trim() === '' ? [] : (JSON.parse(out) as IpNexthop[]);
}

/** prefix → `nhid N` of that route ('' when the route carries its own next hop), for table TABLE. */
async function routeNhids(ns: string, family: '-4' | '-6' = '-4'): Promise<Map<string, string>> {
  const m = new Map<string, string>();
  for (const l of await ipRouteLines(ns, [family, 'route', 'show', 'table', String(TABLE)], true)) {
    const f = l.split(' ');
    m.set(f[0], f[1] === 'nhid' ? f[2] : '');
  }
  return m;
}

async function kernelHasNexthops(ns: string): Promise<boolean> {
  return (await tryExec(ns, 'ip', ['nexthop', 'show'])).code === 0;
}

t.test('routes name one nexthop object per next hop; a taken id is skipped; the object is ours (proto bird)', async (t) => {
  const ns = await setup(t);
  if (!(await kernelHasNexthops(ns))) {
    t.comment('SKIP: this kernel has no nexthop objects (Linux < 5.3); the FIB writes routes with their own next hops');
    return;
  }
  // Someone else's object on the first id we would pick: we must not take it over.
  await exec(ns, 'ip', ['nexthop', 'add', 'id', String(NEXTHOP_ID_BASE), 'via', '10.1.0.3', 'dev', 'v0']);
  const fib = await FibAgent.start(t, ns, BASE);
  await fib.announce('10.60.0.0/24', 'p1', '10.1.0.2');
  let c = await fib.idle();
  t.equal(c.nexthopObjects, 1, 'one object for 10.1.0.2');
  await fib.announceMany([
    { prefix: '10.60.1.0/24', source: 'p1', nextHop: '10.1.0.2' },
    { prefix: '10.60.2.0/24', source: 'p1', nextHop: '10.1.0.2' },
    { prefix: '2001:db8:60::/64', source: 'p1', nextHop: '2001:db8:1::2' },
  ]);
  c = await fib.idle();
  t.equal(c.installed, 4);
  const objs = (await nexthops(ns)).filter((o) => o.id !== NEXTHOP_ID_BASE);
  const v4 = objs.find((o) => o.gateway === '10.1.0.2');
  t.ok(v4 !== undefined && v4.dev === 'v0' && v4.protocol === 'bird', `our IPv4 object: ${JSON.stringify(v4)}`);
  t.ok(v4 !== undefined && v4.id > NEXTHOP_ID_BASE, 'the id someone else holds was skipped');
  const foreign = (await nexthops(ns)).find((o) => o.id === NEXTHOP_ID_BASE);
  t.equal(foreign?.gateway, '10.1.0.3', "the other object is untouched");
  const routes = await routeNhids(ns);
  t.equal(routes.get('10.60.1.0/24'), String(v4?.id), 'a route written after the object exists names it');
  t.equal(routes.get('10.60.2.0/24'), String(v4?.id));
  t.equal(c.nexthopObjects, 2, 'one IPv4 and one IPv6 object');
  await fib.announce('2001:db8:61::/64', 'p1', '2001:db8:1::2');
  await fib.idle();
  const v6 = (await nexthops(ns)).find((o) => o.gateway === '2001:db8:1::2');
  t.equal((await routeNhids(ns, '-6')).get('2001:db8:61::/64'), String(v6?.id), 'an IPv6 route names its object');

  // The next hop moves: the new one gets an object; the old one goes at the next scan (nothing uses it).
  await fib.announce('10.60.1.0/24', 'p1', '10.1.0.4');
  await fib.announce('10.60.0.0/24', 'p1', '10.1.0.4');
  await fib.announce('10.60.2.0/24', 'p1', '10.1.0.4');
  await fib.idle();
  c = await fib.scan();
  t.equal(c.scans, 1, 'no second scan: the deleted object was made by this run');
  const after = await nexthops(ns);
  t.notOk(after.some((o) => o.gateway === '10.1.0.2'), 'the unused object for 10.1.0.2 is deleted');
  t.ok(after.some((o) => o.gateway === '10.1.0.4' && o.protocol === 'bird'), 'an object for 10.1.0.4');
  t.same([...(await routeNhids(ns)).keys()].sort(), ['10.60.0.0/24', '10.60.1.0/24', '10.60.2.0/24'], 'every route still there');
});

t.test('a link losing its carrier takes our objects and their routes; they come back with it', async (t) => {
  const ns = await setup(t);
  if (!(await kernelHasNexthops(ns))) {
    t.comment('SKIP: this kernel has no nexthop objects');
    return;
  }
  const fib = await FibAgent.start(t, ns, BASE);
  await fib.announce('10.61.0.0/24', 'p1', '10.1.0.2');
  await fib.idle();
  await fib.announceMany([
    { prefix: '10.61.1.0/24', source: 'p1', nextHop: '10.1.0.2' },
    { prefix: '10.61.2.0/24', source: 'p1', nextHop: '10.1.0.2' },
  ]);
  await fib.idle();
  t.equal((await nexthops(ns)).length, 1);
  await exec(ns, 'ip', ['link', 'set', 'v1', 'down']); // v0 loses its carrier: the kernel flushes the object
  await until('routes gone with the carrier', async () => (await routeNhids(ns)).size === 0 || undefined);
  let c = await fib.idle();
  t.equal(c.nexthopObjects, 0, 'the flushed object is forgotten');
  await exec(ns, 'ip', ['link', 'set', 'v1', 'up']);
  await until('routes back with the carrier', async () => (await routeNhids(ns)).size === 3 || undefined);
  c = await fib.idle();
  t.equal(c.failed, 0, 'no write names the flushed object');
  await until('a new object', async () => (await nexthops(ns)).length === 1 || undefined);
  await fib.announce('10.61.3.0/24', 'p1', '10.1.0.2');
  await fib.idle();
  const obj = (await nexthops(ns))[0];
  t.equal((await routeNhids(ns)).get('10.61.3.0/24'), String(obj.id), 'new routes name the new object');
});

t.test('restart: adopted routes keep their object; nexthopObjects off writes plain routes', async (t) => {
  const ns = await setup(t);
  if (!(await kernelHasNexthops(ns))) {
    t.comment('SKIP: this kernel has no nexthop objects');
    return;
  }
  const first = await FibAgent.start(t, ns, BASE);
  await first.announce('10.62.0.0/24', 'p1', '10.1.0.2');
  await first.idle();
  await first.announceMany([
    { prefix: '10.62.1.0/24', source: 'p1', nextHop: '10.1.0.2' },
    { prefix: '10.62.2.0/24', source: 'p1', nextHop: '10.1.0.3' },
  ]);
  await first.idle();
  await first.kill('SIGKILL');
  const before = await routeNhids(ns);
  const objsBefore = await nexthops(ns);
  t.equal(objsBefore.length, 2, 'objects survive a kill -9');

  const second = await FibAgent.start(t, ns, { ...BASE, converged: false });
  await second.announceMany([
    { prefix: '10.62.0.0/24', source: 'p1', nextHop: '10.1.0.2' },
    { prefix: '10.62.1.0/24', source: 'p1', nextHop: '10.1.0.2' },
  ]);
  let c = await second.idle();
  t.match(c, { installed: 3, replaces: 0, nexthopObjects: 2 }, 'adopted objects; unchanged routes not rewritten');
  t.same(await routeNhids(ns), before, 'routes untouched while converging');
  await second.announce('10.62.3.0/24', 'p1', '10.1.0.2');
  await second.idle();
  t.equal((await routeNhids(ns)).get('10.62.3.0/24'), before.get('10.62.1.0/24'), 'a new route names the adopted object');
  await second.converge();
  await second.idle();
  c = await second.scan();
  await until('the stale route and its object go', async () => (await nexthops(ns)).length === 1 || undefined);
  c = await second.idle();
  t.notOk((await routeNhids(ns)).has('10.62.2.0/24'), 'stale route removed');
  t.equal((await routeNhids(ns)).size, 3, 'the others stay');
  await second.stop();

  const third = await FibAgent.start(t, ns, { ...BASE, nexthopObjects: false });
  await third.announce('10.62.4.0/24', 'p1', '10.1.0.2');
  c = await third.idle();
  t.equal(c.nexthopObjects, 0);
  t.equal((await routeNhids(ns)).get('10.62.4.0/24'), '', 'nexthopObjects off: the route carries its next hop');
});
