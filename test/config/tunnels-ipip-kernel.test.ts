import t from 'tap';
import { deriveNodeConfig, parseConfigText } from '../../src/config';
import { calicoKernelPolicyDef } from '../../src/rib/policy/calico';
import { addAddress, createNetns, linkUp, ipRouteLines, tryExec, vethPair } from '../helpers/netns';
import { FibAgent } from '../fib/fib-agent-client';

// IPIP from the Calico resources to the kernel: the IPPool's ipipMode becomes calico_kernel_programming's krt_tunnel
// (src/config/advertisements.ts → src/rib/policy/calico.ts), which the FIB turns into `via <BGP next hop> dev
// tunl0 onlink` (src/fib/desired-route.ts). The ipip module may be absent: tunl0 is then a veth of that name (only
// its name and index matter), created after the first announcement to show the route before and after it exists.
const TABLE = 100;
const cluster = (programClusterRoutes?: string) => `
apiVersion: projectcalico.org/v3
kind: BGPConfiguration
metadata: {name: default}
spec: {asNumber: 64512${programClusterRoutes ? `, programClusterRoutes: ${programClusterRoutes}` : ''}}
---
apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: a}
spec:
  bgp: {ipv4Address: 10.1.0.1/24, ipv4IPIPTunnelAddr: 10.246.0.1}
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: always}
spec: {cidr: 192.168.0.0/16, ipipMode: Always}
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: cross}
spec: {cidr: 172.16.0.0/16, ipipMode: CrossSubnet}
---
apiVersion: petrel/v1
kind: PetrelConfiguration
metadata: {name: p}
spec: {tunnels: {ipip: auto}}
`;

/** `ip route` lines of table 100, whitespace-normalized. */
function table(ns: string): Promise<string[]> {
  return ipRouteLines(ns, ['-4', 'route', 'show', 'table', String(TABLE)]);
}

async function waitTable(ns: string, want: string[]): Promise<string[]> {
  const end = Date.now() + 5000;
  for (;;) {
    const got = await table(ns);
    if (JSON.stringify(got) === JSON.stringify(want) || Date.now() > end) return got;
    await new Promise((r) => setTimeout(r, 20));
  }
}

t.test('ipipMode Always/CrossSubnet with programClusterRoutes Enabled: BGP blocks go via tunl0 onlink', async (t) => {
  const cfg = deriveNodeConfig(parseConfigText(cluster('Enabled')), 'a');
  t.same(cfg.tunnels?.ipip, { device: 'tunl0', mtu: 1440, address: '10.246.0.1' }, 'the plan asks for tunl0 (the manager reports it unavailable without the module)');
  const ns = await createNetns(t, 'petrel-ipipk');
  await vethPair(ns, 'v0', ns, 'v1');
  await addAddress(ns, 'v0', '10.1.0.1/24');
  await linkUp(ns, 'v0');
  await linkUp(ns, 'v1');
  const hasTunl0 = (await tryExec(ns, 'ip', ['link', 'show', 'dev', 'tunl0'])).code === 0;
  t.comment(hasTunl0 ? 'the ipip module is loaded: the real tunl0 is used' : 'no ipip module: a veth named tunl0 stands in');

  const fib = await FibAgent.start(t, ns, { table: TABLE, protocol: 12, policyV4: calicoKernelPolicyDef(cfg, 'ipv4') });
  const metric = 2147483647 - 100; // krt_metric from LOCAL_PREF 100 (the priority prelude)
  await fib.announce('192.168.5.0/26', 'p1', '10.1.0.2', { localPref: 100 });
  await fib.idle();
  if (!hasTunl0) {
    t.same(await table(ns), [`192.168.5.0/26 via 10.1.0.2 dev v0 proto bird metric ${metric}`],
      'krt_tunnel names a device that does not exist: the normal resolved route (BIRD fork: only an existing interface is used)');
    await vethPair(ns, 'tunl0', ns, 'tunp');
    await linkUp(ns, 'tunl0');
    await linkUp(ns, 'tunp');
  } else {
    await linkUp(ns, 'tunl0');
  }
  await fib.announce('172.16.1.0/26', 'p2', '10.1.0.3', { localPref: 100 });
  await fib.announce('172.16.2.0/26', 'p3', '10.9.0.4', { localPref: 100 });
  t.same(await waitTable(ns, [
    `172.16.1.0/26 via 10.1.0.3 dev v0 proto bird metric ${metric}`,
    `172.16.2.0/26 via 10.9.0.4 dev tunl0 proto bird metric ${metric} onlink`,
    `192.168.5.0/26 via 10.1.0.2 dev tunl0 proto bird metric ${metric} onlink`,
  ]), [
    `172.16.1.0/26 via 10.1.0.3 dev v0 proto bird metric ${metric}`,
    `172.16.2.0/26 via 10.9.0.4 dev tunl0 proto bird metric ${metric} onlink`,
    `192.168.5.0/26 via 10.1.0.2 dev tunl0 proto bird metric ${metric} onlink`,
  ], 'Always: tunl0 onlink (moved there once tunl0 appeared); CrossSubnet: direct inside 10.1.0.0/24, tunl0 onlink (unconnected next hop) outside');
});

t.test('default programClusterRoutes (EnabledNoEncapOnly): IPIP pools are Felix\'s, nothing is installed', async (t) => {
  const cfg = deriveNodeConfig(parseConfigText(cluster()), 'a');
  const ns = await createNetns(t, 'petrel-ipipf');
  await vethPair(ns, 'v0', ns, 'v1');
  await addAddress(ns, 'v0', '10.1.0.1/24');
  await linkUp(ns, 'v0');
  await linkUp(ns, 'v1');
  const fib = await FibAgent.start(t, ns, { table: TABLE, protocol: 12, policyV4: calicoKernelPolicyDef(cfg, 'ipv4') });
  await fib.announce('192.168.5.0/26', 'p1', '10.1.0.2', { localPref: 100 });
  await fib.announce('172.16.1.0/26', 'p2', '10.1.0.3', { localPref: 100 });
  await fib.announce('10.50.0.0/24', 'p2', '10.1.0.3', { localPref: 100 });
  await fib.idle();
  t.same(await table(ns), [`10.50.0.0/24 via 10.1.0.3 dev v0 proto bird metric ${2147483647 - 100}`], 'only the route outside the pools');
});
