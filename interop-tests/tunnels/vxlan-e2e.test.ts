import t from 'tap';
import { deriveNodeConfig, parseConfigText } from '../../src/config';
import { addAddress, createNetns, exec, linkUp, spawnIn, vethPair } from '../../test/helpers/netns';
import { TunnelAgent } from '../../test/fib/tunnels/tunnel-agent-client';

// Two namespaces are two nodes on one underlay; each runs a TunnelManager (child process under `ip netns exec`)
// planned from the same cluster YAML. Traffic between pod addresses must cross vxlan.calico (device counters).
const CLUSTER = `
apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: node-a}
spec:
  bgp: {ipv4Address: 10.0.0.1/24}
  ipv4VXLANTunnelAddr: 10.245.0.1
  vxlanTunnelMACAddr: "66:0f:5a:00:00:0a"
---
apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: node-b}
spec:
  bgp: {ipv4Address: 10.0.0.2/24}
  ipv4VXLANTunnelAddr: 10.245.1.1
  vxlanTunnelMACAddr: "66:0f:5a:00:00:0b"
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: pods}
spec: {cidr: 10.244.0.0/16, vxlanMode: Always, blockSize: 26}
---
apiVersion: projectcalico.org/v3
kind: BlockAffinity
metadata: {name: node-a-10-244-0-0-26}
spec: {node: node-a, cidr: 10.244.0.0/26, state: confirmed}
---
apiVersion: projectcalico.org/v3
kind: BlockAffinity
metadata: {name: node-b-10-244-1-0-26}
spec: {node: node-b, cidr: 10.244.1.0/26, state: confirmed}
---
apiVersion: petrel/v1
kind: PetrelConfiguration
metadata: {name: petrel}
spec: {tunnels: {vxlan: auto}}
`;

const ECHO_SERVER = `require('net').createServer((s) => s.pipe(s)).listen(7007, '10.244.1.5', () => console.log('ready'))`;
const ECHO_CLIENT = `
const s = require('net').connect({ host: '10.244.1.5', port: 7007, localAddress: '10.244.0.5' });
const got = []; let n = 0;
const next = () => { if (n === 3) { console.log(got.join(' ')); s.end(); return; } s.write('echo ' + ++n); };
s.on('connect', next);
s.on('data', (d) => { got.push(String(d)); next(); });
setTimeout(() => { console.log('timeout', got.join(' ')); process.exit(1); }, 5000).unref();`;

async function vxlanStats(ns: string): Promise<{ tx: number; rx: number }> {
  const [l] = JSON.parse(await exec(ns, 'ip', ['-s', '-j', 'link', 'show', 'dev', 'vxlan.calico'])) as { stats64: { tx: { packets: number }; rx: { packets: number } } }[];
  return { tx: l.stats64.tx.packets, rx: l.stats64.rx.packets };
}

t.test('pod-to-pod traffic between two nodes crosses vxlan.calico', async (t) => {
  const loaded = parseConfigText(CLUSTER, 'cluster.yaml');
  const planA = deriveNodeConfig(loaded, 'node-a').tunnels!;
  const planB = deriveNodeConfig(loaded, 'node-b').tunnels!;
  t.same(planA.vxlan?.routes, [{ cidr: '10.244.1.0/26', node: 'node-b', mode: 'vxlan', via: '10.245.1.1' }]);
  t.same(planB.vxlan?.routes, [{ cidr: '10.244.0.0/26', node: 'node-a', mode: 'vxlan', via: '10.245.0.1' }]);

  const a = await createNetns(t, 'petrel-vxa');
  const b = await createNetns(t, 'petrel-vxb');
  await vethPair(a, 'eth0', b, 'eth0');
  await addAddress(a, 'eth0', '10.0.0.1/24');
  await addAddress(b, 'eth0', '10.0.0.2/24');
  await linkUp(a, 'eth0');
  await linkUp(b, 'eth0');
  // The "pods": one address inside each node's block.
  await addAddress(a, 'lo', '10.244.0.5/32');
  await addAddress(b, 'lo', '10.244.1.5/32');

  const [stA, stB] = await Promise.all([TunnelAgent.spawn(t, a).start(planA), TunnelAgent.spawn(t, b).start(planB)]);
  t.same([stA.vxlan, stA.lastErrors, stB.vxlan, stB.lastErrors], ['ok', [], 'ok', []]);
  t.match((await exec(a, 'ip', ['route', 'get', '10.244.1.5', 'from', '10.244.0.5'])).split('\n')[0], /^10\.244\.1\.5 from 10\.244\.0\.5 via 10\.245\.1\.1 dev vxlan\.calico /);

  const beforeA = await vxlanStats(a);
  const beforeB = await vxlanStats(b);
  // No ping on the CI image: a TCP echo between the pod addresses (handshake, 3 round trips, close).
  const server = spawnIn(b, process.execPath, ['-e', ECHO_SERVER]);
  t.teardown(() => void server.kill());
  await new Promise<void>((resolve) => server.stdout!.once('data', () => resolve()));
  const out = await exec(a, process.execPath, ['-e', ECHO_CLIENT]);
  t.equal(out.trim(), 'echo 1 echo 2 echo 3');
  const afterA = await vxlanStats(a);
  const afterB = await vxlanStats(b);
  t.ok(afterA.tx - beforeA.tx >= 3, `node-a vxlan.calico sent ${afterA.tx - beforeA.tx} packets (≥ 3 segments)`);
  t.ok(afterB.rx - beforeB.rx >= 3, `node-b vxlan.calico received ${afterB.rx - beforeB.rx} packets`);
  t.ok(afterB.tx - beforeB.tx >= 3, `node-b vxlan.calico sent ${afterB.tx - beforeB.tx} segments back`);
});
