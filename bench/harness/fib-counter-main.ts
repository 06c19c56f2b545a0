/**
 * DOC: the FIB counter helper, run inside the DUT's namespace: counts the distinct IPv4 routes the DUT puts into
 * the main table (254) and reports when the expected number is there (`t_fib`).
 *
 * Mode `monitor` (the normal one): a rtnetlink socket joined to RTNLGRP_IPV4_ROUTE; each RTM_NEWROUTE of family
 * AF_INET in table 254 whose protocol is not `kernel` (2: connected routes) is added to a PrefixCounter, so a
 * route replaced twice counts once. Started before the DUT, so nothing is missed. The socket buffer is SO_RCVBUF
 * (capped by net.core.rmem_max): at a million routes the kernel may overrun it (ENOBUFS), and the `netlink`
 * package then aborts the process (see src/fib/netlink/monitor-child.ts). The orchestrator sees that exit and
 * restarts this helper in mode `poll`, which reads the prefix count of the main trie from /proc/net/fib_triestat
 * every `pollMs` (about 60 ms of kernel time per read at 1M routes, hence not the default) minus the `baseline`
 * the monitor reported on start; the report then says which method produced the figure.
 */
import { RawNetlinkSocket } from 'netlink';
import { readFileSync } from 'node:fs';
import { childArgs, emit, nowNs, onCommand } from './child';
import { PrefixCounter } from './feed';

/** The helper's argument. */
export interface FibCounterArgs {
  mode: 'monitor' | 'poll';
  expect: number;
  /** Poll mode: main-trie prefixes before the DUT started. */
  baseline?: number;
  pollMs?: number;
}

const NETLINK_ROUTE = 0;
const RTNLGRP_IPV4_ROUTE = 7;
const RTM_NEWROUTE = 24;
const AF_INET = 2;
const RT_TABLE_MAIN = 254;
const RTPROT_KERNEL = 2;
const RTA_DST = 1;
const RTA_TABLE = 15;

/** The `Prefixes:` figure of the `Main:` section of /proc/net/fib_triestat. */
export function mainTriePrefixes(): number {
  const s = readFileSync('/proc/net/fib_triestat', 'utf8');
  const m = /Main:[\s\S]*?Prefixes:\s+(\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

function monitor(a: FibCounterArgs): void {
  const counter = new PrefixCounter();
  let done = false;
  const sock = new RawNetlinkSocket(NETLINK_ROUTE, { recvBufferSize: 64 << 20, sendBufferSize: 32 << 10 });
  sock.addMembership(RTNLGRP_IPV4_ROUTE);
  sock.on('message', (buf: Buffer) => {
    let off = 0;
    while (off + 16 <= buf.length) {
      const len = buf.readUInt32LE(off);
      if (len < 16 || off + len > buf.length) break;
      if (buf.readUInt16LE(off + 4) === RTM_NEWROUTE && buf[off + 16] === AF_INET && buf[off + 16 + 5] !== RTPROT_KERNEL) {
        const dstLen = buf[off + 17];
        let table = buf[off + 20];
        let dst = 0;
        let a2 = off + 28;
        const end = off + len;
        while (a2 + 4 <= end) {
          const alen = buf.readUInt16LE(a2);
          const atype = buf.readUInt16LE(a2 + 2) & 0x3fff;
          if (alen < 4) break;
          if (atype === RTA_DST) dst = buf.readUInt32BE(a2 + 4);
          else if (atype === RTA_TABLE) table = buf.readUInt32LE(a2 + 4);
          a2 += (alen + 3) & ~3;
        }
        if (table === RT_TABLE_MAIN) counter.add(dst, dstLen);
      }
      off += (len + 3) & ~3;
    }
    if (!done && a.expect > 0 && counter.distinct >= a.expect) {
      done = true;
      emit({ event: 'done', tLast: nowNs(), distinct: counter.distinct, method: 'netlink notifications' });
    }
  });
  onCommand((cmd) => {
    if (cmd === 'status') emit({ event: 'status', distinct: counter.distinct, total: counter.total });
  });
  emit({ event: 'ready', baseline: mainTriePrefixes() });
}

function poll(a: FibCounterArgs): void {
  const base = a.baseline ?? 0;
  let last = 0;
  const timer = setInterval(() => {
    last = mainTriePrefixes() - base;
    if (last >= a.expect) {
      clearInterval(timer);
      emit({ event: 'done', tLast: nowNs(), distinct: last, method: `fib_triestat poll every ${a.pollMs ?? 100} ms after a notification overrun` });
    }
  }, a.pollMs ?? 100);
  onCommand((cmd) => {
    if (cmd === 'status') emit({ event: 'status', distinct: last, total: last });
  });
  emit({ event: 'ready', baseline: base });
}

if (require.main === module) {
  const args = childArgs<FibCounterArgs>();
  if (args.mode === 'poll') poll(args);
  else monitor(args);
}
