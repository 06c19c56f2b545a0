/**
 * DOC: the passive side: one TCP server per listen address, handing each accepted connection to the session of
 * the peer it comes from (by remote address), or refusing it (no NOTIFICATION: we do not know who it is).
 * The listening socket carries every peer's TCP MD5 key (socket-options.ts `md5KeyRing`); an accepted socket gets
 * its peer's TTL / GTSM minimum TTL before the session sees it.
 */
import * as net from 'node:net';
import type { Logger } from 'pino';
import type { Session } from './session';
import { applyAccepted, md5KeyRing, SocketSecurityError } from './socket-options';

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
      try {
        applyAccepted(socket, session.options);
      } catch (e) {
        const err = e instanceof Error ? e.message : String(e);
        if (e instanceof SocketSecurityError && e.gtsmReject) this.log.warn({ remote, err }, 'connection refused by TTL security');
        else this.log.error({ remote, err }, 'connection refused: socket security cannot be applied');
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
        for (const e of md5KeyRing.addListener(server)) this.log.error({ err: e.message }, 'socket security cannot be applied');
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
    if (s) md5KeyRing.removeListener(s);
    return new Promise((resolve) => (s ? s.close(() => resolve()) : resolve()));
  }
}
