/**
 * `petreld` as a process: `check` names file, line and field of every error and exits 1; two daemons on loopback
 * bring up their mesh session; SIGHUP with one peer's AS changed resets that peer alone (the mesh session keeps
 * its `since`); SIGHUP with a broken file keeps the old configuration; SIGTERM exits 0 after Cease.
 */
import t from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fixturePath } from '../helpers/fixtures';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PETRELD = path.join(ROOT, 'dist', 'src', 'cli', 'petreld.js');
const PETREL = path.join(ROOT, 'dist', 'src', 'cli', 'petrel.js');

t.test('petreld check reports every error with file, line and field', (t) => {
  const bad = fixturePath('config', 'broken', 'invalid-values.yaml');
  const r = spawnSync(process.execPath, [PETRELD, 'check', '--config', bad, '--node', 'node-1'], { encoding: 'utf8' });
  t.equal(r.status, 1, 'exit 1');
  t.match(r.stderr, `${bad}:7: IPPool[bad-cidr].spec.cidr: is not a valid CIDR (got "10.300.0.0/16")`, 'file:line: kind[name].field');
  t.match(r.stderr, /invalid-values\.yaml:67: PetrelConfiguration\[p\]\.spec\.listenPort: must be between 1 and 65535/, 'PetrelConfiguration fields too');
  const ok = spawnSync(process.execPath, [PETRELD, 'check', '--config', path.join(ROOT, 'config/demo/cluster.yaml'), '--config', path.join(ROOT, 'config/demo/node-a/petrel.yaml')], { encoding: 'utf8' });
  t.equal(ok.status, 0, 'the demo config is valid');
  t.match(ok.stdout, 'ok: node node-a, router id 10.99.0.2, AS 64512, 2 peer(s)');
  t.end();
});

function cluster(port: number, torAs: number): string {
  const node = (name: string, ip: string) => `---
apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: ${name}}
spec: {bgp: {ipv4Address: ${ip}/8}}
`;
  return `apiVersion: projectcalico.org/v3
kind: BGPConfiguration
metadata: {name: default}
spec: {asNumber: 64512, nodeToNodeMeshEnabled: true, listenPort: ${port}, bindMode: NodeIP}
${node('n1', '127.0.0.41')}${node('n2', '127.0.0.42')}---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: tor}
spec: {peerIP: "127.0.0.43:${port}", asNumber: ${torAs}}
---
apiVersion: petrel/v1
kind: PetrelConfiguration
metadata: {name: p}
spec: {fib: {enabled: false}, timers: {connectDelayTime: 0, connectRetryTime: 1, errorWaitMin: 1, errorWaitMax: 2}}
`;
}

interface Peer { name: string; state: string; since: number; peerAs: number }

function show(sock: string): Peer[] {
  const r = spawnSync(process.execPath, [PETREL, '--socket', sock, 'show', 'peers', '--json'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Peer[];
}

async function until<T>(what: string, fn: () => T | undefined | false, ms = 20000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const v = fn();
      if (v) return v;
    } catch {
      // the daemon may not be listening yet
    }
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

t.test('SIGHUP resets only the changed peer; a broken config is rejected; SIGTERM exits', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'petreld-test-'));
  const procs: ChildProcess[] = [];
  t.teardown(() => {
    for (const p of procs) p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const port = 21000 + Math.floor(Math.random() * 20000);
  const cfg = path.join(dir, 'cluster.yaml');
  writeFileSync(cfg, cluster(port, 65000));
  const start = (node: string) => {
    const sock = path.join(dir, `${node}.sock`);
    const p = spawn(process.execPath, [PETRELD, '--config', cfg, '--node', node, '--socket', sock, '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
    procs.push(p);
    return { p, sock };
  };
  const n1 = start('n1');
  const n2 = start('n2');
  const mesh = await until('mesh Established on n1', () => show(n1.sock).find((p) => p.name === 'Mesh_127_0_0_42' && p.state === 'Established'));
  await until('mesh Established on n2', () => show(n2.sock).find((p) => p.name === 'Mesh_127_0_0_41' && p.state === 'Established'));
  const before = show(n1.sock);
  t.same(before.map((p) => p.name).sort(), [`Global_127_0_0_43_port_${port}`, 'Mesh_127_0_0_42'], 'Calico peer names, with the port suffix');

  writeFileSync(cfg, cluster(port, 65099));
  n1.p.kill('SIGHUP');
  await until('tor peer reconfigured', () => show(n1.sock).find((p) => p.name.startsWith('Global_') && p.peerAs === 65099));
  const after = show(n1.sock).find((p) => p.name === 'Mesh_127_0_0_42')!;
  t.equal(after.state, 'Established', 'mesh session still up after the reload');
  t.equal(after.since, mesh.since, 'mesh session was not reset (same since)');

  writeFileSync(cfg, 'kind: [this is not yaml');
  n1.p.kill('SIGHUP');
  await new Promise((r) => setTimeout(r, 500));
  t.equal(n1.p.exitCode, null, 'daemon still running after a broken reload');
  t.equal(show(n1.sock).find((p) => p.name === 'Mesh_127_0_0_42')!.state, 'Established', 'old configuration kept');

  const exited = new Promise<number | null>((r) => n1.p.once('exit', (code) => r(code)));
  n1.p.kill('SIGTERM');
  t.equal(await exited, 0, 'SIGTERM: exit 0');
  await until('n2 sees the mesh peer go down', () => show(n2.sock).find((p) => p.name === 'Mesh_127_0_0_41' && p.state !== 'Established'));
  t.pass('n2 saw the Cease');
});
