/**
 * DOC: the in-process monitor backend: the multicast rtnetlink socket is opened by the native addon
 * (native/nlmonitor.c) and read by a thread of its own, which hands each burst of datagrams to the event loop.
 *
 * Why: the child-process backend costs a whole node process (~50 MB RSS) per Petrel process, only because the
 * `netlink` package aborts on an overrun. The native reader treats ENOBUFS as an event (`overrun`: subscribers
 * resync from a dump) and keeps reading the same socket; a socket failure (never seen in practice) is `lost`.
 * Echo filter: the ports to ignore become a classic BPF program (echo-filter.ts) attached to the socket, so the
 * notifications of Petrel's own writes are dropped in the kernel; if attaching fails they are dropped by
 * monitor.ts in JS. Joins and the buffer size are setsockopt calls on the main thread, done when they return.
 */
import { echoFilterProgram } from './echo-filter';
import type { BackendEvents, BackendStart, MonitorBackend } from './monitor-backend';
import type { SockoptAddon } from '../../util/sockopt-addon';

const EV_DATA = 0;
const EV_OVERRUN = 1;
/** SO_RCVBUF when no subscriber asks for one. */
const DEFAULT_RECV_BUFFER = 4 << 20;

/** Whether `addon` carries the native monitor. */
export function hasNativeMonitor(addon: SockoptAddon | null): addon is SockoptAddon & Required<Pick<SockoptAddon, 'nlMonitorOpen'>> {
  return addon !== null && typeof addon.nlMonitorOpen === 'function';
}

/**
 * Opens the socket in this process's network namespace, sets its buffer and filter, joins `start.groups` (all
 * done when this returns). Throws (an Error with the errno name as `code`) when the socket cannot be opened.
 */
export function openNativeMonitor(addon: SockoptAddon, start: BackendStart, events: BackendEvents): MonitorBackend {
  let closed = false;
  const h = addon.nlMonitorOpen!((batch, event) => {
    if (closed) return;
    try {
      if (event === EV_DATA) events.data(batch!);
      else if (event === EV_OVERRUN) events.overrun();
      else {
        backend.close();
        events.lost();
      }
    } catch (e) {
      // Node-API only warns about an exception thrown into a threadsafe function's call: rethrow it as uncaught.
      process.nextTick(() => {
        throw e;
      });
    }
  });
  let recvBuffer = 0;
  let filterFailed = false;
  const setRecvBuffer = (size: number): void => {
    if (size * 2 <= recvBuffer) return; // the kernel reports twice what was set
    recvBuffer = addon.nlMonitorRecvBuffer!(h, size);
  };
  const backend: MonitorBackend = {
    implementation: 'native',
    join: (groups, recvBufferSize) => {
      try {
        if (recvBufferSize > 0) setRecvBuffer(recvBufferSize);
        for (const g of groups) addon.nlMonitorJoin!(h, g);
        return Promise.resolve();
      } catch (e) {
        return Promise.reject(e);
      }
    },
    ignorePorts: (ports) => {
      if (filterFailed || closed) return;
      try {
        addon.attachFilter(addon.nlMonitorFd!(h), echoFilterProgram(ports));
      } catch (e) {
        filterFailed = true;
        process.stderr.write(`petrel monitor: socket filter not attached (${e instanceof Error ? e.message : String(e)}); filtering in JS\n`);
      }
    },
    close: () => {
      if (closed) return;
      closed = true;
      addon.nlMonitorClose!(h);
    },
  };
  try {
    setRecvBuffer(start.recvBufferSize || DEFAULT_RECV_BUFFER);
    if (start.ignorePorts.length > 0) backend.ignorePorts(start.ignorePorts);
    for (const g of start.groups) addon.nlMonitorJoin!(h, g);
  } catch (e) {
    backend.close();
    throw e;
  }
  return backend;
}
