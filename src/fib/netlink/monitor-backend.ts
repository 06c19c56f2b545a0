/**
 * DOC: the contract between `monitor.ts` (subscribers, group routing, restarts) and the two ways of holding the
 * process's one multicast rtnetlink socket: in this process through the native addon (`monitor-native.ts`), or
 * in a child process (`monitor-process.ts`, the fallback when the addon is missing or too old).
 * Invariants: a backend delivers datagrams in the order the kernel queued them, reports lost notifications
 * (`overrun`: it carries on; `lost`: it is gone and monitor.ts starts another), and after `close()` calls nothing.
 */

/** Which implementation holds the monitor socket. */
export type MonitorImplementation = 'native' | 'child';

/** An open monitor socket. */
export interface MonitorBackend {
  readonly implementation: MonitorImplementation;
  /**
   * Joins `groups` (RtnlGroup values) and raises the receive buffer to `recvBufferSize` when that is larger than
   * the current one (0: leave it); resolves once they are joined.
   */
  join(groups: readonly number[], recvBufferSize: number): Promise<void>;
  /** From now on, drops the notifications caused by these netlink ports (in the kernel when it can). */
  ignorePorts(ports: readonly number[]): void;
  /** Closes the socket; pending joins reject. */
  close(): void;
}

/** What a backend reports to monitor.ts. */
export interface BackendEvents {
  /** One or more datagrams of whole netlink messages (each message 4-octet aligned). */
  data(dgrams: Buffer): void;
  /** Notifications were lost (ENOBUFS); the backend carries on with the same socket. */
  overrun(): void;
  /** The backend stopped by itself (its process died, its socket failed); its pending joins were rejected. */
  lost(): void;
}

/** How a backend is opened: the groups to join, SO_RCVBUF (0: default), the ports to silence. */
export interface BackendStart {
  groups: readonly number[];
  recvBufferSize: number;
  ignorePorts: readonly number[];
}
