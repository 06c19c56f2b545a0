/**
 * DOC: connection collision resolution (RFC 4271 §6.8, RFC 6286 §2.3, RFC 4724 §4.2) as one pure function.
 *
 * When both speakers open a TCP connection at the same time there are two connections, each with its own FSM.
 * The driver calls `resolveCollision` when an OPEN arrives on one of them (the "received" connection, still in
 * OpenSent) and the same peer has another connection (the "other"). The answer names the connection to drop and
 * the FSM event to feed it: `CollisionDump` makes its FSM send Cease 6/7 "Connection Collision Resolution"
 * (RFC 4486) and go Idle.
 *
 * The rule (BIRD `bgp_rx_open` states it plainly, the RFC text is roundabout): the speaker with the higher BGP
 * Identifier, compared as unsigned 32-bit numbers, is dominant; on equal identifiers the one with the higher AS
 * number is (RFC 6286 §2.3). Of two connections that both reached OPEN, the one the dominant speaker initiated
 * survives. Against an Established connection the new one is dropped (Cease 7), except when that session
 * negotiated graceful restart AND the peer opened the new TCP connection after the session was Established: then
 * the peer has restarted, and RFC 4724 §4.2 says the old session is treated as a TCP failure (closed without
 * NOTIFICATION, routes retained as stale) and the new connection proceeds. A connection that already existed
 * when the other one reached Established (both sides connected at once and one race finished first), or one we
 * opened ourselves, is an ordinary collision, never a restart: BIRD (`bgp_incoming_connection` handles the
 * restart at accept time, `bgp_rx_open` closes the new connection against Established) and FRR (`bgp_accept`
 * closes the Established NSF session at accept time, `bgp_collision_detect` sends Cease 7 to the new one) agree.
 * Ties that the rule cannot break (same identifier and AS, which OPEN checks should already have rejected, or two
 * connections started by the same side) keep the older connection.
 */
import { BugError } from '../../util/errors';
import type { StateName } from './types';

/** Who opened a TCP connection: us (outgoing) or the peer (incoming). */
export type Initiator = 'local' | 'remote';

/** What `resolveCollision` needs to know. */
export interface CollisionInput {
  /** Our BGP Identifier, dotted quad. */
  localId: string;
  /** The peer's BGP Identifier from the OPEN just received, dotted quad. */
  remoteId: string;
  /** Our AS number (the one in our OPEN, 4-octet). */
  localAs: number;
  /** The peer's AS number (4-octet). */
  remoteAs: number;
  /**
   * The connection the OPEN arrived on; `openedWhileEstablished`: the peer opened it (TCP) while the other
   * connection was already Established.
   */
  received: { initiator: Initiator; openedWhileEstablished?: boolean };
  /** The other connection to the same peer. */
  other: { initiator: Initiator; state: StateName };
  /** The other connection is Established and graceful restart was negotiated on it (RFC 4724). */
  otherGracefulRestart?: boolean;
}

/** The verdict: which connection to drop, and the FSM event that drops it. */
export type CollisionDecision =
  /** No collision to resolve (yet): the other connection has not received an OPEN. */
  | { close: 'none' }
  /** Drop one connection by feeding `event` to its FSM. */
  | { close: 'received' | 'other'; event: 'CollisionDump' | 'TcpClosed' };

/** The dotted-quad BGP Identifier as an unsigned 32-bit number. Throws BugError on malformed input. */
export function parseBgpId(id: string): number {
  const parts = id.split('.');
  if (parts.length !== 4) throw new BugError(`malformed BGP identifier ${JSON.stringify(id)}`);
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) throw new BugError(`malformed BGP identifier ${JSON.stringify(id)}`);
    // Multiplication, not shifts: shifts are signed 32-bit and would make 128.0.0.0 and above negative.
    value = value * 256 + Number(part);
  }
  return value;
}

/**
 * Compares two BGP Identifiers as unsigned 32-bit numbers: negative, zero or positive as `a` is below, equal to
 * or above `b`.
 */
export function compareBgpIds(a: string, b: string): number {
  return Math.sign(parseBgpId(a) - parseBgpId(b));
}

/** Which side, if any, is dominant: higher BGP Identifier, then higher AS (RFC 6286 §2.3). */
export function dominantSide(localId: string, remoteId: string, localAs: number, remoteAs: number): Initiator | 'tie' {
  const byId = compareBgpIds(remoteId, localId);
  if (byId !== 0) return byId > 0 ? 'remote' : 'local';
  if (remoteAs !== localAs) return remoteAs > localAs ? 'remote' : 'local';
  return 'tie';
}

/** RFC 4271 §6.8: decide which of two connections to the same peer survives. Pure. */
export function resolveCollision(input: CollisionInput): CollisionDecision {
  const { received, other } = input;
  switch (other.state) {
    case 'Idle':
    case 'Connect':
    case 'Active':
    case 'OpenSent':
      // RFC 4271 §6.8: only a connection whose peer identifier is known (OpenConfirm) collides; an OpenSent one
      // is resolved when its own OPEN arrives and it sees this one in OpenConfirm.
      return { close: 'none' };
    case 'Established':
      // RFC 4724 §4.2: a new connection from a graceful-restart peer, opened after the session came up, means it
      // restarted; the old one goes. A connection that predates Established is an ordinary collision.
      if (input.otherGracefulRestart && received.initiator === 'remote' && received.openedWhileEstablished === true) {
        return { close: 'other', event: 'TcpClosed' };
      }
      // RFC 4271 §6.8: "collision with existing BGP connection that is in the Established state causes closing
      // of the newly created connection".
      return { close: 'received', event: 'CollisionDump' };
    case 'OpenConfirm': {
      const dominant = dominantSide(input.localId, input.remoteId, input.localAs, input.remoteAs);
      if (dominant === 'tie' || received.initiator === other.initiator) return { close: 'received', event: 'CollisionDump' };
      // Keep the connection the dominant speaker initiated.
      return received.initiator === dominant
        ? { close: 'other', event: 'CollisionDump' }
        : { close: 'received', event: 'CollisionDump' };
    }
  }
}
