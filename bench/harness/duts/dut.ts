/**
 * DOC: the device-under-test contract of the benchmark: one BGP daemon (Petrel, BIRD 2, BIRD 1.6, FRR or
 * OpenBGPD) started in a namespace with an equivalent configuration rendered from one `DutSpec`.
 *
 * Equivalence: every DUT accepts everything from every neighbor and exports everything to every eBGP neighbor
 * (iBGP routes are never re-advertised to iBGP peers, RFC 4271 §9.1.2), leaves the sessions passive where the
 * daemon can (the helpers always connect), uses the spec's hold/keepalive timers, and installs best routes into
 * the main table when `fib` is on (BIRD: a kernel protocol exporting all, or none; FRR: zebra, `bgpd -n` for
 * off; Petrel: PetrelConfiguration fib.enabled; OpenBGPD has no Linux FIB). Next hops of learned routes are
 * on-link (gateway direct) everywhere.
 */

/** The daemons the harness can drive. */
export type DutKind = 'petrel' | 'bird2' | 'bird1' | 'frr' | 'openbgpd';

/** Every kind, in report order. */
export const DUT_KINDS: readonly DutKind[] = ['petrel', 'bird2', 'bird1', 'frr', 'openbgpd'];

/** One neighbor of the DUT. */
export interface DutNeighbor {
  address: string;
  remoteAs: number;
}

/** What every DUT is configured from. */
export interface DutSpec {
  localAs: number;
  routerId: string;
  neighbors: DutNeighbor[];
  /** Install best routes into the main table. */
  fib: boolean;
  holdTime: number;
  keepaliveTime: number;
}

/** Per-kind options from the command line. */
export interface DutOptions {
  /** Petrel: extra node flags (e.g. `--cpu-prof`). */
  nodeFlags?: string[];
  /** Petrel: directory for `--cpu-prof` output. */
  profileDir?: string;
  /** Copy each run's DUT log here before its temp dir is removed (`--log-dir`). */
  logDir?: string;
}

/** Event-loop delay of a DUT since its start, ms. */
export interface DutLoopLag {
  p99Ms?: number;
  maxMs?: number;
}

/** A started (or startable) DUT. */
export interface Dut {
  readonly kind: DutKind;
  /** Binaries that are missing (empty when the DUT can run). */
  missing(): string[];
  version(): Promise<string>;
  /** Whether this DUT can program the Linux FIB at all. */
  readonly hasFib: boolean;
  /** Starts the daemon(s) in `netns`; resolves once they run. */
  start(netns: string, spec: DutSpec): Promise<void>;
  /** Root pids of the daemon processes (children are found by the sampler). */
  rootPids(): number[];
  /** Petrel only: the event-loop lag p99 in ms from `petrel show status --json`, if the daemon reports it. */
  loopLagP99Ms?(): Promise<number | undefined>;
  /** Petrel only: the event-loop lag since start (p99 and max) from `petrel show status --json`. */
  loopLag?(): Promise<DutLoopLag | undefined>;
  /** The daemon's log tail, for error messages. */
  logTail(): string;
  /** Log lines at warning level or above, as `N× message`, most frequent first (empty when none or unknown). */
  logProblems?(): string[];
  /** The daemon's log files (to keep with `--log-dir`). */
  logFiles?(): string[];
  stop(): Promise<void>;
}
