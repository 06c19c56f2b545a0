/**
 * DOC: maps one derived Calico peer (`config/node-config.ts` PeerConfig) and the daemon settings to the speaker's
 * `PeerConfig`: OPEN settings, FSM timers (BIRD/Calico defaults: hold 240, connect retry 5, error wait 5..30,
 * connect delay 2), families (a peer of an IPv4 address carries IPv4 unicast, of an IPv6 address IPv6 unicast, as
 * calico-node's separate bird/bird6 do), ADD-PATH (Calico's `add paths on`: send and receive), graceful restart,
 * and socket security: the resolved MD5 password, GTSM hop count and multihop TTL (`ttl security on; multihop N` /
 * `ttl security off; multihop`), which bgp/session/socket-options.ts applies.
 */
import type { NodeBgpConfig, PeerConfig as CalicoPeer } from '../config/node-config';
import type { PeerConfig } from '../bgp/peer';
import { IPV4_UNICAST, IPV6_UNICAST } from '../bgp/family';

export function speakerPeerConfig(node: NodeBgpConfig, p: CalicoPeer): PeerConfig {
  const d = node.daemon;
  const family = p.family === 'ipv4' ? IPV4_UNICAST : IPV6_UNICAST;
  const hold = d.timers.holdTime;
  const keepalive = p.keepaliveTime ?? d.timers.keepaliveTime;
  return {
    name: p.name,
    peerAddress: p.peerIp,
    peerPort: p.port ?? 179,
    localAddress: p.sourceAddress,
    settings: {
      localAs: p.localAs,
      peerAs: p.peerAs,
      routerId: node.routerId,
      holdTime: hold,
      families: [family],
      addPath: new Map([[family, 3]]),
      routeRefresh: true,
      gracefulRestart: d.gracefulRestart.enabled
        ? { restartTime: p.gracefulRestartTime ?? d.gracefulRestart.restartTime, restarting: false, forwarding: d.fib.enabled }
        : undefined,
      softwareVersion: 'Petrel/0.1.0',
    },
    fsm: {
      connectRetryTime: d.timers.connectRetryTime,
      holdTime: hold,
      keepaliveTime: keepalive,
      passive: p.passive,
      idleHoldTime: d.timers.errorWaitMin,
      idleHoldTimeMax: d.timers.errorWaitMax,
      connectDelayTime: d.timers.connectDelayTime,
      allowAutomaticStart: true,
    },
    ibgp: p.internal,
    nextHopMode: p.nextHopMode,
    rrClient: p.rrClient,
    clusterId: p.rrClient && p.rrClusterId ? p.rrClusterId : null,
    allowLocalAs: p.allowLocalAs ?? 0,
    gracefulRestartStaleTime: d.gracefulRestart.waitTime,
    ...(p.password?.resolved ? { password: p.password.value } : {}),
    ...(p.ttlSecurity ? { ttlSecurity: p.ttlSecurity } : {}),
    multihop: p.multihop,
  };
}
