/**
 * DOC: Petrel's daemon-local settings with their defaults applied (the `PetrelConfiguration` kind).
 *
 * Owns the defaults, which mirror what calico-node's BIRD does today (contract §2, §4.2, §4.8, §7): control
 * sockets at /var/run/calico/bird{,6}.ctl, kernel routes with protocol 12 (RTPROT_BIRD) in the main table with
 * ECMP merge and a 2 s scan, hold 240 s, connect delay 2 s / retry 5 s, error wait 5..30 s, graceful restart on
 * with restart time 120 s and gr_wait 240 s. Every field is optional in YAML; see config/example-cluster.yaml.
 */
import type { PetrelConfiguration, PetrelSettingsInput } from './resources';

/** The fully-defaulted daemon settings. Durations are seconds. */
export interface PetrelSettings {
  /** This daemon's node name (env NODENAME wins over it; see deriveNodeConfig). */
  nodeName?: string;
  /** Overrides the BGP listen address (otherwise BGPConfiguration.bindMode decides). */
  listenAddress?: string;
  /** Overrides the BGP listen port (otherwise BGPConfiguration listenPort, else 179). */
  listenPort?: number;
  /** Overrides the router id (wins over CALICO_ROUTER_ID and the node IPv4 address). */
  routerId?: string;
  /** BIRD-compatible control socket for IPv4 (`bird.ctl`). */
  controlSocket: string;
  /** BIRD-compatible control socket for IPv6 (`bird6.ctl`). */
  controlSocketV6: string;
  /** `host:port` of the gRPC API; empty string disables it. */
  apiListen: string;
  logLevel: PetrelSettingsInput['logLevel'];
  /** `learn`: run BIRD's kernel `learn` and `direct` protocols beside the FIB (Calico's config has both). */
  fib: { enabled: boolean; table: number; protocol: number; mergePaths: boolean; scanTime: number; learn: boolean; nexthopObjects: boolean };
  timers: {
    holdTime: number;
    /** Undefined means hold/3 (BIRD default) unless a peer sets keepaliveTime. */
    keepaliveTime?: number;
    connectDelayTime: number;
    connectRetryTime: number;
    errorWaitMin: number;
    errorWaitMax: number;
  };
  gracefulRestart: { enabled: boolean; restartTime: number; waitTime: number };
  /**
   * Tunnel devices (`tunl0`, `vxlan.calico`). Default `off` for both: inside calico-node Felix owns these devices and
   * their routes, and two owners would fight. `auto` (Petrel without Felix) manages a device when an IPPool uses
   * its encapsulation. MTUs default to Calico's classic 1440 (IPIP) and 1410 (VXLAN); VNI 4096, UDP port 4789.
   */
  tunnels: { ipip: 'auto' | 'off'; vxlan: 'auto' | 'off'; ipipMtu: number; vxlanMtu: number; vxlanVni: number; vxlanPort: number };
}

/** RTPROT_BIRD: the rtm_protocol Felix recognises as BIRD's (contract §2.3). */
export const RTPROT_BIRD = 12;
/** The Linux main routing table. */
export const RT_TABLE_MAIN = 254;

/** Applies defaults to an optional PetrelConfiguration. */
export function resolvePetrelSettings(p?: PetrelConfiguration): PetrelSettings {
  const s = p?.spec ?? {};
  const out: PetrelSettings = {
    controlSocket: s.controlSocket ?? '/var/run/calico/bird.ctl',
    controlSocketV6: s.controlSocketV6 ?? '/var/run/calico/bird6.ctl',
    apiListen: s.apiListen ?? '127.0.0.1:50051',
    logLevel: s.logLevel ?? 'info',
    fib: {
      enabled: s.fib?.enabled ?? true,
      table: s.fib?.table ?? RT_TABLE_MAIN,
      protocol: s.fib?.protocol ?? RTPROT_BIRD,
      mergePaths: s.fib?.mergePaths ?? true,
      scanTime: s.fib?.scanTime ?? 2,
      learn: s.fib?.learn ?? true,
      nexthopObjects: s.fib?.nexthopObjects ?? true,
    },
    timers: {
      holdTime: s.timers?.holdTime ?? 240,
      connectDelayTime: s.timers?.connectDelayTime ?? 2,
      connectRetryTime: s.timers?.connectRetryTime ?? 5,
      errorWaitMin: s.timers?.errorWaitMin ?? 5,
      errorWaitMax: s.timers?.errorWaitMax ?? 30,
    },
    gracefulRestart: {
      enabled: s.gracefulRestart?.enabled ?? true,
      restartTime: s.gracefulRestart?.restartTime ?? 120,
      waitTime: s.gracefulRestart?.waitTime ?? 240,
    },
    tunnels: {
      ipip: s.tunnels?.ipip ?? 'off',
      vxlan: s.tunnels?.vxlan ?? 'off',
      ipipMtu: s.tunnels?.ipipMtu ?? 1440,
      vxlanMtu: s.tunnels?.vxlanMtu ?? 1410,
      vxlanVni: s.tunnels?.vxlanVni ?? 4096,
      vxlanPort: s.tunnels?.vxlanPort ?? 4789,
    },
  };
  if (s.timers?.keepaliveTime !== undefined) out.timers.keepaliveTime = s.timers.keepaliveTime;
  if (s.nodeName !== undefined) out.nodeName = s.nodeName;
  if (s.listenAddress !== undefined) out.listenAddress = s.listenAddress;
  if (s.listenPort !== undefined) out.listenPort = s.listenPort;
  if (s.routerId !== undefined) out.routerId = s.routerId;
  return out;
}
