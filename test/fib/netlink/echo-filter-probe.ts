/**
 * DOC: run inside a test namespace by echo-filter.test.ts (`ip netns exec NS node echo-filter-probe.js filter|none`):
 * joins the IPv4 route group on a raw netlink socket, optionally attaches the echo filter for a transport's port,
 * writes 50 routes through that transport and one with `ip route add`, and prints as JSON the destinations whose
 * notifications reached the socket (and the fd found for it).
 */
import { execFileSync } from 'node:child_process';
import { RawNetlinkSocket } from 'netlink';
import { Af, NlWriter, RtmType, RtnlGroup, ROUTE_REPLACE_FLAGS, decodeRoute, encodeRoute } from '../../../src/fib/netlink/codec';
import { NETLINK_ROUTE } from '../../../src/fib/netlink/constants';
import { forEachMessage } from '../../../src/fib/netlink/header';
import { echoFilterProgram, netlinkSocketFd } from '../../../src/fib/netlink/echo-filter';
import { NetlinkTransport } from '../../../src/fib/netlink/transport';
import { loadSockoptAddon } from '../../../src/util/sockopt-addon';

async function main(): Promise<void> {
  const sock = new RawNetlinkSocket(NETLINK_ROUTE, { recvBufferSize: 1 << 20, sendBufferSize: 32 << 10 });
  sock.addMembership(RtnlGroup.Ipv4Route);
  const seen: string[] = [];
  sock.on('message', (buf: Buffer) => forEachMessage(buf, (off, len) => {
    const r = decodeRoute(buf.subarray(off, off + len));
    if (r.table === 102) seen.push(`${String(r.dst)}/${r.dstLen}`);
  }));
  const tr = NetlinkTransport.open();
  const fd = netlinkSocketFd(sock.address().port);
  if (process.argv[2] === 'filter') loadSockoptAddon()!.attachFilter(fd, echoFilterProgram([7, tr.port, 9]));
  const w = new NlWriter();
  for (let i = 0; i < 50; i++) {
    encodeRoute(w, RtmType.NewRoute, ROUTE_REPLACE_FLAGS, 0, { family: Af.Inet, dst: ((10 << 24) | (88 << 16) | (i << 8)) >>> 0, dstLen: 24, type: 6, protocol: 12, table: 102 });
  }
  const res = await tr.batch(w.finish());
  execFileSync('ip', ['route', 'add', 'blackhole', '10.99.0.0/24', 'table', '102']);
  const until = Date.now() + 5000;
  while (!seen.includes('10.99.0.0/24') && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 100));
  process.stdout.write(`${JSON.stringify({ fd, failed: res.failed.length, seen: [...new Set(seen)].length, last: seen[seen.length - 1] })}\n`);
  tr.close();
  sock.close();
}

// Only when started by the test, inside its namespace, with a mode: run bare (e.g. by `tap` over this folder) it
// does nothing, since it writes routes.
if (process.argv[2] === 'filter' || process.argv[2] === 'none') void main();
