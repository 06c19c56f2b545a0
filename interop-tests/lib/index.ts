/**
 * DOC: entry point of the interop harness: re-exports the driver contract, the drivers, the namespace
 * plumbing and `waitFor`, and `createPeer(kind, netns, spec)` to build a driver by kind. A test creates
 * namespaces (netns.ts), builds drivers, registers `stop()` with `t.teardown` before `start()`, and
 * asserts on the normalized `getRoutes`/`neighbors` output.
 */
import { BirdDriver } from './bird-driver.js';
import { FrrDriver } from './frr-driver.js';
import type { PeerDriver, PeerKind, RouterSpec } from './types.js';

export * from './types.js';
export * from './errors.js';
export { waitFor } from './wait-for.js';
export { createNetns, vethPair, addAddress, linkUp, listNetns, netnsPids, type Netns, type Teardownable } from './netns.js';
export { FrrDriver } from './frr-driver.js';
export { BirdDriver } from './bird-driver.js';
export { missingBinaries, bird1Dir } from './peer-binaries.js';
export { renderFrrBgpd, renderFrrZebra } from './frr-config.js';
export { renderBirdConfig, birdProtocolName } from './bird-config.js';
export { GobgpDriver, renderGobgpConfig, parseGobgpNeighbors, parseGobgpRib } from './gobgp-driver.js';
export { ExabgpDriver, renderExabgpConfig, parseExabgpStream, type ExabgpView } from './exabgp-driver.js';

/** Builds the driver for `kind` (not started). */
export function createPeer(kind: PeerKind, netns: string, spec: RouterSpec): PeerDriver {
  return kind === 'frr' ? new FrrDriver(netns, spec) : new BirdDriver(kind, netns, spec);
}
