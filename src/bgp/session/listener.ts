/**
 * DOC: the passive side: one TCP server per listen address, handing each accepted connection to the session of
 * the peer it comes from (by remote address), or refusing it (no NOTIFICATION: we do not know who it is).
 */
import * as net from 'node:net';
import type { Logger } from 'pino';
import type { Session } from './session';

/** Strips the IPv4-mapped prefix Node reports on dual-stack sockets. */
export function normalizeAddress(a: string | undefined): string {
  if (!a) return '';
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

export class Listener {
  private server: net.Server | null = null;

  constructor(
    private readonly findSession: (remoteAddress: string) => Session | undefined,
    private readonly log: Logger,
  ) {}

  /** Starts listening; resolves once bound, rejects with the bind error (e.g. EADDRINUSE). */
  listen(port: number, host?: string): Promise<void> {
    const server = net.createServer((socket) => {
      const remote = normalizeAddress(socket.remoteAddress);
      const session = this.findSession(remote);
      if (!session) {
        this.log.warn({ remote }, 'connection from an address that is not a configured peer: refused');
        socket.destroy();
        return;
      }
      session.accept(socket);
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host, ipv6Only: false }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  get address(): net.AddressInfo | null {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a : null;
  }

  close(): Promise<void> {
    const s = this.server;
    this.server = null;
    return new Promise((resolve) => (s ? s.close(() => resolve()) : resolve()));
  }
}
