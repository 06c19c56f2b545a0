/**
 * DOC: a hand-driven BGP peer for tests: a bare TCP client that sends exactly what the test asks (OPEN with chosen
 * capabilities, UPDATEs, End-of-RIB, NOTIFICATION) and can drop the connection without a NOTIFICATION. It answers
 * the OPEN with a KEEPALIVE and records the types (and a copy) of what it receives. Hold time 0 (no keepalives
 * needed). `announceMessages` pre-encodes UPDATEs so a test can send many of them in one write.
 */
import * as net from 'node:net';
import { buildOpen, type LocalSessionSettings } from '../../src/bgp/codec/session-codec';
import { encodeMessage } from '../../src/bgp/codec/message';
import { encodeUpdate } from '../../src/bgp/codec/update';
import { endOfRibUpdate } from '../../src/bgp/codec/end-of-rib';
import { Framer } from '../../src/bgp/codec/framer';
import { KEEPALIVE } from '../../src/bgp/codec/keepalive';
import { IPV4_UNICAST, type Family } from '../../src/bgp/family';
import { AttrInterner, emptyAttrFields } from '../../src/rib/attrs/intern';
import { UpdateBuilder } from '../../src/rib/update-builder';
import { parsePrefix, type PrefixKey } from '../../src/util/prefix';

const CTX = { as4: true, addPath: new Set<Family>(), extendedMessage: false };

export class RawPeer {
  readonly received: number[] = [];
  /** A copy of every message received, in order (parallel to `received`). */
  readonly messages: Buffer[] = [];
  private readonly framer = new Framer();
  private readonly interner = new AttrInterner();

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.framer.push(chunk, (buf, start, end, type) => {
        this.received.push(type);
        this.messages.push(Buffer.from(buf.subarray(start, end)));
        if (type === 1) socket.write(KEEPALIVE);
      });
    });
    socket.on('error', () => undefined);
  }

  /** Connects from `localAddress` to `host:port` and sends an OPEN built from `settings` (hold time forced to 0). */
  static connect(host: string, port: number, localAddress: string, settings: LocalSessionSettings): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host, port, localAddress }, () => {
        s.off('error', reject);
        s.write(encodeMessage(buildOpen({ ...settings, holdTime: 0 }), CTX));
        resolve(new RawPeer(s));
      });
      s.once('error', reject);
    });
  }

  /** Announces IPv4 prefixes (text) with AS_PATH [asn] and NEXT_HOP `nextHop`. */
  announce(prefixes: string[], asn: number, nextHop: string): void {
    for (const m of this.announceMessages(prefixes.map((p) => parsePrefix(p) as PrefixKey), [asn], nextHop)) this.socket.write(m);
  }

  /** The UPDATEs announcing IPv4 `keys` with AS_PATH `asPath` and NEXT_HOP `nextHop`, not sent. */
  announceMessages(keys: PrefixKey[], asPath: number[], nextHop: string): Buffer[] {
    const set = this.interner.internSet({ ...emptyAttrFields(), asPath: [{ type: 2, asns: asPath }], nextHop });
    return new UpdateBuilder(IPV4_UNICAST, CTX).announce(set, keys);
  }

  /** Withdraws IPv4 prefixes (text). */
  withdraw(prefixes: string[]): void {
    for (const m of new UpdateBuilder(IPV4_UNICAST, CTX).withdraw(prefixes.map((p) => parsePrefix(p) as PrefixKey))) this.socket.write(m);
  }

  /** The ROUTE-REFRESH message for IPv4 unicast (or `afi`/`safi`) with RFC 7313 `subtype` (0 request, 1 BoRR, 2 EoRR). */
  static routeRefreshMessage(subtype: number, afi = 1, safi = 1): Buffer {
    return encodeMessage({ type: 5, afi, subtype, safi }, CTX);
  }

  endOfRib(f: Family = IPV4_UNICAST): void {
    this.socket.write(encodeUpdate(endOfRibUpdate(f), CTX));
  }

  notify(code: number, subcode: number): void {
    this.socket.write(encodeMessage({ type: 3, code, subcode, data: Buffer.alloc(0) }, CTX));
  }

  /** Drops the TCP connection without a NOTIFICATION. */
  drop(): void {
    this.socket.destroy();
  }
}
