/**
 * DOC: the rtnetlink socket driver: batched requests matched to their answers by sequence number, dumps, and
 * multicast monitors. The thin I/O half of the netlink layer; all bytes are built and parsed by `codec.ts`.
 *
 * Socket: the `netlink` package's RawNetlinkSocket (a small native addon over `socket(AF_NETLINK)` + libuv poll),
 * used for its socket only: its per-call request/ACK helpers cost a round trip per route (architecture §11).
 *
 * Batches: the caller hands in many encoded messages back to back (one NlWriter). The transport stamps their
 * sequence numbers, cuts them into chunks that fit the send buffer, and writes each chunk with one `sendmsg`
 * followed by an NLMSG_NOOP|NLM_F_ACK sentinel. rtnetlink runs every message of a `sendmsg` in order, inside the
 * syscall, so the sentinel's ACK means every earlier answer is already queued: that is when the chunk is done,
 * whatever the ACK mode. In `acks: 'errors'` mode (default, fastest) successful messages get no answer and only
 * failures come back (as NLMSG_ERROR with the failed request's seq); in `'all'` mode each message is ACKed.
 * One chunk is in flight at a time and a chunk holds at most receive-buffer / 1280 messages, so the answers always
 * fit the receive buffer. This is load-bearing: with netlink 0.3.0 a kernel overrun (ENOBUFS) on a socket makes
 * epoll report EPOLLERR, and the addon's poll callback then aborts the process (it builds its error with a NULL
 * syscall name: std::terminate). Should an overrun still happen with a fixed addon, the chunk's messages whose
 * fate is unknown are reported in `unknown` so that the FIB can resync from a dump. Dumps cannot overrun (the
 * kernel fills them as we read). Monitors can, by design, so they do not use this package's socket: `subscribe`
 * (re-exported from monitor.ts) reads them on a native thread of our addon, or in a child process without it.
 *
 * Namespaces: a netlink socket belongs to the network namespace of the process that opens it, and Node cannot
 * `setns(2)`. To drive another namespace, run the process inside it (`ip netns exec NS node ...`); the tests and
 * the benchmark start child processes that way.
 *
 * Invariants: requests, dumps and batches on one transport are serialized (the kernel allows one dump per
 * socket); a message buffer handed to `batch`/`request`/`dump` is modified in place (seq, NLM_F_ACK) and must not
 * be reused until the returned promise settles.
 */
import { RawNetlinkSocket } from 'netlink';
import { Errno, NLMSG_HDRLEN, NETLINK_ROUTE, NlFlag, NlMsgType } from './constants';
import { FibError } from './errors';
import { forEachMessage } from './header';
import { silencePort, unsilencePort } from './monitor';

/** Options of `NetlinkTransport.open` and `subscribe`. */
export interface TransportOptions {
  /** SO_RCVBUF to ask for (the kernel caps it at net.core.rmem_max and doubles it). Default 4 MiB. */
  recvBufferSize?: number;
  /** SO_SNDBUF to ask for (capped at net.core.wmem_max, doubled). Default 4 MiB. */
  sendBufferSize?: number;
  /** Upper bound on octets per `sendmsg`. Default: the send buffer less headroom. */
  maxChunkBytes?: number;
  /** Upper bound on messages per `sendmsg`. Default: receive buffer / 1280 octets, at least 4. */
  maxChunkMessages?: number;
  /** Milliseconds without an answer before an operation fails with ETIMEDOUT. Default 30 000. */
  timeoutMs?: number;
  /**
   * Drop the kernel's notifications of this socket's own writes in every monitor of this process (`subscribe`),
   * before they cross a pipe (the kernel stamps a notification with the port of the request that caused it). For a
   * bulk writer such as the FIB: a million route writes then cost each monitor process a read per route and its
   * consumer nothing. Default false.
   */
  silenceEchoes?: boolean;
}

/** How a batch wants its successes acknowledged. */
export interface BatchOptions {
  /** 'errors' (default): only failures are answered. 'all': every message is ACKed (counted in `acked`). */
  acks?: 'errors' | 'all';
}

/** One message of a batch that the kernel refused. */
export interface BatchFailure {
  /** Position of the message in the batch, from 0. */
  index: number;
  seq: number;
  /** Positive errno. */
  errno: number;
  /** The request's message type. */
  type: number;
  /** Extended ACK text, when the kernel gave one. */
  extMessage?: string;
}

/** Outcome of a batch: everything not in `failed` or `unknown` was applied. */
export interface BatchResult {
  count: number;
  failed: BatchFailure[];
  /** Indexes whose answer was lost to a receive-buffer overrun (ENOBUFS): resync them from a dump. */
  unknown: number[];
  /** ACKs with errno 0 received ('all' mode only; 0 otherwise). */
  acked: number;
}

const ETIMEDOUT = 110;
const EBUSY = 16;
const EINTR = 4;
const SENTINEL_LEN = NLMSG_HDRLEN;
/** Quiet time after an overrun before the replacement sentinel is sent (the receive queue has drained). */
const DRAIN_MS = 5;
/**
 * Kernel memory charged per queued answer (skb truesize of an NLMSG_ERROR echoing a route request, with extended
 * ACK text), rounded up: bounds messages per chunk so that the answers always fit the receive buffer.
 */
const ANSWER_COST = 1280;

interface Chunk {
  firstSeq: number;
  firstIndex: number;
  count: number;
  sentinels: Set<number>;
  answered: Uint8Array;
  overrun: boolean;
  done: () => void;
}

interface Pending {
  seq: number;
  kind: 'request' | 'dump';
  messages: Buffer[];
  /** Streaming dump: each reply message is handed here instead of being collected. */
  visit: ((msg: Buffer) => void) | undefined;
  interrupted: boolean;
  resolve: (v: Buffer[]) => void;
  reject: (e: Error) => void;
}

/** A request socket in the current network namespace. */
export class NetlinkTransport {
  private readonly sock: RawNetlinkSocket;
  private seq = (Math.random() * 0x7fffffff) >>> 0;
  private queue: Promise<unknown> = Promise.resolve();
  private chunk: Chunk | undefined;
  private result: BatchResult | undefined;
  private pending: Pending | undefined;
  private chunkReject: ((e: Error) => void) | undefined;
  private resendTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private silencedPort: number | undefined;
  private readonly maxChunkBytes: number;
  private readonly maxChunkMessages: number;
  private readonly timeoutMs: number;

  private constructor(opts: TransportOptions) {
    this.sock = new RawNetlinkSocket(NETLINK_ROUTE, {
      recvBufferSize: opts.recvBufferSize ?? 4 << 20,
      sendBufferSize: opts.sendBufferSize ?? 4 << 20,
    });
    const rcv = this.sock.getRecvBufferSize();
    const snd = this.sock.getSendBufferSize();
    // netlink_sendmsg refuses a datagram longer than sk_sndbuf − 32 with EMSGSIZE.
    this.maxChunkBytes = Math.min(opts.maxChunkBytes ?? Infinity, snd - 64 - SENTINEL_LEN);
    this.maxChunkMessages = opts.maxChunkMessages ?? Math.max(4, Math.floor(rcv / ANSWER_COST));
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.sock.on('message', (buf) => this.onData(buf));
    this.sock.on('error', (err) => this.onSocketError(err.errno));
    if (opts.silenceEchoes) {
      this.silencedPort = this.sock.address().port;
      silencePort(this.silencedPort);
    }
  }

  /** Opens an rtnetlink socket in this process's network namespace. */
  static open(opts: TransportOptions = {}): NetlinkTransport {
    return new NetlinkTransport(opts);
  }

  /** The effective chunk limits (for diagnostics and the benchmark). */
  get limits(): { maxChunkBytes: number; maxChunkMessages: number; recvBuffer: number; sendBuffer: number } {
    return {
      maxChunkBytes: this.maxChunkBytes,
      maxChunkMessages: this.maxChunkMessages,
      recvBuffer: this.sock.getRecvBufferSize(),
      sendBuffer: this.sock.getSendBufferSize(),
    };
  }

  /**
   * Sends every message in `messages` (encoded back to back) in as few `sendmsg` calls as the buffers allow and
   * reports which ones failed. Never rejects for a refused message; rejects only if the socket fails or closes.
   */
  batch(messages: Buffer, opts: BatchOptions = {}): Promise<BatchResult> {
    return this.enqueue(() => this.runBatch(messages, opts.acks ?? 'errors'));
  }

  /** Sends one request with NLM_F_ACK and waits for its answer; a refusal rejects with FibError(errno). */
  request(message: Buffer): Promise<void> {
    return this.enqueue(async () => {
      await this.exchange(message, 'request');
    });
  }

  /**
   * Runs a dump request (NLM_F_DUMP) and returns views of every reply message up to NLMSG_DONE. A dump the kernel
   * flags as interrupted (NLM_F_DUMP_INTR: the table changed meanwhile), that overran the receive buffer, or that
   * met EBUSY (the previous, overrun dump still running) is retried up to five times with a growing pause.
   */
  dump(request: Buffer): Promise<Buffer[]> {
    return this.enqueue(async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.exchange(request, 'dump');
        } catch (err) {
          // After an overrun the kernel may still be running the old dump (a new one gets EBUSY until it ends).
          const retry = err instanceof FibError && (err.errno === Errno.ENOBUFS || err.errno === EBUSY || err.errno === EINTR);
          if (!retry || attempt >= 5) throw err;
          await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
        }
      }
    });
  }

  /**
   * Like `dump`, but streams: `visit` gets a view of each reply message as its datagram arrives (valid during the
   * call only), so a dump of a million routes never holds a million views and the event loop turns between
   * datagrams. When the dump must be retried (see `dump`), `restart` is called first: the caller forgets what it
   * saw. Resolves with the number of messages of the attempt that completed.
   */
  dumpEach(request: Buffer, visit: (msg: Buffer) => void, restart?: () => void): Promise<number> {
    return this.enqueue(async () => {
      for (let attempt = 0; ; attempt++) {
        let n = 0;
        const counted = (m: Buffer): void => {
          n++;
          visit(m);
        };
        try {
          await this.exchange(request, 'dump', counted);
          return n;
        } catch (err) {
          const retry = err instanceof FibError && (err.errno === Errno.ENOBUFS || err.errno === EBUSY || err.errno === EINTR);
          if (!retry || attempt >= 5) throw err;
          await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
          restart?.();
        }
      }
    });
  }

  /** The socket's netlink port id: the `nlmsg_pid` of the kernel's notifications about this socket's own writes. */
  get port(): number {
    return this.sock.address().port;
  }

  /** Closes the socket; operations still pending reject. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.silencedPort !== undefined) unsilencePort(this.silencedPort);
    if (this.resendTimer !== undefined) clearTimeout(this.resendTimer);
    this.sock.close();
    this.failAll(new FibError('netlink transport closed'));
  }

  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new FibError('netlink transport closed'));
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private nextSeq(): number {
    this.seq = (this.seq + 1) >>> 0;
    if (this.seq === 0) this.seq = 1;
    return this.seq;
  }

  private sentinel(seq: number): Buffer {
    const b = Buffer.alloc(SENTINEL_LEN);
    b.writeUInt32LE(SENTINEL_LEN, 0);
    b.writeUInt16LE(NlMsgType.Noop, 4);
    b.writeUInt16LE(NlFlag.Request | NlFlag.Ack, 6);
    b.writeUInt32LE(seq, 8);
    return b;
  }

  private async runBatch(buf: Buffer, acks: 'errors' | 'all'): Promise<BatchResult> {
    const result: BatchResult = { count: 0, failed: [], unknown: [], acked: 0 };
    this.result = result;
    try {
      let off = 0;
      let index = 0;
      while (off + NLMSG_HDRLEN <= buf.length) {
        const start = off;
        const firstIndex = index;
        let firstSeq = 0;
        let n = 0;
        while (off + NLMSG_HDRLEN <= buf.length && n < this.maxChunkMessages) {
          const len = buf.readUInt32LE(off);
          if (len < NLMSG_HDRLEN || off + len > buf.length) throw new FibError(`batch message ${index} is malformed (length ${len})`);
          const padded = (len + 3) & ~3;
          if (n > 0 && off + padded - start > this.maxChunkBytes) break;
          const seq = this.nextSeq();
          if (n === 0) firstSeq = seq;
          buf.writeUInt32LE(seq, off + 8);
          const flags = buf.readUInt16LE(off + 6) | NlFlag.Request;
          buf.writeUInt16LE(acks === 'all' ? flags | NlFlag.Ack : flags & ~NlFlag.Ack, off + 6);
          off += padded;
          n++;
          index++;
        }
        await this.sendChunk(buf.subarray(start, Math.min(off, buf.length)), firstSeq, firstIndex, n, result);
        // The kernel runs a chunk inside sendmsg, on this thread: let the event loop turn between chunks.
        if (off + NLMSG_HDRLEN <= buf.length) await new Promise<void>((r) => setImmediate(r));
      }
      result.count = index;
      return result;
    } finally {
      this.result = undefined;
    }
  }

  private sendChunk(data: Buffer, firstSeq: number, firstIndex: number, count: number, result: BatchResult): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const sentinelSeq = this.nextSeq();
      const timer = setTimeout(() => {
        this.chunk = undefined;
        reject(new FibError('netlink batch got no answer', ETIMEDOUT));
      }, this.timeoutMs);
      const chunk: Chunk = {
        firstSeq,
        firstIndex,
        count,
        sentinels: new Set([sentinelSeq]),
        answered: new Uint8Array(count),
        overrun: false,
        done: () => {
          clearTimeout(timer);
          if (this.resendTimer !== undefined) clearTimeout(this.resendTimer);
          this.resendTimer = undefined;
          this.chunk = undefined;
          if (chunk.overrun)
            for (let i = 0; i < count; i++) if (!chunk.answered[i]) result.unknown.push(firstIndex + i);
          resolve();
        },
      };
      this.chunk = chunk;
      this.chunkReject = (e) => {
        clearTimeout(timer);
        this.chunk = undefined;
        reject(e);
      };
      this.sock.send([data, this.sentinel(sentinelSeq)], undefined, (err) => {
        if (!err) return;
        // Nothing of this chunk ran: every message failed with the send's errno.
        let i = 0;
        forEachMessage(data, (off) => {
          chunk.answered[i] = 1;
          result.failed.push({ index: firstIndex + i, seq: (firstSeq + i) >>> 0, errno: err.errno, type: data.readUInt16LE(off + 4) });
          i++;
        });
        chunk.done();
      });
    });
  }

  private exchange(message: Buffer, kind: 'request' | 'dump', visit?: (msg: Buffer) => void): Promise<Buffer[]> {
    return new Promise<Buffer[]>((resolve, reject) => {
      const seq = this.nextSeq();
      message.writeUInt32LE(seq, 8);
      if (kind === 'request') message.writeUInt16LE(message.readUInt16LE(6) | NlFlag.Request | NlFlag.Ack, 6);
      const timer = setTimeout(() => {
        this.pending = undefined;
        reject(new FibError(`netlink ${kind} got no answer`, ETIMEDOUT, message.readUInt16LE(4), seq));
      }, this.timeoutMs);
      this.pending = {
        seq,
        kind,
        messages: [],
        visit,
        interrupted: false,
        resolve: (v) => {
          clearTimeout(timer);
          this.pending = undefined;
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          this.pending = undefined;
          reject(e);
        },
      };
      this.sock.send(message, undefined, (err) => {
        if (err) this.pending?.reject(new FibError(`netlink ${kind} send failed`, err.errno, message.readUInt16LE(4), seq));
      });
    });
  }

  private onData(buf: Buffer): void {
    if (this.resendTimer !== undefined) this.armResend();
    forEachMessage(buf, (off, len) => {
      const type = buf.readUInt16LE(off + 4);
      const seq = buf.readUInt32LE(off + 8);
      const chunk = this.chunk;
      if (chunk !== undefined && type === NlMsgType.Error) {
        if (chunk.sentinels.has(seq)) {
          chunk.done();
          return;
        }
        const i = (seq - chunk.firstSeq) >>> 0;
        if (i < chunk.count) {
          const errno = -buf.readInt32LE(off + NLMSG_HDRLEN);
          chunk.answered[i] = 1;
          if (errno === 0) this.result!.acked++;
          else {
            const failure: BatchFailure = { index: chunk.firstIndex + i, seq, errno, type: buf.readUInt16LE(off + NLMSG_HDRLEN + 4 + 4) };
            this.result!.failed.push(failure);
          }
          return;
        }
      }
      const p = this.pending;
      if (p === undefined || seq !== p.seq) return;
      if (type === NlMsgType.Error) {
        const errno = -buf.readInt32LE(off + NLMSG_HDRLEN);
        if (errno === 0) p.resolve(p.messages);
        else p.reject(new FibError(`netlink ${p.kind} refused`, errno, buf.readUInt16LE(off + NLMSG_HDRLEN + 4 + 4), seq));
        return;
      }
      if (type === NlMsgType.Done) {
        if (p.interrupted) p.reject(new FibError('dump interrupted (NLM_F_DUMP_INTR)', EINTR));
        else p.resolve(p.messages);
        return;
      }
      if (buf.readUInt16LE(off + 6) & NlFlag.DumpIntr) p.interrupted = true;
      if (p.visit === undefined) p.messages.push(buf.subarray(off, off + len));
      else {
        try {
          p.visit(buf.subarray(off, off + len));
        } catch (e) {
          p.reject(e instanceof Error ? e : new FibError(String(e)));
        }
      }
    });
  }

  private onSocketError(errno: number): void {
    if (errno !== Errno.ENOBUFS) {
      this.failAll(new FibError('netlink socket error', errno));
      return;
    }
    // The kernel dropped answers, perhaps the sentinel's too. Once the receive queue has drained (no datagram for
    // DRAIN_MS), send a fresh sentinel; its ACK ends the chunk and what went unanswered is reported as unknown.
    // Sending it at once would livelock: the queue is still full, so it would be dropped and overrun again.
    const chunk = this.chunk;
    if (chunk !== undefined) {
      chunk.overrun = true;
      this.armResend();
    }
    this.pending?.reject(new FibError(`netlink ${this.pending.kind} answer lost`, Errno.ENOBUFS));
  }

  private armResend(): void {
    if (this.resendTimer !== undefined) clearTimeout(this.resendTimer);
    this.resendTimer = setTimeout(() => {
      this.resendTimer = undefined;
      const chunk = this.chunk;
      if (chunk === undefined || this.closed) return;
      const seq = this.nextSeq();
      chunk.sentinels.add(seq);
      this.sock.send(this.sentinel(seq), undefined, () => undefined);
    }, DRAIN_MS);
  }

  private failAll(err: Error): void {
    if (this.chunk !== undefined) this.chunkReject?.(err);
    this.pending?.reject(err);
  }
}

export { subscribe, type Monitor, type MonitorHandlers } from './monitor';
