/**
 * DOC: the control API server: gRPC (@grpc/grpc-js, service from proto/petrel.proto) on a unix socket.
 *
 * Owns the socket file: `startApiServer` creates the parent directory, refuses to take over a socket another
 * process still answers on, removes a stale one (a socket file nobody listens on, left by a crash), binds
 * `unix:<path>`, and `close()` shuts the server down and removes the file. Calls are read-only snapshots built by
 * `views.ts`; `ListRoutes` streams one path per message and waits for 'drain' when the client reads slowly, so a
 * large table never sits in memory as one response. Errors a caller can fix map to INVALID_ARGUMENT / NOT_FOUND;
 * anything else is INTERNAL and logged (never crashes the daemon).
 */
import { lstat, mkdir, unlink } from 'node:fs/promises';
import * as net from 'node:net';
import { dirname, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { BgpdError } from '../util/errors';
import { petrelService } from './service';
import { toProtoPeer, toProtoRoute, toProtoStatus, fromProtoQuery, type ProtoRouteQuery } from './wire';
import { ApiRequestError, peersView, routesView, statusView, type ApiDaemonView } from './views';

/** A running control API server. */
export interface ApiServer {
  /** Absolute path of the socket file. */
  readonly socketPath: string;
  /** Stops serving (in-flight calls get up to 1 s) and removes the socket file. */
  close(): Promise<void>;
}

/** Routes written between checks for a cancelled call / event-loop yields. */
const STREAM_SLICE = 1000;

/**
 * Starts the API for `daemon` on the unix socket `socketPath`. Throws `BgpdError` ERR_API_SOCKET_IN_USE when a live
 * server already answers there, ERR_API_SOCKET_PATH when the path exists and is not a socket, ERR_API_BIND when
 * gRPC cannot bind.
 */
export async function startApiServer(daemon: ApiDaemonView, socketPath: string, log?: Logger): Promise<ApiServer> {
  const path = resolve(socketPath);
  await mkdir(dirname(path), { recursive: true });
  await removeStaleSocket(path);
  const server = new grpc.Server();
  server.addService(petrelService().service, handlers(daemon, log));
  await new Promise<void>((ok, fail) => {
    server.bindAsync(`unix:${path}`, grpc.ServerCredentials.createInsecure(), (err) => {
      if (err) fail(new BgpdError('ERR_API_BIND', `cannot listen on ${path}: ${err.message}`, { cause: err }));
      else ok();
    });
  });
  let closed = false;
  return {
    socketPath: path,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await new Promise<void>((done) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          done();
        }, 1000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          done();
        });
      });
      await unlink(path).catch(() => undefined);
    },
  };
}

/** Removes a socket file nobody listens on; refuses a live one or a non-socket. */
async function removeStaleSocket(path: string): Promise<void> {
  const st = await lstat(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  if (!st) return;
  if (!st.isSocket()) throw new BgpdError('ERR_API_SOCKET_PATH', `${path} exists and is not a socket`);
  const live = await new Promise<boolean>((done) => {
    const s = net.connect(path);
    s.once('connect', () => {
      s.destroy();
      done(true);
    });
    s.once('error', () => done(false));
  });
  if (live) throw new BgpdError('ERR_API_SOCKET_IN_USE', `${path} is in use (is another petreld running?)`);
  await unlink(path);
}

function toServiceError(e: unknown, log: Logger | undefined, what: string): Partial<grpc.StatusObject> {
  if (e instanceof ApiRequestError) {
    return { code: e.code === 'ERR_API_NOT_FOUND' ? grpc.status.NOT_FOUND : grpc.status.INVALID_ARGUMENT, details: e.message };
  }
  log?.error({ err: e instanceof Error ? e.message : String(e), call: what }, 'control API call failed');
  return { code: grpc.status.INTERNAL, details: e instanceof Error ? e.message : String(e) };
}

function handlers(d: ApiDaemonView, log: Logger | undefined): grpc.UntypedServiceImplementation {
  const unary = <Req>(what: string, fn: (req: Req) => unknown): grpc.handleUnaryCall<Req, unknown> => (call, cb) => {
    try {
      cb(null, fn(call.request));
    } catch (e) {
      cb(toServiceError(e, log, what));
    }
  };
  return {
    GetStatus: unary('GetStatus', () => toProtoStatus(statusView(d, Date.now()))),
    ListPeers: unary<{ name?: string }>('ListPeers', (req) => ({ peers: peersView(d, Date.now(), req.name ?? '').map(toProtoPeer) })),
    ListRoutes: (call: grpc.ServerWritableStream<ProtoRouteQuery, unknown>) => {
      streamRoutes(d, call).catch((e: unknown) => {
        // grpc-js turns an 'error' event on a server stream into the call's final status.
        if (!call.cancelled) call.emit('error', toServiceError(e, log, 'ListRoutes'));
      });
    },
  };
}

async function streamRoutes(d: ApiDaemonView, call: grpc.ServerWritableStream<ProtoRouteQuery, unknown>): Promise<void> {
  const it = routesView(d, fromProtoQuery(call.request));
  let n = 0;
  for (const r of it) {
    if (call.cancelled) return;
    if (!call.write(toProtoRoute(r))) await writableAgain(call);
    if (++n % STREAM_SLICE === 0) await new Promise((ok) => setImmediate(ok));
  }
  call.end();
}

/** Resolves on 'drain', or when the call ends early (cancelled or closed), whichever comes first. */
function writableAgain(call: grpc.ServerWritableStream<ProtoRouteQuery, unknown>): Promise<void> {
  return new Promise((ok) => {
    const done = (): void => {
      for (const ev of ['drain', 'cancelled', 'close']) call.off(ev, done);
      ok();
    };
    for (const ev of ['drain', 'cancelled', 'close']) call.on(ev, done);
  });
}
