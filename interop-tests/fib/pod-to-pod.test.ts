/**
 * End to end through the kernel FIB: the demo topology (FRR ToR + two Petrel nodes, config/demo/) plus one "pod"
 * namespace behind each node, wired as Calico wires a workload (a /32 on the pod's eth0, default route via
 * 169.254.1.1, a /32 device route on the node's side). A TCP connection from the pod behind
 * node-a reaches the pod behind node-b only through the block routes the Petrel nodes installed (proto bird,
 * metric 1024 from calico_kernel_programming). Then node-b's petreld is killed with SIGKILL: its routes stay in
 * the kernel, and the restarted daemon keeps them (same route, never removed) and the connection works again.
 * The kernel learner runs inside petreld: each node learns its pod's /32 device route (kernel1, dev cali0), and
 * the ToR still sees only the blocks (Calico's rule: the /32s inside a block are not exported beyond it).
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { buildDemoTopology, DEMO_NODES } from '../lib/calico-demo-topology.js';
import { addAddress, createNetns, vethPair, waitFor, type Netns } from '../lib/index.js';

const PODS = [
  { node: 'node-a', ip: '10.244.1.5' },
  { node: 'node-b', ip: '10.244.2.5' },
] as const;

interface IpRoute { dst: string; gateway?: string; dev?: string; protocol?: string; metric?: number; type?: string }

async function birdRoutes(ns: Netns): Promise<IpRoute[]> {
  return JSON.parse((await ns.exec('ip', ['-j', 'route', 'show', 'proto', 'bird'])).stdout) as IpRoute[];
}

const CLIENT = `const s=require('net').connect(8080,process.argv[1]);s.on('data',d=>{process.stdout.write(d);process.exit(0)});
s.on('error',e=>{console.error(e.message);process.exit(1)});setTimeout(()=>process.exit(2),2000);`;

async function connect(from: Netns, to: string): Promise<string> {
  const r = await from.exec(process.execPath, ['-e', CLIENT, to]).catch(() => ({ stdout: '' }));
  return r.stdout;
}

t.test('pod behind node-a reaches pod behind node-b over the routes Petrel installed; kill -9 keeps them', async (t) => {
  const topo = await buildDemoTopology(t);
  const [a, b] = topo.nodes;
  const pods: Netns[] = [];
  for (const [i, p] of PODS.entries()) {
    const node = topo.nodes[i];
    const pod = await createNetns(t, `pdpod${i}`);
    pods.push(pod);
    await vethPair(node.ns, 'cali0', pod, 'eth0');
    await addAddress(pod, 'eth0', `${p.ip}/32`);
    await pod.exec('ip', ['route', 'add', '169.254.1.1', 'dev', 'eth0', 'scope', 'link']);
    await pod.exec('ip', ['route', 'add', 'default', 'via', '169.254.1.1', 'dev', 'eth0']);
    // Felix programs workload routes at the normal route priority; a lower metric would be an elevated-priority
    // route that escapes block aggregation (calico_aggr: krt_metric < 1024).
    await node.ns.exec('ip', ['route', 'add', `${p.ip}/32`, 'dev', 'cali0', 'metric', '1024']);
    // Felix answers the pod's ARP for 169.254.1.1 with proxy ARP; owning the address on cali0 does the same here.
    await addAddress(node.ns, 'cali0', '169.254.1.1/32');
    await node.ns.exec('sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
  }

  const expected = (me: (typeof DEMO_NODES)[number], other: (typeof DEMO_NODES)[number]) => (r: IpRoute[]) =>
    r.some((x) => x.dst === other.block && x.gateway === other.ip && x.dev === 'eth0' && x.metric === 1024) &&
    r.some((x) => x.dst === me.block && x.type === 'blackhole') && r.some((x) => x.dst === '10.250.0.0/24');
  for (const [me, other, node] of [[DEMO_NODES[0], DEMO_NODES[1], a], [DEMO_NODES[1], DEMO_NODES[0], b]] as const) {
    const routes = await waitFor(async () => {
      const r = await birdRoutes(node.ns);
      return expected(me, other)(r) ? r : false;
    }, 60000, `${me.name}: ${other.block} via ${other.ip}, the ToR network and its own blackhole in the kernel`).catch((e) => {
      throw new Error(`${(e as Error).message}\n${node.petrel.log().slice(-3000)}`);
    });
    t.ok(routes.some((x) => x.dst === '10.250.0.0/24' && x.gateway === '10.99.0.1'), `${me.name}: the ToR network installed`);
    t.same(routes.find((x) => x.dst === me.block), { dst: me.block, type: 'blackhole', flags: [] }, `${me.name}: blackhole for its own block, no metric`);
  }

  for (const [i, node] of topo.nodes.entries()) {
    const learned = await waitFor(async () => {
      const r = await node.petrel.query<{ prefix: string; source: string; best: boolean }[]>('show', 'routes', `${PODS[i].ip}/32`).catch(() => []);
      return r.length > 0 ? r : false;
    }, 20000, `${node.name} learns its pod's /32 from the kernel`);
    t.same(learned.map((r) => [r.prefix, r.source, r.best]), [[`${PODS[i].ip}/32`, 'kernel1', true]], `${node.name}: pod /32 learned as kernel1`);
  }
  const torRoutes = await topo.frr.getRoutes('ipv4');
  t.same([...new Set(torRoutes.filter((r) => r.prefix.startsWith('10.244.')).map((r) => r.prefix))].sort(), [...new Set(DEMO_NODES.map((n) => n.block))].sort(),
    'the ToR learned the blocks and none of the pod /32s');

  const server = spawn('ip', ['netns', 'exec', pods[1].name, process.execPath, '-e',
    `require('net').createServer(s=>s.end('pong')).listen(8080,'${PODS[1].ip}')`], { stdio: 'ignore' });
  t.teardown(() => server.kill('SIGKILL'));
  t.equal(await waitFor(async () => (await connect(pods[0], PODS[1].ip)) === 'pong' && 'pong', 20000, 'TCP pod-a → pod-b'), 'pong', 'pod-a reached pod-b across the Petrel-installed routes');

  const before = (await birdRoutes(b.ns)).filter((x) => x.dst === DEMO_NODES[0].block || x.dst === DEMO_NODES[1].block);
  t.equal(before.length, 2);
  await b.petrel.kill();
  t.same((await birdRoutes(b.ns)).filter((x) => x.dst === DEMO_NODES[0].block || x.dst === DEMO_NODES[1].block), before, 'kill -9: node-b kernel routes stay');
  b.petrel.start();
  await waitFor(async () => {
    const peers = await b.petrel.query<{ state: string }[]>('show', 'peers').catch(() => []);
    return peers.length === 2 && peers.every((p) => p.state === 'Established');
  }, 60000, 'node-b sessions back');
  t.equal(await waitFor(async () => (await connect(pods[0], PODS[1].ip)) === 'pong' && 'pong', 30000, 'TCP pod-a → pod-b after restart'), 'pong', 'connection works after the restart');
  t.same((await birdRoutes(b.ns)).filter((x) => x.dst === DEMO_NODES[0].block || x.dst === DEMO_NODES[1].block), before, 'node-b kept the same routes across the restart');
});
