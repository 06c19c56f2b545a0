/**
 * DOC: in-process BGP speakers over loopback for tests: a speaker (interner, IPv4/IPv6 Loc-RIBs, its peers and a
 * listener that hands connections to them), a compact peer configuration, and a polling `waitFor`.
 * Loopback next hops are martians (RFC 4271 §6.3), so peers advertise 192.0.2.x (documentation) as "self".
 */
import type { Logger } from 'pino';
import { AttrInterner } from '../../src/rib/attrs/intern';
import { LocRib } from '../../src/rib/loc-rib';
import type { Peer, PeerConfig } from '../../src/bgp/peer';
import { Listener } from '../../src/bgp/session/listener';
import { IPV4_UNICAST, IPV6_UNICAST, type Family } from '../../src/bgp/family';
import { DEFAULT_BEST_PATH_OPTIONS } from '../../src/rib/best-path';

export interface Speaker {
  interner: AttrInterner;
  ribs: Map<Family, LocRib>;
  peers: Peer[];
  listener: Listener;
}

export function speaker(log: Logger): Speaker {
  const interner = new AttrInterner();
  const ribs = new Map<Family, LocRib>([
    [IPV4_UNICAST, new LocRib(IPV4_UNICAST, interner, DEFAULT_BEST_PATH_OPTIONS)],
    [IPV6_UNICAST, new LocRib(IPV6_UNICAST, interner, DEFAULT_BEST_PATH_OPTIONS)],
  ]);
  const peers: Peer[] = [];
  const listener = new Listener((addr) => peers.find((p) => p.config.peerAddress === addr)?.session, log);
  return { interner, ribs, peers, listener };
}

export function peerConfig(name: string, local: { as: number; id: string; addr: string }, remote: { as: number; addr: string; port: number }, passive: boolean): PeerConfig {
  return {
    name, peerAddress: remote.addr, peerPort: remote.port, localAddress: local.addr,
    settings: { localAs: local.as, peerAs: remote.as, routerId: local.id, holdTime: 9, families: [IPV4_UNICAST] },
    fsm: { connectRetryTime: 1, holdTime: 9, passive, idleHoldTime: 1, idleHoldTimeMax: 2, allowAutomaticStart: true },
    ibgp: local.as === remote.as, nextHopMode: 'auto', rrClient: false, clusterId: null, allowLocalAs: 0,
    nextHopAddress: local.addr.replace(/^127\.0\.0\./, '192.0.2.'),
  };
}

export async function waitFor(what: string, fn: () => boolean, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
