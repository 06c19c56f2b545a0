/**
 * DOC: FRR 8 (zebra + bgpd) as a benchmark DUT, through the interop harness's FrrDriver: its renderer gives
 * `frr defaults datacenter`, `no bgp ebgp-requires-policy` (accept/export all) and per-neighbor timers and
 * `passive`; the driver runs bgpd with `-n` (no kernel routes) unless the FIB is on.
 */
import { FrrDriver } from '../../../interop-tests/lib/frr-driver';
import { missingBinaries } from '../../../interop-tests/lib/peer-binaries';
import type { Dut, DutSpec } from './dut';

/** FRR as a DUT. */
export class FrrDut implements Dut {
  readonly kind = 'frr' as const;
  readonly hasFib = true;
  private driver: FrrDriver | undefined;

  missing(): string[] {
    return missingBinaries('frr');
  }

  async version(): Promise<string> {
    return new FrrDriver('none', { name: 'v', routerId: '1.1.1.1', localAs: 1, neighbors: [] }).version();
  }

  async start(netns: string, spec: DutSpec): Promise<void> {
    this.driver = new FrrDriver(netns, {
      name: 'dut',
      routerId: spec.routerId,
      localAs: spec.localAs,
      fib: spec.fib,
      neighbors: spec.neighbors.map((n) => ({
        address: n.address, remoteAs: n.remoteAs, passive: true, holdTime: spec.holdTime, keepaliveTime: spec.keepaliveTime,
      })),
    });
    await this.driver.start();
  }

  rootPids(): number[] {
    return this.driver?.pids() ?? [];
  }

  logTail(): string {
    return '';
  }

  async stop(): Promise<void> {
    await this.driver?.stop();
    this.driver = undefined;
  }
}
