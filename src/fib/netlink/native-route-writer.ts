/**
 * DOC: route writes on a native thread of our addon (native/nlwriter.c): the same protocol as NetlinkTransport's
 * batches (chunks + NLMSG_NOOP sentinel, failures only or an ACK per message, `unknown` after an overrun), run by a
 * pthread that owns its own NETLINK_ROUTE socket, so the kernel's insert cost stays off the event loop without the
 * ~18 MB V8 isolate a worker_thread (ThreadedRouteWriter) costs.
 *
 * Memory: the thread reads and stamps (seq, flags) the batch in place, whether it lives in a SharedArrayBuffer (the
 * FIB's NlWriter `shared`) or not; this object holds the buffer until the result arrives, and the caller must
 * leave it alone until the promise settles (the transport's rule). Batches run in submission order.
 * Event loop: the writer keeps the process alive only while batches are in flight. `close()` stops and joins the
 * thread before it returns; batches in flight reject with a FibError. The socket's port is silenced in this
 * process's monitors (`silenceEchoes`), as the other writers do.
 */
import { FibError } from './errors';
import { silencePort, unsilencePort } from './monitor';
import type { RouteWriter } from './route-writer';
import type { BatchOptions, BatchResult, TransportOptions } from './transport';
import type { NlWriterHandle, NlWriterResult, SockoptAddon } from '../../util/sockopt-addon';

type WriterAddon = SockoptAddon & Required<Pick<SockoptAddon, 'nlWriterOpen' | 'nlWriterPort' | 'nlWriterSubmit' | 'nlWriterRef' | 'nlWriterClose'>>;

/** Whether `addon` carries the native route writer. */
export function hasNativeWriter(addon: SockoptAddon | null): addon is WriterAddon {
  return addon !== null && typeof addon.nlWriterOpen === 'function' && typeof addon.nlWriterSubmit === 'function';
}

interface Waiter {
  resolve: (r: BatchResult) => void;
  reject: (e: Error) => void;
  /** Held so that the memory the thread works on stays alive until its result. */
  bytes: Buffer;
}

/** Route writes on a native thread with its own rtnetlink socket. */
export class NativeRouteWriter implements RouteWriter {
  private readonly handle: NlWriterHandle;
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 1;
  private closed = false;
  /** The socket's netlink port id (the `nlmsg_pid` of the kernel's notifications of this writer's routes). */
  readonly port: number;

  /** Opens the socket (in this process's network namespace) and starts the thread; throws if it cannot. */
  constructor(
    private readonly addon: WriterAddon,
    private readonly opts: TransportOptions = {},
  ) {
    this.handle = addon.nlWriterOpen(
      (id, result, errno) => this.done(id, result, errno),
      opts.recvBufferSize ?? 0,
      opts.sendBufferSize ?? 0,
      opts.maxChunkBytes ?? 0,
      opts.maxChunkMessages ?? 0,
      opts.timeoutMs ?? 0,
    );
    addon.nlWriterRef(this.handle, false);
    this.port = addon.nlWriterPort(this.handle);
    if (opts.silenceEchoes) silencePort(this.port);
  }

  /** Nothing to wait for (the socket opened in the constructor); for parity with ThreadedRouteWriter. */
  open(): Promise<void> {
    return this.closed ? Promise.reject(new FibError('route writer closed')) : Promise.resolve();
  }

  batch(messages: Buffer, opts: BatchOptions = {}): Promise<BatchResult> {
    if (this.closed) return Promise.reject(new FibError('route writer closed'));
    return new Promise<BatchResult>((resolve, reject) => {
      const id = this.nextId;
      this.nextId = (this.nextId + 1) | 0 || 1;
      if (this.waiting.size === 0) this.addon.nlWriterRef(this.handle, true);
      this.waiting.set(id, { resolve, reject, bytes: messages });
      try {
        this.addon.nlWriterSubmit(this.handle, id, messages, opts.acks === 'all');
      } catch (e) {
        this.waiting.delete(id);
        if (this.waiting.size === 0) this.addon.nlWriterRef(this.handle, false);
        reject(new FibError(`route write failed: ${e instanceof Error ? e.message : String(e)}`));
      }
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.addon.nlWriterClose(this.handle);
    if (this.opts.silenceEchoes) unsilencePort(this.port);
    const err = new FibError('route writer closed');
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }

  private done(id: number, result: NlWriterResult | null, errno: number): void {
    const w = this.waiting.get(id);
    if (w === undefined) return;
    this.waiting.delete(id);
    if (this.waiting.size === 0 && !this.closed) this.addon.nlWriterRef(this.handle, false);
    if (result !== null) w.resolve(result);
    else w.reject(new FibError('route write failed', errno));
  }
}
