/**
 * DOC: per-peer TCP socket security: TCP MD5 signatures (RFC 2385, Linux TCP_MD5SIG), the Generalized TTL Security
 * Mechanism (RFC 5082: send with TTL 255, drop below 256 - hops via IP_MINTTL / IPV6_MINHOPCOUNT) and the multihop
 * TTL, as BIRD applies `password`, `ttl security on|off` and `multihop N`.
 *
 * Why hand-rolled native code: Node's net module cannot set any of these options, and the MD5 key must be on the
 * socket before the SYN leaves. The addon `native/sockopt.c` (built by `npm ci` through node-gyp) wraps socket(2),
 * setsockopt(2) and getsockopt(2) (loaded by util/sockopt-addon.ts). Active side: the socket is created natively, its
 * options set, and the fd handed to `new net.Socket({ fd })`, which binds and connects it through libuv as usual.
 * Passive side: `Md5KeyRing` keeps one MD5 key per peer address on every listening socket (accepted sockets
 * inherit them), and `applyAccepted` sets TTL/min TTL on an accepted socket. The listener's minimum TTL cannot be
 * per peer, and segments queued before accept() escaped the accepted socket's IP_MINTTL, so under TTL security
 * the SYN's own TTL is checked too (TCP_SAVE_SYN on the listener, TCP_SAVED_SYN on the accepted socket: RFC 5082
 * §3 applied to the first segment) and a connection whose SYN came from too far is refused.
 * Invariants: a peer that needs the addon (password or ttlSecurity) never connects without it: its connection
 * attempt fails with a `SocketSecurityError` naming the peer. Node internals used: `socket._handle.fd` and the
 * `manualStart` Socket option (no read before connect).
 * The key ring is process-wide: every listener in the process carries the keys of every started session.
 */
import { closeSync } from 'node:fs';
import * as net from 'node:net';
import { BgpdError } from '../../util/errors';
import { loadSockoptAddon, sockoptAddonError, type SockoptAddon } from '../../util/sockopt-addon';

/** Per-peer socket security, as BIRD's `password`, `ttl security` and `multihop`. */
export interface SocketSecurity {
  /** TCP MD5 key (RFC 2385), at most 79 octets. */
  password?: string;
  /** GTSM hop count N (RFC 5082): send with TTL 255, accept only TTL >= 256 - N. */
  ttlSecurity?: number;
  /** Outgoing TTL when ttlSecurity is unset (BIRD `multihop N`); undefined leaves the system default. */
  multihop?: number;
}

/** What is needed to open a connection to one peer. */
export interface SecureTarget extends SocketSecurity {
  name: string;
  peerAddress: string;
  peerPort: number;
  localAddress?: string;
}

/** A peer's socket security could not be applied (addon missing, setsockopt failed). */
export class SocketSecurityError extends BgpdError {
  /** The connection was refused because its SYN failed the GTSM TTL check (an expected drop, not a fault). */
  gtsmReject = false;
  constructor(message: string) {
    super('ERR_BGP_SOCKET_SECURITY', message);
  }
}

/** Longest TCP MD5 key Linux accepts (TCP_MD5SIG_MAXKEYLEN is 80, with a terminating NUL in BIRD's view). */
export const MAX_MD5_KEY_LENGTH = 79;

function load(): SockoptAddon | null {
  return loadSockoptAddon();
}

/** Whether the addon is loaded, and why not. */
export function addonStatus(): { loaded: true } | { loaded: false; error: string } {
  return load() ? { loaded: true } : { loaded: false, error: sockoptAddonError() };
}

/** A peer needs the addon if it has a password or TTL security (multihop alone falls back to the default TTL). */
export function needsAddon(s: SocketSecurity): boolean {
  return (s.password !== undefined && s.password !== '') || (s.ttlSecurity !== undefined && s.ttlSecurity > 0);
}

function requireAddon(peer: string, s: SocketSecurity): SockoptAddon {
  const a = load();
  if (a) return a;
  const what = s.password ? 'a TCP MD5 password' : 'TTL security';
  throw new SocketSecurityError(`peer ${peer} is configured with ${what} but ${sockoptAddonError()}`);
}

/** The fd under a Node socket or server (libuv's, via the internal `_handle`), or -1. */
export function fdOf(handleOwner: net.Socket | net.Server): number {
  const h = (handleOwner as unknown as { _handle?: { fd?: number } })._handle;
  return typeof h?.fd === 'number' ? h.fd : -1;
}

/** Outgoing TTL and minimum accepted TTL for a peer (BIRD bgp.c: 255 and 256 - hops under ttl security). */
export function ttlPlan(s: SocketSecurity): { ttl?: number; minTtl?: number } {
  if (s.ttlSecurity !== undefined && s.ttlSecurity > 0) return { ttl: 255, minTtl: 256 - Math.min(s.ttlSecurity, 255) };
  return s.multihop !== undefined && s.multihop > 0 ? { ttl: Math.min(s.multihop, 255) } : {};
}

/** Sets TTL / min TTL on a socket fd for traffic to `peerAddress` (IPv4 options also apply to v4-mapped sockets). */
function applyTtl(a: SockoptAddon, fd: number, peerAddress: string, s: SocketSecurity): void {
  const { ttl, minTtl } = ttlPlan(s);
  const v6 = net.isIPv6(peerAddress);
  const level = v6 ? a.IPPROTO_IPV6 : a.IPPROTO_IP;
  if (ttl !== undefined) a.setInt(fd, level, v6 ? a.IPV6_UNICAST_HOPS : a.IP_TTL, ttl);
  if (minTtl !== undefined) a.setInt(fd, level, v6 ? a.IPV6_MINHOPCOUNT : a.IP_MINTTL, minTtl);
}

function wrap(peer: string, what: string, e: unknown): SocketSecurityError {
  return new SocketSecurityError(`peer ${peer}: ${what}: ${e instanceof Error ? e.message : String(e)}`);
}

/**
 * Opens a TCP connection to a peer with its MD5 key and TTLs set before the SYN. Without a password or TTL
 * security and without the addon this is plain `net.connect`. Never throws: a failure to apply the options is
 * reported as the returned socket's 'error' (on the next tick), so the FSM sees a failed connection attempt.
 */
export function openConnection(t: SecureTarget): net.Socket {
  const opts = { host: t.peerAddress, port: t.peerPort, localAddress: t.localAddress };
  const a = load();
  if (!needsAddon(t) && (!a || t.multihop === undefined)) return net.connect(opts);
  let fd = -1;
  try {
    const x = requireAddon(t.name, t);
    fd = x.socket(net.isIPv6(t.peerAddress));
    if (t.password) x.setMd5Key(fd, t.peerAddress, t.password);
    applyTtl(x, fd, t.peerAddress, t);
  } catch (e) {
    if (fd >= 0) closeFd(fd);
    const err = e instanceof SocketSecurityError ? e : wrap(t.name, 'cannot set socket options', e);
    const s = new net.Socket();
    process.nextTick(() => s.destroy(err));
    return s;
  }
  const s = new net.Socket({ fd, manualStart: true } as net.SocketConstructorOpts);
  return s.connect(opts);
}

function closeFd(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

/**
 * Applies a peer's TTL and min TTL to a socket the listener accepted from it (BIRD bgp_incoming_connection), after
 * checking under TTL security that the SYN itself arrived with TTL >= 256 - hops (RFC 5082 §3). The MD5 key is
 * already there: accepted sockets inherit the listener's keys. Throws SocketSecurityError (`gtsmReject` set when
 * the SYN came from too far).
 */
export function applyAccepted(socket: net.Socket, t: SecureTarget): void {
  const a = needsAddon(t) ? requireAddon(t.name, t) : load();
  if (!a) return;
  const fd = fdOf(socket);
  if (fd < 0) return;
  const { minTtl } = ttlPlan(t);
  const synTtl = a.savedSynTtl(fd);
  if (minTtl !== undefined && synTtl >= 0 && synTtl < minTtl) {
    const e = new SocketSecurityError(`peer ${t.name}: connection refused by TTL security: its SYN arrived with TTL ${synTtl}, below ${minTtl} (ttlSecurity ${t.ttlSecurity}, RFC 5082)`);
    e.gtsmReject = true;
    throw e;
  }
  try {
    applyTtl(a, fd, t.peerAddress, t);
  } catch (e) {
    throw wrap(t.name, 'cannot set TTL on the accepted connection', e);
  }
}

/** Reads back an int socket option (IP_TTL, IP_MINTTL, IPV6_UNICAST_HOPS, IPV6_MINHOPCOUNT) for tests and status. */
export function readTtl(socket: net.Socket | net.Server, option: 'ttl' | 'minTtl' | 'hops' | 'minHops'): number {
  const a = load();
  if (!a) throw new SocketSecurityError(sockoptAddonError());
  const fd = fdOf(socket);
  switch (option) {
    case 'ttl': return a.getInt(fd, a.IPPROTO_IP, a.IP_TTL);
    case 'minTtl': return a.getInt(fd, a.IPPROTO_IP, a.IP_MINTTL);
    case 'hops': return a.getInt(fd, a.IPPROTO_IPV6, a.IPV6_UNICAST_HOPS);
    case 'minHops': return a.getInt(fd, a.IPPROTO_IPV6, a.IPV6_MINHOPCOUNT);
  }
}

interface KeyEntry {
  owner: object;
  peer: string;
  password: string;
}

/**
 * TCP MD5 keys on listening sockets, one per peer address (Linux keys by address, not by port). Several owners may
 * register the same address (a session being replaced); the most recent registration is in force, and releasing
 * it restores the previous one or removes the key.
 */
export class Md5KeyRing {
  private readonly listeners = new Set<net.Server>();
  private readonly keys = new Map<string, KeyEntry[]>();

  /**
   * Adds a listening server: every current key is set on it, TTL 255 so SYN-ACKs pass a GTSM peer's check, and
   * TCP_SAVE_SYN so `applyAccepted` can check a SYN's TTL.
   */
  addListener(server: net.Server): SocketSecurityError[] {
    this.listeners.add(server);
    const errors: SocketSecurityError[] = [];
    const a = load();
    const fd = fdOf(server);
    if (a && fd >= 0) {
      try {
        const addr = server.address();
        if (addr && typeof addr === 'object' && addr.family === 'IPv6') a.setInt(fd, a.IPPROTO_IPV6, a.IPV6_UNICAST_HOPS, 255);
        a.setInt(fd, a.IPPROTO_IP, a.IP_TTL, 255);
        a.setInt(fd, a.IPPROTO_TCP, a.TCP_SAVE_SYN, 1);
      } catch (e) {
        errors.push(wrap('(listener)', 'cannot set TTL 255 on the listening socket', e));
      }
    }
    for (const [address, entries] of this.keys) {
      const e = this.apply(server, address, entries[entries.length - 1]);
      if (e) errors.push(e);
    }
    return errors;
  }

  removeListener(server: net.Server): void {
    this.listeners.delete(server);
  }

  /** Registers `owner`'s key for `address` on every listener. Returns the errors (addon missing, setsockopt). */
  set(owner: object, peer: string, address: string, password: string): SocketSecurityError[] {
    this.drop(owner);
    const entries = this.keys.get(address) ?? [];
    const entry = { owner, peer, password };
    entries.push(entry);
    this.keys.set(address, entries);
    return this.applyAll(address, entry);
  }

  /** Drops `owner`'s registration; the address keeps the previous owner's key, or loses its key. */
  release(owner: object): SocketSecurityError[] {
    const address = this.drop(owner);
    if (address === undefined) return [];
    const entries = this.keys.get(address);
    return this.applyAll(address, entries ? entries[entries.length - 1] : undefined);
  }

  /** The peer addresses with a key in force (for tests and status). */
  addresses(): string[] {
    return [...this.keys.keys()];
  }

  private drop(owner: object): string | undefined {
    for (const [address, entries] of this.keys) {
      const i = entries.findIndex((e) => e.owner === owner);
      if (i < 0) continue;
      entries.splice(i, 1);
      if (entries.length === 0) this.keys.delete(address);
      return address;
    }
    return undefined;
  }

  private applyAll(address: string, entry: KeyEntry | undefined): SocketSecurityError[] {
    const errors: SocketSecurityError[] = [];
    for (const server of this.listeners) {
      const e = this.apply(server, address, entry);
      if (e) errors.push(e);
    }
    return errors;
  }

  private apply(server: net.Server, address: string, entry: KeyEntry | undefined): SocketSecurityError | undefined {
    const a = load();
    const fd = fdOf(server);
    if (!a || fd < 0) return undefined;
    const own = server.address();
    if (own && typeof own === 'object' && own.family === 'IPv4' && net.isIPv6(address)) return undefined;
    try {
      a.setMd5Key(fd, address, entry?.password ?? '');
    } catch (e) {
      return wrap(entry?.peer ?? address, 'cannot set the TCP MD5 key on the listening socket', e);
    }
    return undefined;
  }
}

/** The process-wide key ring used by `Listener` and `Session`. */
export const md5KeyRing = new Md5KeyRing();

/**
 * Registers a starting session's peer: its MD5 key goes on every listener (RFC 2385 applies to the passive side
 * too). Returns what cannot work (the addon is missing for a password or TTL security, a setsockopt failed), each
 * naming the peer, for the caller to log; the session still runs and its connection attempts fail.
 */
export function registerPeer(owner: object, t: SecureTarget): SocketSecurityError[] {
  if (needsAddon(t) && !load()) {
    md5KeyRing.release(owner);
    try {
      requireAddon(t.name, t);
    } catch (e) {
      return [e as SocketSecurityError];
    }
  }
  return t.password ? md5KeyRing.set(owner, t.name, t.peerAddress, t.password) : md5KeyRing.release(owner);
}

/** Removes a session's MD5 key from the listeners (the session is gone). */
export function unregisterPeer(owner: object): SocketSecurityError[] {
  return md5KeyRing.release(owner);
}
