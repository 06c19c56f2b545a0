/**
 * DOC: Petrel nodes for interop scenarios: start one `petreld` per node (all reading the same cluster YAML, each
 * with `--node NAME` inside its own namespace) and wait on their state through `petrel ... --json`.
 *
 * Every driver started here is stopped on the tap test's teardown. Waits fail with the last value seen plus the
 * tail of the daemon's log, so a failing scenario says what the daemon did.
 */
import type { PeerInfo, RouteInfo } from '../../src/api/types.js';
import type { Netns, Teardownable } from './netns.js';
import { PetrelDriver } from './petrel-driver.js';
import { waitFor } from './wait-for.js';

/** A Petrel node of a scenario. */
export interface PetrelNode {
  readonly name: string;
  readonly ns: Netns;
  readonly petrel: PetrelDriver;
}

/** Starts `petreld` for each `[node name, namespace]` with config file `configFile`; stops them on teardown. */
export function startPetrelNodes(t: Teardownable, configFile: string, nodes: readonly (readonly [string, Netns])[]): PetrelNode[] {
  const out: PetrelNode[] = [];
  for (const [name, ns] of nodes) {
    const petrel = new PetrelDriver({ netns: ns.name, node: name, configs: [configFile] });
    t.teardown(() => petrel.stop());
    petrel.start();
    out.push({ name, ns, petrel });
  }
  return out;
}

async function withLog<T>(n: PetrelNode, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    (e as Error).message += `\n--- ${n.name} petreld log (tail) ---\n${n.petrel.log().slice(-4000)}`;
    throw e;
  }
}

/** `show peers`, sorted by name. */
export async function petrelPeers(n: PetrelNode): Promise<PeerInfo[]> {
  return (await n.petrel.query<PeerInfo[]>('show', 'peers')).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** `show routes --family F` (the Loc-RIB). */
export async function petrelRoutes(n: PetrelNode, family: 'ipv4' | 'ipv6'): Promise<RouteInfo[]> {
  return n.petrel.query<RouteInfo[]>('show', 'routes', '--family', family);
}

/** Waits until the node has exactly the peers `names` and all are Established; returns them sorted by name. */
export function waitPeersEstablished(n: PetrelNode, names: readonly string[], timeoutMs: number): Promise<PeerInfo[]> {
  const want = [...names].sort().join(',');
  return withLog(
    n,
    waitFor(
      async () => {
        const peers = await petrelPeers(n);
        return peers.map((p) => p.name).join(',') === want && peers.every((p) => p.state === 'Established') && peers;
      },
      timeoutMs,
      `${n.name}: peers ${want} Established`,
    ),
  );
}

/** Waits until `pred` holds for the node's Loc-RIB of `family`; returns that RIB. */
export function waitRoutes(
  n: PetrelNode,
  family: 'ipv4' | 'ipv6',
  pred: (routes: RouteInfo[]) => boolean,
  what: string,
  timeoutMs: number,
): Promise<RouteInfo[]> {
  return withLog(
    n,
    waitFor(
      async () => {
        const r = await petrelRoutes(n, family);
        return pred(r) && r;
      },
      timeoutMs,
      `${n.name}: ${what}`,
    ),
  );
}

/** The node's best paths of `family` as `prefix → [source, nextHops..., asPath]`, for whole-RIB comparisons. */
export function bestTable(routes: readonly RouteInfo[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of routes) if (r.best) out[r.prefix] = [r.source, ...r.nextHops, r.asPath];
  return out;
}
