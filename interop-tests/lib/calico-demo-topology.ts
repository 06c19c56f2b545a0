/**
 * DOC: the demo topology, shared by `npm run demo` and the FRR ToR interop test.
 *
 *            FRR ToR 10.99.0.1 AS 65000 (br0 in namespace "tor", originates 10.250.0.0/24)
 *              /                  \
 *   node-a 10.99.0.2         node-b 10.99.0.3       Petrel, AS 64512, config/demo/ (Calico v3 resources)
 *   block 10.244.1.0/26      block 10.244.2.0/26    iBGP mesh between the nodes, eBGP to the ToR
 *
 * One L2 segment: a bridge in the ToR namespace with a veth to each node. Everything lives in namespaces made
 * here and is removed by `stop()` (and by the exit guard if the process dies).
 */
import { createNetns, addAddress, linkUp, vethPair, type Netns, type Teardownable } from './netns.js';
import { createPeer } from './index.js';
import type { PeerDriver } from './types.js';
import { PetrelDriver } from './petrel-driver.js';

export interface DemoTopology {
  tor: Netns;
  frr: PeerDriver;
  nodes: { name: string; ip: string; ns: Netns; petrel: PetrelDriver }[];
  stop(): Promise<void>;
}

export const DEMO_NODES = [
  { name: 'node-a', ip: '10.99.0.2', block: '10.244.1.0/26' },
  { name: 'node-b', ip: '10.99.0.3', block: '10.244.2.0/26' },
] as const;
export const TOR_IP = '10.99.0.1';
export const TOR_NETWORK = '10.250.0.0/24';

export async function buildDemoTopology(t?: Teardownable): Promise<DemoTopology> {
  const made: Netns[] = [];
  const petrels: PetrelDriver[] = [];
  let frr: PeerDriver | undefined;
  const stop = async () => {
    for (const p of petrels) await p.stop().catch(() => undefined);
    await frr?.stop().catch(() => undefined);
    for (const ns of made) await ns.destroy().catch(() => undefined);
  };
  t?.teardown(stop);
  try {
    const tor = await createNetns(undefined, 'pdtor');
    made.push(tor);
    await tor.exec('ip', ['link', 'add', 'name', 'br0', 'type', 'bridge']);
    await linkUp(tor, 'br0');
    await addAddress(tor, 'br0', `${TOR_IP}/24`);
    const nodes: DemoTopology['nodes'] = [];
    for (const [i, n] of DEMO_NODES.entries()) {
      const ns = await createNetns(undefined, `pd${n.name.slice(-1)}`);
      made.push(ns);
      const torIf = `v${i}`;
      await vethPair(tor, torIf, ns, 'eth0');
      await tor.exec('ip', ['link', 'set', 'dev', torIf, 'master', 'br0']);
      await addAddress(ns, 'eth0', `${n.ip}/24`);
      const petrel = new PetrelDriver({ netns: ns.name, node: n.name, configs: ['config/demo/cluster.yaml', `config/demo/${n.name}/petrel.yaml`] });
      petrels.push(petrel);
      nodes.push({ name: n.name, ip: n.ip, ns, petrel });
    }
    frr = createPeer('frr', tor.name, {
      name: 'tor', routerId: TOR_IP, localAs: 65000,
      neighbors: DEMO_NODES.map((n) => ({ address: n.ip, remoteAs: 64512 })),
      networks: [TOR_NETWORK],
    });
    await frr.start();
    for (const n of nodes) n.petrel.start();
    return { tor, frr, nodes, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
