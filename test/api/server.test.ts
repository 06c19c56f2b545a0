/**
 * The control API end to end: two Petrel speakers over loopback (127.0.0.3x), the API server of speaker B on a
 * temporary unix socket, and `petrel show ...` run against it (in process through `runShow`, and once through the
 * real `petrel` binary). Asserts the exact JSON of `show status`, `show peers` and `show routes` (Loc-RIB, exact
 * and longest-match lookups, --peer, --in, --out), the table rows, and the errors: unknown peer, unreachable
 * daemon (one stderr line, exit 1), a live socket that must not be taken over, a stale socket that is replaced.
 */
import t from 'tap';
import pino from 'pino';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AttrInterner, emptyAttrFields } from '../../src/rib/attrs/intern';
import { LocRib } from '../../src/rib/loc-rib';
import { DEFAULT_BEST_PATH_OPTIONS } from '../../src/rib/best-path';
import { Peer } from '../../src/bgp/peer';
import { IPV4_UNICAST } from '../../src/bgp/family';
import { localSource, originate } from '../../src/rib/local-routes';
import type { ImportPolicy } from '../../src/rib/importer';
import { SourceKind } from '../../src/rib/types';
import { parsePrefix } from '../../src/util/prefix';
import { startApiServer, type ApiServer } from '../../src/api/server';
import type { ApiDaemonView } from '../../src/api/views';
import { PetrelClient, ApiCallError } from '../../src/api/client';
import { speaker, peerConfig, waitFor } from '../helpers/loopback-speaker';
import { runShow } from '../../src/cli/show-command';
import type { PeerInfo, RouteInfo, StatusInfo } from '../../src/api/types';

const log = pino({ level: process.env.TEST_LOG ?? 'silent' });
const CLI = join(__dirname, '..', '..', 'src', 'cli', 'petrel.js');


interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `petrel show ...` in process, output captured. */
async function show(sock: string, ...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runShow(argv, sock, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), now: () => Date.now() });
  return { code, stdout, stderr };
}

/** The real `petrel` binary as a child process. */
function cli(...argv: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...argv], { timeout: 20000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

const route = (over: Partial<RouteInfo>): RouteInfo => ({
  prefix: '', family: 'ipv4-unicast', nextHops: [], asPath: '', origin: 'igp', med: null, localPref: null,
  communities: [], largeCommunities: [], extCommunities: [], source: '', sourceAddress: '', best: false, pathId: 0,
  ecmp: false, filtered: false, stale: false, unresolved: false, peer: '', ...over,
});

t.test('petrel show against a live speaker', async (t) => {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const dir = mkdtempSync(join(tmpdir(), 'petrel-api-'));
  const sock = join(dir, 'petrel.sock');
  const a = speaker(log);
  const b = speaker(log);
  let api: ApiServer | undefined;
  const started: Peer[] = [];
  t.teardown(async () => {
    for (const p of started) p.destroy();
    await a.listener.close();
    await b.listener.close();
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await a.listener.listen(port, '127.0.0.31');
  await b.listener.listen(port, '127.0.0.32');

  // A originates three prefixes; B rejects 10.0.6.0/24 on import and tags 10.0.5.0/24 with communities.
  const staticA = localSource('static1', SourceKind.Static);
  const ribA = a.ribs.get(IPV4_UNICAST)!;
  originate(ribA, a.interner, staticA, parsePrefix('10.0.0.0/16')!);
  originate(ribA, a.interner, staticA, parsePrefix('10.0.5.0/24')!, { ...emptyAttrFields(), med: 5 });
  originate(ribA, a.interner, staticA, parsePrefix('10.0.6.0/24')!);
  const staticB = localSource('static1', SourceKind.Static);
  originate(b.ribs.get(IPV4_UNICAST)!, b.interner, staticB, parsePrefix('10.9.0.0/24')!);
  const rejected = parsePrefix('10.0.6.0/24')!;
  const tagged = parsePrefix('10.0.5.0/24')!;
  const policyB: ImportPolicy = (prefix, _f, attrs, source) => {
    if (prefix === rejected) return { attrs: null, preference: source.preference };
    if (prefix === tagged) {
      const f = { ...b.interner.fieldsOf(attrs), communities: [(65002 << 16) | 100], largeCommunities: [[65002, 1, 2]] as [number, number, number][] };
      return { attrs: b.interner.internSet(f), preference: source.preference };
    }
    return { attrs: b.interner.ref(attrs), preference: source.preference };
  };

  const pa = new Peer(peerConfig('to_b', { as: 65001, id: '10.0.0.31', addr: '127.0.0.31' }, { as: 65002, addr: '127.0.0.32', port }, false), a.ribs, a.interner, log);
  const pb = new Peer({ ...peerConfig('to_a', { as: 65002, id: '10.0.0.32', addr: '127.0.0.32' }, { as: 65001, addr: '127.0.0.31', port }, true), importPolicy: policyB }, b.ribs, b.interner, log);
  // A configured peer that never connects.
  const pc = new Peer(peerConfig('to_c', { as: 65002, id: '10.0.0.32', addr: '127.0.0.32' }, { as: 65003, addr: '127.0.0.33', port }, true), b.ribs, b.interner, log);
  a.peers.push(pa);
  b.peers.push(pb, pc);
  started.push(pa, pb, pc);
  const startedAt = Date.now() - 3_600_000;
  const viewB: ApiDaemonView = {
    peers: new Map([['to_c', pc], ['to_a', pb]]), ribs: b.ribs, interner: b.interner, startedAt, reconfiguredAt: startedAt + 5000,
    config: { nodeName: 'node-b', routerId: '10.0.0.32', localAs: 65002 },
    // The kernel side as the daemon's FIB, learner and tunnel manager report it (no netlink in this test).
    fib: { counters: { installed: 7, pending: 1, failed: 2, unresolved: 3, adopted: 4, converged: false, replaces: 9, deletes: 5, repairs: 6, scans: 8, nexthopObjects: 1 } },
    learner: { kernelRoutes: () => new Map([[1, 1], [2, 2], [3, 3]]), directRoutes: () => new Map([[4, 4]]) },
    tunnels: { status: () => ({ ipip: 'unavailable', vxlan: 'ok', reconciles: 12, lastActions: ['x'], lastErrors: ['add tunl0: EOPNOTSUPP'] }) },
  };
  api = await startApiServer(viewB, sock, log);
  t.equal(api.socketPath, sock, 'socket path');
  t.ok(existsSync(sock), 'socket file created');

  for (const p of started) p.start();
  await waitFor('session up', () => pa.session.describe() === 'Established' && pb.session.describe() === 'Established');
  await waitFor('End-of-RIB both ways', () => pb.eorReceived.has(IPV4_UNICAST) && pa.eorReceived.has(IPV4_UNICAST));
  await waitFor('3 prefixes at B from A', () => b.ribs.get(IPV4_UNICAST)!.stats().paths === 4);

  t.test('show status --json', async (t) => {
    const before = Math.floor(Date.now() / 1000);
    const r = await show(sock, 'status', '--json');
    t.equal(r.code, 0);
    t.equal(r.stderr, '');
    const s = JSON.parse(r.stdout) as StatusInfo;
    t.ok(s.uptime >= before - Math.floor(startedAt / 1000) && s.uptime <= before - Math.floor(startedAt / 1000) + 2, 'uptime ~1 h');
    t.same(s, {
      version: '0.1.0', nodeName: 'node-b', routerId: '10.0.0.32', localAs: 65002,
      startedAt: Math.floor(startedAt / 1000), reconfiguredAt: Math.floor((startedAt + 5000) / 1000), uptime: s.uptime,
      peers: 2, peersEstablished: 1,
      families: [{ family: 'ipv4-unicast', prefixes: 4, paths: 4 }, { family: 'ipv6-unicast', prefixes: 0, paths: 0 }],
      attributeSets: b.interner.stats().sets, loopLag: null, updateGroups: 1,
      kernel: {
        fib: { installed: 7, pending: 1, failed: 2, unresolved: 3, adopted: 4, converged: false, replaces: 9, deletes: 5, repairs: 6, scans: 8, nexthopObjects: 1 },
        learner: { kernelRoutes: 3, directRoutes: 1 },
        tunnels: { ipip: 'unavailable', vxlan: 'ok', reconciles: 12, lastErrors: ['add tunl0: EOPNOTSUPP'] },
      },
    });
    t.equal(Object.keys(s).join(','), 'version,nodeName,routerId,localAs,startedAt,reconfiguredAt,uptime,peers,peersEstablished,families,attributeSets,loopLag,updateGroups,kernel', 'field order');
    t.equal(Object.keys(s.kernel!).join(','), 'fib,learner,tunnels', 'kernel field order');
    t.equal(Object.keys(s.kernel!.fib!).join(','), 'installed,pending,failed,unresolved,adopted,converged,replaces,deletes,repairs,scans,nexthopObjects', 'fib field order');
    const text = await show(sock, 'status');
    t.match(text.stdout, /^Router ID: +10\.0\.0\.32$/m);
    t.match(text.stdout, /^Peers: +2 configured, 1 established$/m);
    t.match(text.stdout, /^ipv4-unicast: +4 prefixes, 4 paths$/m);
    t.match(text.stdout, /^Started: +\S+ \S+ \(up 01:00:0\d\)$/m);
    t.match(text.stdout, /^Kernel FIB: +7 installed, 1 pending, 2 failed, 3 unresolved, converging \(4 adopted\); 9 replaces, 5 deletes, 6 repairs, 8 scans, 1 nexthop objects$/m);
    t.match(text.stdout, /^Kernel learn: +3 kernel routes, 1 direct routes$/m);
    t.match(text.stdout, /^Tunnels: +ipip unavailable, vxlan ok \(12 reconciles\); errors: add tunl0: EOPNOTSUPP$/m);
  });

  t.test('show peers --json', async (t) => {
    const r = await show(sock, 'peers', '--json');
    t.equal(r.code, 0);
    const peers = JSON.parse(r.stdout) as PeerInfo[];
    const now = Date.now() / 1000;
    for (const p of peers) t.ok(p.since <= now && p.since > now - 60, `${p.name}: since is recent unix seconds`);
    t.ok(peers[0].uptime >= 0 && peers[0].uptime <= now - peers[0].since + 1, 'uptime of the established peer');
    t.same(peers, [
      {
        name: 'to_a', address: '127.0.0.31', port, localAs: 65002, peerAs: 65001, routerId: '10.0.0.31', type: 'ebgp',
        passive: true, state: 'Established', since: peers[0].since, uptime: peers[0].uptime, lastError: null,
        prefixes: { received: 3, accepted: 2, filtered: 1, advertised: 1 },
        capabilities: {
          families: ['ipv4-unicast'], holdTime: 9, keepaliveTime: 3, fourOctetAs: true, routeRefresh: true,
          enhancedRouteRefresh: false, extendedMessage: false, extendedNextHop: [], addPathRx: [], addPathTx: [],
          gracefulRestart: false, gracefulRestartTime: 0,
        },
        // In: two announcements (two attribute sets) and End-of-RIB; out: one announcement (End-of-RIB not counted).
        updatesReceived: 3, updatesSent: 1,
        gracefulRestart: { phase: 'idle', staleFamilies: [], deadline: 0 },
        exportGroups: [{ family: 'ipv4-unicast', members: 1, queuedBytes: 0, forked: false }],
      },
      {
        name: 'to_c', address: '127.0.0.33', port, localAs: 65002, peerAs: 65003, routerId: '', type: 'ebgp',
        passive: true, state: 'Passive', since: peers[1].since, uptime: 0, lastError: null,
        prefixes: { received: 0, accepted: 0, filtered: 0, advertised: 0 }, capabilities: null,
        updatesReceived: 0, updatesSent: 0,
        gracefulRestart: { phase: 'idle', staleFamilies: [], deadline: 0 }, exportGroups: [],
      },
    ]);

    const one = await show(sock, 'peers', 'to_c', '--json');
    t.same((JSON.parse(one.stdout) as PeerInfo[]).map((p) => p.name), ['to_c'], 'one peer by name');

    const text = await show(sock, 'peers');
    const lines = text.stdout.split('\n');
    t.match(lines[0], /^Name +Address +AS +State +Since +Rcvd +Accepted +Filtered +Adv +Info$/);
    t.match(lines[1], new RegExp(`^to_a +127\\.0\\.0\\.31:${port} +65001 +Established +00:00:\\d\\d +3 +2 +1 +1$`));
    t.match(lines[2], new RegExp(`^to_c +127\\.0\\.0\\.33:${port} +65003 +Passive +00:00:\\d\\d +0 +0 +0 +0$`));
    t.equal(lines.length, 4, 'header, two peers, final newline');
  });

  const lo16 = route({ prefix: '10.0.0.0/16', nextHops: ['192.0.2.31'], asPath: '65001', source: 'to_a', sourceAddress: '127.0.0.31', best: true });
  const net5 = route({
    prefix: '10.0.5.0/24', nextHops: ['192.0.2.31'], asPath: '65001', med: 5, communities: ['65002:100'], largeCommunities: ['65002:1:2'],
    source: 'to_a', sourceAddress: '127.0.0.31', best: true,
  });
  const local9 = route({ prefix: '10.9.0.0/24', source: 'static1', best: true });

  t.test('show routes --json: Loc-RIB, lookups, --peer', async (t) => {
    const all = await show(sock, 'routes', '--json');
    t.equal(all.code, 0);
    t.same(JSON.parse(all.stdout), [lo16, net5, local9], 'whole Loc-RIB in prefix order; filtered path not listed');
    t.equal(Object.keys(JSON.parse(all.stdout)[0]).join(','),
      'prefix,family,nextHops,asPath,origin,med,localPref,communities,largeCommunities,extCommunities,source,sourceAddress,best,pathId,ecmp,filtered,stale,unresolved,peer',
      'field order');
    t.same(JSON.parse((await show(sock, 'routes', '10.0.5.0/24', '--json')).stdout), [net5], 'exact prefix');
    t.same(JSON.parse((await show(sock, 'routes', '10.0.5.0/25', '--json')).stdout), [], 'exact prefix absent');
    t.same(JSON.parse((await show(sock, 'routes', '10.0.5.0/25', '--longest', '--json')).stdout), [net5], '--longest');
    t.same(JSON.parse((await show(sock, 'routes', '10.0.5.7', '--json')).stdout), [net5], 'address: longest match');
    t.same(JSON.parse((await show(sock, 'routes', '10.0.6.1', '--json')).stdout), [lo16], 'the filtered /24 does not match; the /16 does');
    t.same(JSON.parse((await show(sock, 'routes', '192.168.0.1', '--json')).stdout), [], 'no match');
    t.same(JSON.parse((await show(sock, 'routes', '--peer', 'to_a', '--json')).stdout), [lo16, net5], '--peer');
    t.same(JSON.parse((await show(sock, 'routes', '--family', 'ipv6', '--json')).stdout), [], 'empty IPv6 table');
  });

  t.test('show routes --in / --out', async (t) => {
    const adjIn = [
      { ...lo16 },
      { ...net5, communities: [], largeCommunities: [] },
      route({ prefix: '10.0.6.0/24', nextHops: ['192.0.2.31'], asPath: '65001', source: 'to_a', sourceAddress: '127.0.0.31', filtered: true }),
    ];
    t.same(JSON.parse((await show(sock, 'routes', '--in', '--peer', 'to_a', '--json')).stdout), adjIn, 'Adj-RIB-In: as received, filtered included');
    t.same(JSON.parse((await show(sock, 'routes', '--in', '--json')).stdout), adjIn, 'Adj-RIB-In of every BGP peer (no local routes)');
    t.same(JSON.parse((await show(sock, 'routes', '--out', '--peer', 'to_a', '--json')).stdout), [
      route({ prefix: '10.9.0.0/24', nextHops: ['192.0.2.32'], asPath: '65002', source: 'static1', peer: 'to_a' }),
    ], 'Adj-RIB-Out to to_a: only the local route (never back to the source peer)');
    t.same(JSON.parse((await show(sock, 'routes', '--out', '--peer', 'to_c', '--json')).stdout), [], 'nothing advertised to a down peer');
  });

  t.test('show routes table', async (t) => {
    const r = await show(sock, 'routes');
    const lines = r.stdout.split('\n');
    t.match(lines[0], /^Status codes:/);
    t.match(lines[1], /^ +Network +Next Hop +MED +LocPrf +Path +Source$/);
    t.match(lines[2], /^\*> +10\.0\.0\.0\/16 +192\.0\.2\.31 +65001 i +to_a$/);
    t.match(lines[3], /^\*> +10\.0\.5\.0\/24 +192\.0\.2\.31 +5 +65001 i +to_a$/);
    t.match(lines[4], /^\*> +10\.9\.0\.0\/24 +- +i +static1$/);
    t.equal(lines.length, 6);
    const adjIn = await show(sock, 'routes', '--in');
    t.match(adjIn.stdout, /^ +F +10\.0\.6\.0\/24 +192\.0\.2\.31 +65001 i +to_a$/m, 'filtered path flagged F');
    const out = await show(sock, 'routes', '--out', '--peer', 'to_a');
    t.match(out.stdout, /^\* +10\.9\.0\.0\/24 +192\.0\.2\.32 +65002 i +static1 -> to_a$/m);
  });

  t.test('errors from the daemon and usage errors', async (t) => {
    t.same(await show(sock, 'peers', 'nobody'), { code: 1, stdout: '', stderr: "petrel: no such peer 'nobody'\n" });
    t.same(await show(sock, 'routes', '--peer', 'nobody'), { code: 1, stdout: '', stderr: "petrel: no such peer 'nobody'\n" });
    t.same(await show(sock, 'routes', 'not-a-prefix'), { code: 1, stdout: '', stderr: "petrel: not a prefix or address: 'not-a-prefix'\n" });
    t.same(await show(sock, 'routes', '10.0.0.0/8', '--family', 'ipv6'), { code: 1, stdout: '', stderr: 'petrel: prefix 10.0.0.0/8 is not in family ipv6-unicast\n' });
    t.same(await show(sock, 'routes', '--family', 'mpls'), { code: 1, stdout: '', stderr: "petrel: unknown family 'mpls' (ipv4 or ipv6)\n" });
    const usage = await show(sock, 'routes', '--out');
    t.equal(usage.code, 2);
    t.match(usage.stderr, /^petrel: --out needs --peer NAME\nusage:\n/);
    const unknown = await show(sock, 'bananas');
    t.equal(unknown.code, 2);
    t.match(unknown.stderr, /^petrel: unknown show target 'bananas'/);
    const client = await PetrelClient.connect(sock);
    t.teardown(() => client.close());
    const e = await client.listRoutes({ direction: 'adj-out' }).catch((x: unknown) => x);
    t.ok(e instanceof ApiCallError, 'typed error');
    t.equal((e as ApiCallError).grpcCode, 3, 'INVALID_ARGUMENT');
    t.equal((e as ApiCallError).message, 'adj-out needs a peer');
  });

  t.test('the petrel binary: --socket, show status --json', async (t) => {
    const r = await cli('--socket', sock, 'show', 'status', '--json');
    t.equal(r.stderr, '');
    t.equal(r.code, 0);
    t.equal((JSON.parse(r.stdout) as StatusInfo).nodeName, 'node-b');
    const eq = await cli(`--socket=${sock}`, 'show', 'peers');
    t.equal(eq.code, 0);
    t.match(eq.stdout, /^to_a +127\.0\.0\.31/m);
  });

  t.test('a second server refuses the live socket', async (t) => {
    const e = await startApiServer(viewB, sock).catch((x: unknown) => x);
    t.match(e, { code: 'ERR_API_SOCKET_IN_USE', message: `${sock} is in use (is another petreld running?)` });
    t.equal((await show(sock, 'status', '--json')).code, 0, 'the first server still answers');
  });
});

t.test('an unreachable daemon: one stderr line, exit 1; stale sockets are replaced', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'petrel-api-'));
  let api: ApiServer | undefined;
  t.teardown(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const missing = join(dir, 'missing.sock');
  const notFound = { code: 1, stdout: '', stderr: `petrel: cannot reach petreld at ${missing}: socket not found\n` };
  t.same(await cli('--socket', missing, 'show', 'peers'), notFound, 'the binary');
  t.same(await show(missing, 'routes', '--json'), notFound, 'in process');

  // A crashed daemon's socket: the file stays, nobody listens.
  const stale = join(dir, 'stale.sock');
  await new Promise<void>((done) => {
    const code = `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`;
    execFile(process.execPath, ['-e', code], () => done());
  });
  t.ok(existsSync(stale), 'stale socket file left behind');
  t.same(await show(stale, 'status'), { code: 1, stdout: '', stderr: `petrel: cannot reach petreld at ${stale}: connection refused\n` });
  const interner = new AttrInterner();
  const view: ApiDaemonView = {
    peers: new Map(), ribs: new Map([[IPV4_UNICAST, new LocRib(IPV4_UNICAST, interner, DEFAULT_BEST_PATH_OPTIONS)]]), interner,
    startedAt: 0, reconfiguredAt: 0, config: { nodeName: 'n', routerId: '192.0.2.1', localAs: 64512 },
  };
  api = await startApiServer(view, stale);
  const r = await show(stale, 'peers', '--json');
  t.same(r, { code: 0, stdout: '[]\n', stderr: '' }, 'the stale socket was replaced by a live server');
  const st = JSON.parse((await show(stale, 'status', '--json')).stdout) as StatusInfo;
  t.same(st.kernel, { fib: null, learner: null, tunnels: null }, 'no kernel side: every part null, the object present');
  const text = (await show(stale, 'status')).stdout;
  t.same(text.split('\n').filter((l) => /^(Kernel|Tunnels)/.test(l)).map((l) => l.replace(/ +/g, ' ')), ['Kernel FIB: off', 'Kernel learn: off', 'Tunnels: off']);
  await api.close();
  t.notOk(existsSync(stale), 'close() removes the socket file');

  const plain = join(dir, 'plain');
  writeFileSync(plain, 'x');
  const e = await startApiServer(view, plain).catch((x: unknown) => x);
  t.match(e, { code: 'ERR_API_SOCKET_PATH', message: `${plain} exists and is not a socket` });
  t.ok(existsSync(plain), 'a non-socket file is never removed');
});
