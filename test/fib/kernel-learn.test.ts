import t from 'tap';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { TeardownHost, addAddress, createNetns, exec, linkUp, spawnIn, vethPair } from '../helpers/netns';
import { calicoDirectPatterns } from '../../src/fib/interface-routes';
import type { KernelLearnerOptions } from '../../src/fib/kernel-learn';

// Kernel tests in throw-away namespaces (root, iproute2). The learner runs in a child process inside the namespace.

interface Snap {
  routes: string[];
  syncs: number;
}

function startAgent(t: TeardownHost, ns: string, opts: KernelLearnerOptions): () => Promise<Snap> {
  const child = spawnIn(ns, process.execPath, [join(__dirname, 'kernel-learn-agent.js'), JSON.stringify(opts)]);
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
  const waiting: ((s: Snap) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => waiting.shift()?.(JSON.parse(line) as Snap));
  t.teardown(() => {
    child.stdin!.end();
    child.kill('SIGTERM');
  });
  return () =>
    new Promise<Snap>((resolve) => {
      waiting.push(resolve);
      child.stdin!.write('rib\n');
    });
}

async function until(rib: () => Promise<Snap>, ok: (routes: string[]) => boolean, ms = 5000): Promise<string[]> {
  const end = Date.now() + ms;
  for (;;) {
    const s = await rib();
    if (ok(s.routes) || Date.now() > end) return s.routes;
    await new Promise((r) => setTimeout(r, 40));
  }
}

async function node(t: TeardownHost): Promise<string> {
  const ns = await createNetns(t, 'petrel-klearn');
  await vethPair(ns, 'eth0', ns, 'eth0p');
  await exec(ns, 'sysctl', ['-qw', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0']);
  await addAddress(ns, 'eth0', '10.0.0.1/24');
  await exec(ns, 'ip', ['addr', 'add', '2001:db8::1/64', 'dev', 'eth0', 'nodad']);
  await linkUp(ns, 'eth0');
  await linkUp(ns, 'eth0p');
  for (const [a, b, addr] of [['cali-xyz', 'cali-xyzp', ''], ['kube-ipvs0', 'kipvsp', '10.96.0.10/32'], ['skip1', 'skip1p', '10.9.9.1/24']]) {
    await vethPair(ns, a, ns, b);
    if (addr) await addAddress(ns, a, addr);
    await linkUp(ns, a);
    await linkUp(ns, b);
  }
  // Felix-style workload routes, a blackhole, a route of ours (never learned), an IPv6 route.
  await exec(ns, 'ip', ['route', 'add', '10.244.0.5/32', 'dev', 'cali-xyz', 'proto', 'boot']);
  await exec(ns, 'ip', ['route', 'add', '10.244.0.6/32', 'dev', 'cali-xyz', 'proto', '80', 'metric', '512']);
  await exec(ns, 'ip', ['route', 'add', 'blackhole', '10.244.0.0/26', 'proto', 'static']);
  await exec(ns, 'ip', ['route', 'add', '10.50.0.0/24', 'via', '10.0.0.2', 'proto', '12']);
  await exec(ns, 'ip', ['-6', 'route', 'add', '2001:db8:1::/64', 'via', '2001:db8::2', 'dev', 'eth0', 'proto', 'boot']);
  return ns;
}

const v4 = (routes: string[]) => routes.filter((r) => !r.includes(':'));

t.test('kernel1 learns alien routes with device and metric; direct1 the connected prefixes of matching interfaces', async (t) => {
  const ns = await node(t);
  const rib = startAgent(t, ns, { directInterfaces: calicoDirectPatterns(['skip*']) });
  const initial = [
    '10.0.0.0/24 direct1 eth0 -',
    '10.244.0.0/26 kernel1 - 0',
    '10.244.0.5/32 kernel1 cali-xyz 0',
    '10.244.0.6/32 kernel1 cali-xyz 512',
    '2001:db8:1::/64 kernel1 eth0 1024',
    '2001:db8::/64 direct1 eth0 -',
  ];
  t.same((await rib()).routes, initial, 'not learned: proto kernel/12 routes, cali*/kube-ipvs*/ignored interfaces, link and host scope');

  await exec(ns, 'ip', ['route', 'add', '10.244.0.7/32', 'dev', 'cali-xyz', 'proto', 'boot']);
  await exec(ns, 'ip', ['route', 'add', '10.244.0.5/32', 'dev', 'cali-xyz', 'proto', 'boot', 'metric', '100', 'table', 'main']);
  await exec(ns, 'ip', ['route', 'add', '10.244.0.5/32', 'dev', 'eth0', 'proto', 'boot', 'metric', '2000']);
  t.same(v4(await until(rib, (r) => r.includes('10.244.0.7/32 kernel1 cali-xyz 0'))), [
    '10.0.0.0/24 direct1 eth0 -',
    '10.244.0.0/26 kernel1 - 0',
    '10.244.0.5/32 kernel1 cali-xyz 0',
    '10.244.0.6/32 kernel1 cali-xyz 512',
    '10.244.0.7/32 kernel1 cali-xyz 0',
  ], 'the lowest metric of several kernel routes is announced');
  await exec(ns, 'ip', ['route', 'del', '10.244.0.5/32', 'dev', 'cali-xyz', 'metric', '0']);
  t.ok((await until(rib, (r) => r.includes('10.244.0.5/32 kernel1 cali-xyz 100'))).includes('10.244.0.5/32 kernel1 cali-xyz 100'), 'the next metric takes over');
  await exec(ns, 'ip', ['route', 'del', '10.244.0.7/32']);
  t.notOk((await until(rib, (r) => !r.some((x) => x.startsWith('10.244.0.7/32')))).some((x) => x.startsWith('10.244.0.7/32')), 'a deleted kernel route is withdrawn');

  // Deleting the device flushes its routes without notifications: the learner resyncs.
  await exec(ns, 'ip', ['link', 'del', 'cali-xyz']);
  t.same(v4(await until(rib, (r) => !r.some((x) => x.includes('cali-xyz')))), [
    '10.0.0.0/24 direct1 eth0 -',
    '10.244.0.0/26 kernel1 - 0',
    '10.244.0.5/32 kernel1 eth0 2000',
  ]);

  await addAddress(ns, 'eth0', '10.1.0.1/24');
  t.ok((await until(rib, (r) => r.includes('10.1.0.0/24 direct1 eth0 -'))).includes('10.1.0.0/24 direct1 eth0 -'), 'a new address adds its prefix');
  await exec(ns, 'ip', ['link', 'set', 'eth0', 'down']);
  t.same(v4(await until(rib, (r) => !r.some((x) => x.includes(' eth0 ')))), ['10.244.0.0/26 kernel1 - 0'], 'an interface going down withdraws its direct and kernel routes');
  await exec(ns, 'ip', ['link', 'set', 'eth0', 'up']);
  t.same(v4(await until(rib, (r) => r.includes('10.1.0.0/24 direct1 eth0 -'))), ['10.0.0.0/24 direct1 eth0 -', '10.1.0.0/24 direct1 eth0 -', '10.244.0.0/26 kernel1 - 0']);
  await exec(ns, 'ip', ['route', 'del', 'blackhole', '10.244.0.0/26']);
  t.same(v4(await until(rib, (r) => !r.some((x) => x.startsWith('10.244.0.0/26')))), ['10.0.0.0/24 direct1 eth0 -', '10.1.0.0/24 direct1 eth0 -']);
});

t.test('an interface pattern list on the kernel protocol excludes routes through matching devices', async (t) => {
  const ns = await node(t);
  const rib = startAgent(t, ns, { direct: false, kernelInterfaces: [{ pattern: 'cali*', include: false }, { pattern: '*', include: true }] });
  t.same((await rib()).routes, ['10.244.0.0/26 kernel1 - 0', '2001:db8:1::/64 kernel1 eth0 1024']);
  await exec(ns, 'ip', ['route', 'add', '10.244.0.8/32', 'dev', 'cali-xyz', 'proto', 'boot']);
  await exec(ns, 'ip', ['route', 'add', '10.244.0.9/32', 'dev', 'eth0', 'proto', 'boot']);
  t.same(await until(rib, (r) => r.length === 3), ['10.244.0.0/26 kernel1 - 0', '10.244.0.9/32 kernel1 eth0 0', '2001:db8:1::/64 kernel1 eth0 1024']);
});
