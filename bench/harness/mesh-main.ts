/**
 * DOC: C1's mesh peers: one process holding one iBGP session per peer address to the DUT, each announcing what a
 * Calico node does (its /26 block and ten /32s) as soon as the session is up, then End-of-RIB.
 *
 * Each peer's UPDATE is pre-encoded: ORIGIN IGP, an empty AS_PATH, NEXT_HOP = the peer's own address and
 * LOCAL_PREF 100 (RFC 4271 §5.1.5: iBGP carries it), NLRI = the /26 then the /32s. Events: `all-established`
 * with `tLastUp` (the moment the last session came up) and `tFirstUp`; `session-down` if one drops. `status`
 * reports how many sessions are up.
 */
import { childArgs, emit, nowNs, onCommand } from './child';
import { ipv4ToNumber } from './feed';
import { connectRetry, MiniSession } from './speaker';

/** The helper's argument. */
export interface MeshArgs {
  dut: string;
  port: number;
  holdTime: number;
  localAs: number;
  peers: { address: string; block: string; hosts: string[] }[];
}

/** The UPDATE one mesh peer sends, plus End-of-RIB. */
export function meshUpdate(nextHop: string, block: string, hosts: string[]): Buffer {
  const nlri = 5 + hosts.length * 5;
  const attrs = 4 + 3 + 7 + 7;
  const len = 19 + 4 + attrs + nlri;
  const b = Buffer.alloc(len + 23, 0);
  b.fill(0xff, 0, 16);
  b.writeUInt16BE(len, 16);
  b[18] = 2;
  let p = 21;
  b.writeUInt16BE(attrs, p);
  p += 2;
  for (const x of [0x40, 1, 1, 0, 0x40, 2, 0, 0x40, 3, 4]) b[p++] = x;
  b.writeUInt32BE(ipv4ToNumber(nextHop), p);
  p += 4;
  for (const x of [0x40, 5, 4]) b[p++] = x;
  b.writeUInt32BE(100, p);
  p += 4;
  const [net, plen] = block.split('/');
  b[p++] = Number(plen);
  b.writeUInt32BE(ipv4ToNumber(net), p);
  p += 4;
  for (const h of hosts) {
    b[p++] = 32;
    b.writeUInt32BE(ipv4ToNumber(h), p);
    p += 4;
  }
  b.fill(0xff, len, len + 16);
  b.writeUInt16BE(23, len + 16);
  b[len + 18] = 2;
  return b;
}

async function main(): Promise<void> {
  const a = childArgs<MeshArgs>();
  const deadline = Date.now() + 60_000;
  let up = 0;
  let tFirstUp: string | undefined;
  onCommand((cmd) => {
    if (cmd === 'status') emit({ event: 'status', up });
  });
  await Promise.all(
    a.peers.map(async (peer) => {
      const update = meshUpdate(peer.address, peer.block, peer.hosts);
      const sock = await connectRetry(a.dut, a.port, peer.address, deadline);
      const s = new MiniSession(sock, { localAs: a.localAs, routerId: peer.address, holdTime: a.holdTime }, () => undefined);
      await s.established;
      up++;
      tFirstUp ??= nowNs();
      s.socket.write(update);
      void s.closed.then((why) => emit({ event: 'session-down', peer: peer.address, why }));
    }),
  );
  emit({ event: 'all-established', tFirstUp, tLastUp: nowNs(), up });
}

if (require.main === module) {
  main().catch((e: unknown) => {
    emit({ event: 'error', message: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  });
}
