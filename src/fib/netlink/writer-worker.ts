/**
 * DOC: the body of the route-writer thread (`route-writer.ts` starts it): owns one rtnetlink request socket and
 * runs the batches the main thread posts, in order, answering each with its BatchResult.
 *
 * Why a thread: rtnetlink executes every message of a `sendmsg` inside the syscall, in the sender's thread, so the
 * kernel's cost of installing routes (≈ 4 µs a route on this kind of machine: a million routes is 4 s of kernel
 * time) lands on whichever thread calls sendmsg. Here that is this worker, on the second core, while the main
 * thread goes on with BGP; and a trie resize that takes hundreds of milliseconds inside one sendmsg no longer stalls
 * keepalives. The `netlink` package's addon is an N-API module with per-environment state, so it loads in a worker.
 *
 * Protocol (worker_threads messages): in `{ id, bytes: Uint8Array, acks }`; out first `{ ready: port }` (the
 * socket's netlink port id, which the main thread silences in the monitors), then `{ id, result }` or
 * `{ id, error }` per batch, in the order posted. workerData: TransportOptions.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { NetlinkTransport, type TransportOptions } from './transport';

interface Job {
  id: number;
  bytes: Uint8Array;
  acks: 'errors' | 'all';
}

const port = parentPort!;
const transport = NetlinkTransport.open({ ...(workerData as TransportOptions), silenceEchoes: false });
port.postMessage({ ready: transport.port });
port.on('message', (job: Job) => {
  const buf = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
  transport.batch(buf, { acks: job.acks }).then(
    (result) => port.postMessage({ id: job.id, result }),
    (err: Error) => port.postMessage({ id: job.id, error: err.message }),
  );
});
