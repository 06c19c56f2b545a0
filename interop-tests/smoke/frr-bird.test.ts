/**
 * DOC: smoke test of the interop infrastructure itself (no Petrel code involved): FRR peers over a veth
 * pair with BIRD 2 (eBGP, one IPv4 and one IPv6 session) and with BIRD 1.6 (IPv4), each side originates a
 * prefix, and each must learn the other's, read back through the drivers' normalized RIB. Runtime
 * announce/withdraw is exercised against BIRD 2. A last subtest asserts that no namespace or daemon process
 * created here survived the teardowns. Needs root (namespaces); the peer daemons come from
 * .ci/install-system-deps.sh, and a missing one fails the test (it is reported, never skipped).
 *
 * Addresses: 10.200.x.0/30 and fd00:200:x::/64 on the veth, 10.201.x.0/24 and fd00:201:x::/64 originated,
 * all inside the namespaces made here.
 */
import t from 'tap';
import {
  BirdDriver,
  FrrDriver,
  addAddress,
  createNetns,
  listNetns,
  missingBinaries,
  vethPair,
  waitFor,
  type PeerDriver,
  type RouteEntry,
  type Teardownable,
} from '../lib/index.js';

const createdNs: string[] = [];
const createdPids: number[] = [];

async function routesWith(d: PeerDriver, family: 'ipv4' | 'ipv6', prefix: string, present = true): Promise<RouteEntry[]> {
  return waitFor(
    async () => {
      const r = await d.getRoutes(family);
      return r.some((x) => x.prefix === prefix) === present && r;
    },
    20_000,
    `${d.kind} ${present ? 'learning' : 'dropping'} ${prefix}`,
  );
}

/** Two namespaces joined by veth, FRR in one and `birdKind` in the other, both started and registered for stop. */
async function setup(
  t: Teardownable,
  birdKind: 'bird2' | 'bird1',
  n: number,
  v6: boolean,
): Promise<{ frr: FrrDriver; bird: BirdDriver }> {
  const nsA = await createNetns(t, 'pfrr');
  const nsB = await createNetns(t, `p${birdKind}`);
  createdNs.push(nsA.name, nsB.name);
  await vethPair(nsA, 'to-bird', nsB, 'to-frr');
  await addAddress(nsA, 'to-bird', `10.200.${n}.1/30`);
  await addAddress(nsB, 'to-frr', `10.200.${n}.2/30`);
  if (v6) {
    await addAddress(nsA, 'to-bird', `fd00:200:${n}::1/64`);
    await addAddress(nsB, 'to-frr', `fd00:200:${n}::2/64`);
  }
  const frr = new FrrDriver(nsA.name, {
    name: 'frr',
    routerId: `10.200.${n}.1`,
    localAs: 65001,
    neighbors: [
      { address: `10.200.${n}.2`, remoteAs: 65002 },
      ...(v6 ? [{ address: `fd00:200:${n}::2`, remoteAs: 65002 }] : []),
    ],
    networks: [`10.201.${n}.0/24`, ...(v6 ? [`fd00:201:${n}::/64`] : [])],
  });
  const bird = new BirdDriver(birdKind, nsB.name, {
    name: 'bird',
    routerId: `10.200.${n}.2`,
    localAs: 65002,
    neighbors: [
      { address: `10.200.${n}.1`, remoteAs: 65001 },
      ...(v6 ? [{ address: `fd00:200:${n}::1`, remoteAs: 65001 }] : []),
    ],
    networks: [`10.201.${n + 100}.0/24`, ...(v6 ? [`fd00:201:${n + 100}::/64`] : [])],
  });
  t.teardown(() => frr.stop());
  t.teardown(() => bird.stop());
  await Promise.all([frr.start(), bird.start()]);
  createdPids.push(...frr.pids(), ...bird.pids());
  return { frr, bird };
}

if (process.getuid?.() !== 0) {
  t.plan(0, 'interop smoke test needs root (network namespaces)');
} else {
  t.test('peer daemons are installed', async (t) => {
    t.same(missingBinaries('frr'), [], 'FRR present (run .ci/install-system-deps.sh)');
    t.same(missingBinaries('bird2'), [], 'BIRD 2 present');
    t.same(missingBinaries('bird1'), [], 'BIRD 1.6 unpacked');
  });

  t.test('FRR <-> BIRD 2, IPv4 and IPv6', async (t) => {
    const { frr, bird } = await setup(t, 'bird2', 1, true);
    t.match(await frr.version(), /^8\.\d+/, 'FRR 8.x');
    t.match(await bird.version(), /^2\.\d+/, 'BIRD 2.x');
    await Promise.all([
      frr.waitEstablished('10.200.1.2', 30_000),
      frr.waitEstablished('fd00:200:1::2', 30_000),
      bird.waitEstablished('10.200.1.1', 30_000),
      bird.waitEstablished('fd00:200:1::1', 30_000),
    ]);
    t.same(
      await frr.neighbors(),
      [
        { address: '10.200.1.2', remoteAs: 65002, state: 'Established' },
        { address: 'fd00:200:1::2', remoteAs: 65002, state: 'Established' },
      ],
      'FRR neighbors',
    );
    t.same(
      await bird.neighbors(),
      [
        { address: '10.200.1.1', remoteAs: 65001, state: 'Established' },
        { address: 'fd00:200:1::1', remoteAs: 65001, state: 'Established' },
      ],
      'BIRD neighbors',
    );

    t.same(
      await routesWith(frr, 'ipv4', '10.201.101.0/24'),
      [
        { prefix: '10.201.1.0/24', nextHop: '0.0.0.0', asPath: [], best: true },
        { prefix: '10.201.101.0/24', nextHop: '10.200.1.2', asPath: [65002], best: true, learnedFrom: '10.200.1.2' },
      ],
      'FRR learned the BIRD IPv4 prefix',
    );
    t.same(
      await routesWith(frr, 'ipv6', 'fd00:201:101::/64'),
      [
        { prefix: 'fd00:201:1::/64', nextHop: '::', asPath: [], best: true },
        { prefix: 'fd00:201:101::/64', nextHop: 'fd00:200:1::2', asPath: [65002], best: true, learnedFrom: 'fd00:200:1::2' },
      ],
      'FRR learned the BIRD IPv6 prefix',
    );
    t.same(
      await routesWith(bird, 'ipv4', '10.201.1.0/24'),
      [
        { prefix: '10.201.1.0/24', nextHop: '10.200.1.1', asPath: [65001], localPref: 100, med: 0, best: true, learnedFrom: '10.200.1.1' },
        { prefix: '10.201.101.0/24', nextHop: '0.0.0.0', asPath: [], best: true },
      ],
      'BIRD 2 learned the FRR IPv4 prefix',
    );
    t.same(
      await routesWith(bird, 'ipv6', 'fd00:201:1::/64'),
      [
        { prefix: 'fd00:201:1::/64', nextHop: 'fd00:200:1::1', asPath: [65001], localPref: 100, med: 0, best: true, learnedFrom: 'fd00:200:1::1' },
        { prefix: 'fd00:201:101::/64', nextHop: '::', asPath: [], best: true },
      ],
      'BIRD 2 learned the FRR IPv6 prefix',
    );

    await frr.announce('10.201.11.0/24');
    await bird.announce('10.201.111.0/24');
    const b = await routesWith(bird, 'ipv4', '10.201.11.0/24');
    t.same(b.find((r) => r.prefix === '10.201.11.0/24')?.asPath, [65001], 'FRR runtime announce reached BIRD');
    const f = await routesWith(frr, 'ipv4', '10.201.111.0/24');
    t.same(f.find((r) => r.prefix === '10.201.111.0/24')?.learnedFrom, '10.200.1.2', 'BIRD runtime announce reached FRR');
    await frr.withdraw('10.201.11.0/24');
    await bird.withdraw('10.201.111.0/24');
    t.same(
      (await routesWith(bird, 'ipv4', '10.201.11.0/24', false)).map((r) => r.prefix),
      ['10.201.1.0/24', '10.201.101.0/24'],
      'FRR runtime withdraw reached BIRD',
    );
    t.same(
      (await routesWith(frr, 'ipv4', '10.201.111.0/24', false)).map((r) => r.prefix),
      ['10.201.1.0/24', '10.201.101.0/24'],
      'BIRD runtime withdraw reached FRR',
    );
  });

  t.test('FRR <-> BIRD 1.6, IPv4', async (t) => {
    const { frr, bird } = await setup(t, 'bird1', 2, false);
    t.match(await bird.version(), /^1\.6\./, 'BIRD 1.6.x');
    await Promise.all([frr.waitEstablished('10.200.2.2', 30_000), bird.waitEstablished('10.200.2.1', 30_000)]);
    t.same(await bird.neighbors(), [{ address: '10.200.2.1', remoteAs: 65001, state: 'Established' }], 'BIRD 1.6 neighbors');
    t.same(
      await routesWith(frr, 'ipv4', '10.201.102.0/24'),
      [
        { prefix: '10.201.2.0/24', nextHop: '0.0.0.0', asPath: [], best: true },
        { prefix: '10.201.102.0/24', nextHop: '10.200.2.2', asPath: [65002], best: true, learnedFrom: '10.200.2.2' },
      ],
      'FRR learned the BIRD 1.6 prefix',
    );
    t.same(
      await routesWith(bird, 'ipv4', '10.201.2.0/24'),
      [
        { prefix: '10.201.2.0/24', nextHop: '10.200.2.1', asPath: [65001], localPref: 100, med: 0, best: true, learnedFrom: '10.200.2.1' },
        { prefix: '10.201.102.0/24', nextHop: '0.0.0.0', asPath: [], best: true },
      ],
      'BIRD 1.6 learned the FRR prefix',
    );
  });

  t.test('nothing created here remains', async (t) => {
    const left = (await listNetns()).filter((n) => createdNs.includes(n));
    t.same(left, [], 'no namespace left');
    const alive = createdPids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    t.same(alive, [], 'no daemon process left');
    t.equal(createdNs.length, 4, 'both scenarios created their namespaces');
    t.equal(createdPids.length, 6, 'both scenarios started their daemons (2 FRR + 1 BIRD each)');
  });
}
