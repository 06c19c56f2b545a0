/**
 * DOC: the FIB's public types: its options (from settings.fib plus the daemon's hooks), the kernel policies it
 * applies, and the counters it exposes for `petrel show status`.
 */
import type { Logger } from 'pino';
import type { TransportOptions } from './netlink/transport';
import type { CompiledPolicy } from '../rib/policy/policy';

/** Kernel policies per family (Calico's calico_kernel_programming); undefined accepts every route unchanged. */
export interface KernelPolicies {
  v4?: CompiledPolicy;
  v6?: CompiledPolicy;
}

export interface FibOptions {
  /** Routing table (settings.fib.table; 254 = main). */
  table: number;
  /** rtm_protocol of our routes (settings.fib.protocol; 12 = bird). */
  protocol: number;
  /** Install ECMP sets as one multipath route. */
  mergePaths: boolean;
  /** Seconds between safety-net scans while the monitor is down (settings.fib.scanTime); at least 60 while it works; 0 disables them. */
  scanTime: number;
  kernelPolicies?: KernelPolicies;
  /** First-convergence test, polled; default: converged at once. */
  converged?: () => boolean;
  /** Stale adopted routes are removed at the latest this long after start. */
  convergenceTimeoutMs: number;
  log?: Logger;
  transport?: TransportOptions;
  /** Route-writer threads for bulk installs, a power of two (default 1); 0: always the event loop's thread. */
  writerThreads?: number;
  /** Kernel nexthop objects for single-next-hop routes when the kernel has them (default true; nexthop-objects.ts). */
  nexthopObjects?: boolean;
  /** Prefixes waiting that start the writer threads (default 20 000). */
  writerThreadBacklog?: number;
  /** Idle milliseconds after which the writer threads end (default 30 000). */
  writerThreadIdleMs?: number;
  /** Prefixes evaluated per slice (default 8192). */
  sliceSize?: number;
}

/** FIB counters for `petrel show status`. */
export interface FibCounters {
  /** Routes of ours the kernel holds (as far as we know), adopted ones included. */
  installed: number;
  /** Prefixes waiting to be evaluated or written. */
  pending: number;
  /** Prefixes whose last write the kernel refused (retried with back-off). */
  failed: number;
  /** Best routes kept out of the kernel because no next hop resolves. */
  unresolved: number;
  /** Adopted routes not yet confirmed by the Loc-RIB (until convergence). */
  adopted: number;
  converged: boolean;
  /** Route-writer threads running now (0: the event loop's thread writes). */
  writerThreads?: number;
  /** Kernel nexthop objects of ours in use (0 when disabled or unsupported). */
  nexthopObjects: number;
  /** Route messages sent: replaces and deletes. */
  replaces: number;
  deletes: number;
  /** Prefixes rewritten because someone else changed or removed them. */
  repairs: number;
  scans: number;
}
