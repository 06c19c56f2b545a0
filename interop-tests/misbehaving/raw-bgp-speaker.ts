/**
 * DOC: a scriptable raw BGP speaker, run as its own process inside a network namespace (Node cannot setns, so
 * the test spawns it under `ip netns exec`). It listens on `--listen ADDR` port 179, answers each connection with
 * an OPEN (`--as`, `--id`, IPv4 unicast, 4-octet AS, hold time 0 so no keepalives are needed) and a KEEPALIVE
 * once the peer's OPEN arrives, and otherwise sends only what the test writes on stdin: one JSON object per line,
 * `{"send":"HEX"}` (a whole BGP message, header included, written as is to the newest connection). It reports on
 * stdout, one JSON object per line: `{"ev":"listening"}`, `{"ev":"accepted","conn":N}`,
 * `{"ev":"established","conn":N}` (the peer's KEEPALIVE after the OPENs), `{"ev":"msg","conn":N,"type":T,"hex":H}`
 * for every message received, `{"ev":"closed","conn":N}`. The malformed bytes a test sends are never checked here.
 */
import * as net from 'node:net';
import { parseArgs } from 'node:util';
import { buildOpen } from '../../src/bgp/codec/session-codec';
import { encodeMessage } from '../../src/bgp/codec/message';
import { Framer } from '../../src/bgp/codec/framer';
import { KEEPALIVE } from '../../src/bgp/codec/keepalive';
import { IPV4_UNICAST } from '../../src/bgp/family';

const { values } = parseArgs({ options: { listen: { type: 'string' }, as: { type: 'string' }, id: { type: 'string' } } });
const asn = Number(values.as);
const id = values.id ?? '';
const CTX = { as4: true, addPath: new Set<number>(), extendedMessage: false };
const OPEN = encodeMessage(buildOpen({ localAs: asn, peerAs: 0, routerId: id, holdTime: 0, families: [IPV4_UNICAST] }), CTX);

const emit = (o: object): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
let current: net.Socket | null = null;
let count = 0;

const server = net.createServer((socket) => {
  const conn = ++count;
  current = socket;
  emit({ ev: 'accepted', conn });
  socket.write(OPEN);
  let openSeen = false;
  let established = false;
  const framer = new Framer();
  socket.on('data', (chunk: Buffer) => {
    try {
      framer.push(chunk, (buf, start, end, type) => {
        emit({ ev: 'msg', conn, type, hex: buf.subarray(start, end).toString('hex') });
        if (type === 1) {
          openSeen = true;
          socket.write(KEEPALIVE);
        } else if (type === 4 && openSeen && !established) {
          established = true;
          emit({ ev: 'established', conn });
        }
      });
    } catch (e) {
      emit({ ev: 'framing-error', conn, message: (e as Error).message });
      socket.destroy();
    }
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    if (current === socket) current = null;
    emit({ ev: 'closed', conn });
  });
});
server.listen(179, values.listen, () => emit({ ev: 'listening' }));

let pending = '';
process.stdin.on('data', (chunk: Buffer) => {
  pending += chunk.toString('utf8');
  let nl: number;
  while ((nl = pending.indexOf('\n')) >= 0) {
    const line = pending.slice(0, nl).trim();
    pending = pending.slice(nl + 1);
    if (!line) continue;
    const cmd = JSON.parse(line) as { send?: string };
    if (cmd.send !== undefined) {
      if (current) current.write(Buffer.from(cmd.send, 'hex'));
      else emit({ ev: 'send-failed', reason: 'no connection' });
    }
  }
});
process.stdin.on('end', () => process.exit(0));
