/**
 * DOC: where the FIB's route writes go: `RouteWriter` is the one operation it needs (`batch`), served either by a
 * NetlinkTransport on the main thread or by `ThreadedRouteWriter`, which hands each batch to a worker thread
 * (writer-worker.ts explains why: the kernel's insert cost runs in the thread that calls sendmsg).
 *
 * ThreadedRouteWriter: batches are posted in order and answered in order (the worker's transport serializes
 * them), so several may be in flight. A batch in shared memory (a SharedArrayBuffer, as the FIB's batches are:
 * NlWriter `shared`) is read by the thread in place, so the caller must leave it alone until the promise settles;
 * any other buffer is copied and the copy moved to the thread (free again as soon as `batch` returns). Why shared:
 * a million routes are ~64 MB of messages, and copies die in the thread's heap, whose rare GCs let dead buffers
 * pile up in the process's RSS. The worker's socket port is silenced in this process's
 * monitors (`silenceEchoes`), as the inline transport does for itself. If the worker dies, the batches in flight
 * reject with a FibError (the FIB then retries their prefixes) and the next batch starts a new worker.
 *
 * `createRouteWriter` picks the writer for the FIB's bulk phases: NativeRouteWriter (native-route-writer.ts: a
 * pthread of our addon, without the worker's ~18 MB isolate) when the addon has it, else ThreadedRouteWriter.
 * `PETREL_ROUTE_WRITER=worker` forces the worker (benchmarks, or a suspected addon fault).
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { FibError } from './errors';
import { silencePort, unsilencePort } from './monitor';
import type { BatchOptions, BatchResult, TransportOptions } from './transport';
import { NativeRouteWriter, hasNativeWriter } from './native-route-writer';
import { loadSockoptAddon } from '../../util/sockopt-addon';

/** What the FIB writes its routes through. */
export interface RouteWriter {
  batch(messages: Buffer, opts?: BatchOptions): Promise<BatchResult>;
  close(): void;
}

/** A route writer run off the event loop; `open` settles once it can take batches (rejects if it cannot start). */
export type OffloadedRouteWriter = RouteWriter & { open(): Promise<void> };

/**
 * A writer thread for bulk installs: native when the addon carries it (and `PETREL_ROUTE_WRITER` is not
 * `worker`), else a worker thread. A native writer that fails to open falls back to the worker.
 */
export function createRouteWriter(opts: TransportOptions = {}): OffloadedRouteWriter {
  const addon = process.env.PETREL_ROUTE_WRITER === 'worker' ? null : loadSockoptAddon();
  if (hasNativeWriter(addon)) {
    try {
      return new NativeRouteWriter(addon, opts);
    } catch {
      // no socket or thread from the addon: fall back to the worker, whose `open` reports its own failure
    }
  }
  return new ThreadedRouteWriter(opts);
}

interface Waiter {
  resolve: (r: BatchResult) => void;
  reject: (e: Error) => void;
}

/** Route writes on a worker thread. */
export class ThreadedRouteWriter implements RouteWriter {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private port: number | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();
  private closed = false;

  constructor(private readonly opts: TransportOptions = {}) {}

  /** Starts the worker and waits for its socket (so a failure to open it surfaces here). */
  async open(): Promise<void> {
    await this.start();
  }

  batch(messages: Buffer, opts: BatchOptions = {}): Promise<BatchResult> {
    if (this.closed) return Promise.reject(new FibError('route writer closed'));
    // Shared memory is read in place by the thread (the caller leaves it alone until the promise settles); other
    // buffers are copied and the copy's memory moved to the thread.
    const shared = messages.buffer instanceof SharedArrayBuffer;
    const bytes = shared ? messages : new Uint8Array(messages);
    return this.start().then(
      () =>
        new Promise<BatchResult>((resolve, reject) => {
          const id = this.nextId++;
          this.waiting.set(id, { resolve, reject });
          this.worker!.postMessage({ id, bytes, acks: opts.acks ?? 'errors' }, shared ? [] : [bytes.buffer as ArrayBuffer]);
        }),
    );
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopWorker(new FibError('route writer closed'));
  }

  private start(): Promise<void> {
    if (this.ready !== undefined) return this.ready;
    const w = new Worker(join(__dirname, 'writer-worker.js'), { workerData: { ...this.opts, silenceEchoes: false } });
    this.worker = w;
    this.ready = new Promise<void>((resolve, reject) => {
      w.on('message', (m: { ready?: number; id?: number; result?: BatchResult; error?: string }) => {
        if (m.ready !== undefined) {
          this.port = m.ready;
          if (this.opts.silenceEchoes) silencePort(m.ready);
          resolve();
          return;
        }
        const waiter = this.waiting.get(m.id!);
        this.waiting.delete(m.id!);
        if (m.result !== undefined) waiter?.resolve(m.result);
        else waiter?.reject(new FibError(`route write failed: ${m.error}`));
      });
      const fail = (err: FibError) => {
        if (this.worker !== w) return;
        reject(err);
        this.stopWorker(err);
      };
      w.on('error', (e) => fail(new FibError(`route writer thread failed: ${e.message}`)));
      w.on('exit', (code) => fail(new FibError(`route writer thread exited (code ${code})`)));
    });
    this.ready.catch(() => undefined);
    return this.ready;
  }

  /** Ends the current worker; its batches in flight reject with `err`; the next batch starts a new one. */
  private stopWorker(err: FibError): void {
    const w = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    if (this.port !== undefined && this.opts.silenceEchoes) unsilencePort(this.port);
    this.port = undefined;
    for (const waiter of this.waiting.values()) waiter.reject(err);
    this.waiting.clear();
    if (w !== undefined) void w.terminate();
  }
}
