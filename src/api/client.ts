/**
 * DOC: a small typed client of the control API (what `petrel show` uses; tests use it too).
 *
 * `connect` first opens the unix socket itself, so a daemon that is not running gives one short reason
 * (`ApiUnreachableError`: "cannot reach petreld at PATH: socket not found") instead of gRPC's retry diagnostics.
 * Every call has a deadline. Results are the `types.ts` records, normalised by `wire.ts`.
 */
import * as net from 'node:net';
import { resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { BgpdError } from '../util/errors';
import { DEFAULT_SOCKET_PATH } from './paths';
import { petrelService } from './service';
import type { PeerInfo, RouteInfo, RouteQuery, StatusInfo } from './types';
import { fromProtoPeer, fromProtoRoute, fromProtoStatus, toProtoQuery } from './wire';

/** The daemon's socket cannot be reached (not running, wrong path, no permission). */
export class ApiUnreachableError extends BgpdError {
  constructor(readonly socketPath: string, readonly reason: string) {
    super('ERR_API_UNREACHABLE', `cannot reach petreld at ${socketPath}: ${reason}`);
  }
}

/** The daemon answered a call with an error status (e.g. NOT_FOUND for an unknown peer). */
export class ApiCallError extends BgpdError {
  constructor(readonly grpcCode: number, message: string) {
    super('ERR_API_CALL', message);
  }
}

export interface ClientOptions {
  /** Per-call deadline in ms (default 10000). */
  timeoutMs?: number;
}

const REASONS: Record<string, string> = {
  ENOENT: 'socket not found',
  ECONNREFUSED: 'connection refused',
  EACCES: 'permission denied',
  ENOTSOCK: 'not a socket',
};

/** Opens and closes the socket once; resolves or throws `ApiUnreachableError`. */
function probe(path: string, timeoutMs: number): Promise<void> {
  return new Promise((ok, fail) => {
    const s = net.connect(path);
    const timer = setTimeout(() => {
      s.destroy();
      fail(new ApiUnreachableError(path, 'timed out'));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.destroy();
      ok();
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      fail(new ApiUnreachableError(path, (e.code && REASONS[e.code]) || e.message));
    });
  });
}

type Callback = (err: grpc.ServiceError | null, res: unknown) => void;
interface RawClient extends grpc.Client {
  GetStatus(req: object, opts: grpc.CallOptions, cb: Callback): void;
  ListPeers(req: object, opts: grpc.CallOptions, cb: Callback): void;
  ListRoutes(req: object, opts: grpc.CallOptions): grpc.ClientReadableStream<unknown>;
}

export class PetrelClient {
  private constructor(
    private readonly raw: RawClient,
    readonly socketPath: string,
    private readonly timeoutMs: number,
  ) {}

  /** Connects to petreld at `socketPath`; throws `ApiUnreachableError` when nothing answers there. */
  static async connect(socketPath: string = DEFAULT_SOCKET_PATH, options: ClientOptions = {}): Promise<PetrelClient> {
    const path = resolve(socketPath);
    const timeoutMs = options.timeoutMs ?? 10000;
    await probe(path, timeoutMs);
    const Ctor = petrelService();
    const raw = new Ctor(`unix:${path}`, grpc.credentials.createInsecure()) as unknown as RawClient;
    return new PetrelClient(raw, path, timeoutMs);
  }

  private error(e: grpc.ServiceError): BgpdError {
    if (e.code === grpc.status.UNAVAILABLE) return new ApiUnreachableError(this.socketPath, e.details || e.message);
    return new ApiCallError(e.code, e.details || e.message);
  }

  private unary(method: 'GetStatus' | 'ListPeers', req: object): Promise<unknown> {
    return new Promise((ok, fail) => {
      this.raw[method](req, { deadline: Date.now() + this.timeoutMs }, (err, res) => (err ? fail(this.error(err)) : ok(res)));
    });
  }

  async getStatus(): Promise<StatusInfo> {
    return fromProtoStatus(await this.unary('GetStatus', {}));
  }

  /** Every peer, or the one named (ApiCallError NOT_FOUND when there is none). */
  async listPeers(name = ''): Promise<PeerInfo[]> {
    const res = (await this.unary('ListPeers', { name })) as { peers?: unknown[] };
    return (res.peers ?? []).map(fromProtoPeer);
  }

  /** The routes of one family and direction (defaults: family from the prefix or ipv4, whole Loc-RIB). */
  listRoutes(query: Partial<RouteQuery> = {}): Promise<RouteInfo[]> {
    const q: RouteQuery = { family: '', prefix: '', longestMatch: false, peer: '', direction: 'loc', ...query };
    return new Promise((ok, fail) => {
      const out: RouteInfo[] = [];
      // A whole table may take a while to stream: a longer deadline than the unary calls'.
      const stream = this.raw.ListRoutes(toProtoQuery(q), { deadline: Date.now() + this.timeoutMs * 6 });
      stream.on('data', (m: unknown) => out.push(fromProtoRoute(m)));
      stream.on('error', (e: grpc.ServiceError) => fail(this.error(e)));
      stream.on('end', () => ok(out));
    });
  }

  close(): void {
    this.raw.close();
  }
}
