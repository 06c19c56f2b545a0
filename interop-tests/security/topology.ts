/**
 * DOC: building blocks of the socket-security scenarios: one Petrel node (AS 64512, FIB off, configured through
 * Calico YAML plus a `kind: Secret` with the BGP passwords) in its own namespace, and FRR routers on point-to-point
 * links to it, configured further through vtysh (`neighbor X password`, `ttl-security hops N`). Every namespace,
 * daemon and file is removed on the tap test's teardown.
 */
import { appendFileSync } from 'node:fs';
import type { Test } from 'tap';
import { addAddress, createNetns, createPeer, type Netns } from '../lib/index.js';
import { vethPair } from '../lib/netns.js';
import type { FrrDriver } from '../lib/frr-driver.js';
import { bgpConfiguration, blockAffinity, calicoNode, ipPool, petrelConfiguration, writeCalicoConfig, type CalicoDoc } from '../lib/calico-resources.js';
import { startPetrelNodes, type PetrelNode } from '../lib/petrel-nodes.js';

export const PETREL_AS = 64512;
export const PETREL_BLOCK = '10.244.7.0/26';

/** Writes the cluster YAML (Petrel node `petrel-1` at `nodeIp`, its block, `peers`) and a Secret `bgp-secrets` with `passwords`. */
export function writeConfig(t: Test, nodeIp: string, peers: CalicoDoc[], passwords: Record<string, string>): string {
  const file = writeCalicoConfig(t, [
    bgpConfiguration({ asNumber: PETREL_AS, nodeToNodeMeshEnabled: false }),
    calicoNode('petrel-1', { ipv4Address: nodeIp }),
    ipPool('pool', '10.244.0.0/16', 26),
    blockAffinity('petrel-1', PETREL_BLOCK),
    petrelConfiguration(),
    ...peers,
  ]);
  const lines = Object.entries(passwords).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`);
  if (lines.length) appendFileSync(file, ['---', 'apiVersion: v1', 'kind: Secret', 'metadata: {name: bgp-secrets, namespace: calico-system}', 'stringData:', ...lines, ''].join('\n'));
  return file;
}

/** A namespace for Petrel. */
export async function petrelNamespace(t: Test): Promise<Netns> {
  return createNetns(t, 'psec');
}

/** An FRR router in a new namespace on a /24 link `10.<net>.<link>.0` to `p` (FRR .1, Petrel .2), started. */
export async function frrOnLink(
  t: Test, p: Netns, link: string, as: number, neighbor: { passive?: boolean }, extra: string[],
): Promise<{ frr: FrrDriver; ns: Netns; ip: string; petrelIp: string; network: string }> {
  const ns = await createNetns(t, 'fsec');
  const [a, b, c] = link.split('.');
  const ip = `${a}.${b}.${c}.1`;
  const petrelIp = `${a}.${b}.${c}.2`;
  const ifP = `ps${c}`;
  await vethPair(p, ifP, ns, 'eth0');
  await addAddress(p, ifP, `${petrelIp}/24`);
  await addAddress(ns, 'eth0', `${ip}/24`);
  const network = `10.201.${c}.0/24`;
  const frr = createPeer('frr', ns.name, {
    name: `f${c}`, routerId: ip, localAs: as, networks: [network],
    neighbors: [{ address: petrelIp, remoteAs: PETREL_AS, passive: neighbor.passive }],
  }) as FrrDriver;
  t.teardown(() => frr.stop());
  await frr.start();
  if (extra.length) await frr.vtysh(['configure terminal', `router bgp ${as}`, ...extra.map((e) => `neighbor ${petrelIp} ${e}`)]);
  return { frr, ns, ip, petrelIp, network };
}

/** Starts petreld for `petrel-1` in `p`. */
export function startPetrel(t: Test, p: Netns, file: string): PetrelNode {
  return startPetrelNodes(t, file, [['petrel-1', p]])[0];
}

/** TcpExt counters of namespace `ns` (`/proc/net/netstat` read inside it). */
export async function tcpExt(ns: Netns, names: readonly string[]): Promise<Record<string, number>> {
  const { stdout } = await ns.exec('cat', ['/proc/net/netstat']);
  const lines = stdout.split('\n').filter((l) => l.startsWith('TcpExt:'));
  const keys = lines[0].split(/\s+/);
  const vals = lines[1].split(/\s+/);
  return Object.fromEntries(names.map((n) => [n, keys.includes(n) ? Number(vals[keys.indexOf(n)]) : -1]));
}

/** Established TCP connections in `ns` as `local remote` address:port pairs (from `ss`; IPv4-mapped shown as IPv4). */
export async function established(ns: Netns): Promise<string[]> {
  const { stdout } = await ns.exec('ss', ['-tnH', 'state', 'established']);
  return stdout.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f.length >= 4).map((f) => `${unmap(f[2])} ${unmap(f[3])}`);
}

/** `[::ffff:10.0.0.1]:179` (a dual-stack socket's IPv4 peer) → `10.0.0.1:179`. */
function unmap(a: string): string {
  const m = /^\[::ffff:(\d+\.\d+\.\d+\.\d+)\]:(\d+)$/.exec(a);
  return m ? `${m[1]}:${m[2]}` : a;
}
