/**
 * DOC: Calico v3 resources (and Petrel's PetrelConfiguration) for interop scenarios, built as plain objects and
 * written as one multi-document YAML file, the same input `calicoctl get ... -o yaml` would give petreld.
 *
 * Owns the temp files it writes (`petrel-cluster-*`), removed on the tap test's teardown and on process exit.
 * `petrelConfiguration()` defaults are the test defaults: the kernel FIB off, and short timers (hold 9 s,
 * keepalive 3 s, connect delay 0, connect retry 1 s, error wait 1..2 s) so sessions come back within seconds.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { onExitCleanup } from './exit-guard.js';
import type { Teardownable } from './netns.js';

/** One resource document. */
export interface CalicoDoc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
}

const V3 = 'projectcalico.org/v3';

function doc(kind: string, name: string, spec: Record<string, unknown>, labels?: Record<string, string>): CalicoDoc {
  return { apiVersion: V3, kind, metadata: labels ? { name, labels } : { name }, spec };
}

/** The cluster-wide BGPConfiguration `default`. */
export function bgpConfiguration(spec: { asNumber?: number; nodeToNodeMeshEnabled?: boolean; [k: string]: unknown }): CalicoDoc {
  return doc('BGPConfiguration', 'default', { logSeverityScreen: 'Info', ...spec });
}

/** A Node with its `spec.bgp` (addresses as CIDRs, e.g. `10.98.0.2/24`). */
export function calicoNode(
  name: string,
  bgp: { ipv4Address?: string; ipv6Address?: string; asNumber?: number; routeReflectorClusterID?: string },
  labels?: Record<string, string>,
): CalicoDoc {
  return doc('Node', name, { bgp }, labels);
}

/** A BGPPeer (peerIP/asNumber, or selectors). */
export function bgpPeer(name: string, spec: Record<string, unknown>): CalicoDoc {
  return doc('BGPPeer', name, spec);
}

/** An IPPool without encapsulation. */
export function ipPool(name: string, cidr: string, blockSize: number): CalicoDoc {
  return doc('IPPool', name, { cidr, blockSize, ipipMode: 'Never', vxlanMode: 'Never', natOutgoing: false });
}

/** A confirmed BlockAffinity of `node` for `cidr`. */
export function blockAffinity(node: string, cidr: string): CalicoDoc {
  const name = `${node}-${cidr.replace(/[^0-9a-f]+/gi, '-')}`.toLowerCase();
  return doc('BlockAffinity', name, { node, cidr, state: 'confirmed', deleted: 'false' });
}

/** Petrel's daemon settings with the test defaults (FIB off, short timers); `spec` fields override them. */
export function petrelConfiguration(spec: Record<string, unknown> = {}): CalicoDoc {
  const timers = { holdTime: 9, keepaliveTime: 3, connectDelayTime: 0, connectRetryTime: 1, errorWaitMin: 1, errorWaitMax: 2 };
  return {
    apiVersion: 'petrel/v1',
    kind: 'PetrelConfiguration',
    metadata: { name: 'petrel' },
    spec: {
      logLevel: 'info',
      fib: { enabled: false },
      ...spec,
      timers: { ...timers, ...(spec['timers'] as Record<string, unknown> | undefined) },
    },
  };
}

/** Writes `docs` as one YAML file in a fresh temp dir (removed on teardown); returns its absolute path. */
/** The name confd gives a node-to-node mesh peer (`Mesh_10_0_0_2`). */
export function meshPeerName(ip: string): string {
  return `Mesh_${ip.replace(/[.:]/g, '_')}`;
}

/**
 * A one-LAN Calico cluster with the node-to-node mesh: BGPConfiguration (AS 64512), a Node per entry, `peers`,
 * the pool 10.244.0.0/16 (/26 blocks), a BlockAffinity per node, and a PetrelConfiguration.
 */
export function meshClusterDocs(
  nodes: readonly { name: string; ip: string; block: string }[], peers: readonly CalicoDoc[], petrel: Record<string, unknown> = {},
): CalicoDoc[] {
  return [
    bgpConfiguration({ asNumber: 64512, nodeToNodeMeshEnabled: true }),
    ...nodes.map((n) => calicoNode(n.name, { ipv4Address: `${n.ip}/24` })),
    ...peers,
    ipPool('pool-v4', '10.244.0.0/16', 26),
    ...nodes.map((n) => blockAffinity(n.name, n.block)),
    petrelConfiguration(petrel),
  ];
}

export function writeCalicoConfig(t: Teardownable, docs: readonly CalicoDoc[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'petrel-cluster-'));
  const unregister = onExitCleanup(() => rmSync(dir, { recursive: true, force: true }));
  t.teardown(() => {
    rmSync(dir, { recursive: true, force: true });
    unregister();
  });
  const file = path.join(dir, 'cluster.yaml');
  writeFileSync(file, docs.map((d) => `---\n${stringify(d)}`).join(''));
  return file;
}
