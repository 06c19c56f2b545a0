import t from 'tap';
import { join } from 'node:path';
import { echoFilterProgram } from '../../../src/fib/netlink/echo-filter';
import { loadSockoptAddon, sockoptAddonError } from '../../../src/util/sockopt-addon';
import { createNetns, exec } from '../../helpers/netns';

t.test('the program drops exactly the listed ports (bytes of struct sock_filter, little-endian host)', async (t) => {
  const hex = (b: Buffer) => b.toString('hex').match(/.{16}/g);
  t.same(hex(echoFilterProgram([0x01020304])), [
    '200000000c000000', // ld [12]  (nlmsg_pid)
    '1500010001020304', // jeq #bswap(0x01020304), drop
    '06000000ffffffff', // ret #-1  (accept)
    '0600000000000000', // drop: ret #0
  ]);
  t.same(hex(echoFilterProgram([])), ['200000000c000000', '06000000ffffffff', '0600000000000000']);
  const three = echoFilterProgram([1, 2, 3]);
  t.same([1, 2, 3].map((i) => three[i * 8 + 2]), [3, 2, 1], 'each jeq jumps to the same drop');
});

t.test('in the kernel: a monitor socket with the filter never sees the filtered port\'s writes, others\' yes', async (t) => {
  if (loadSockoptAddon() === null) {
    t.plan(0, `skipped: native addon missing: ${sockoptAddonError()}`);
    return;
  }
  const ns = await createNetns(t, 'petrel-echof');
  await exec(ns, 'ip', ['link', 'set', 'lo', 'up']);
  const probe = async (mode: string) => JSON.parse(await exec(ns, process.execPath, [join(__dirname, 'echo-filter-probe.js'), mode])) as { fd: number; failed: number; seen: number; last: string };
  const none = await probe('none');
  t.ok(none.fd >= 0, 'the socket\'s fd was found');
  t.same([none.failed, none.seen, none.last], [0, 51, '10.99.0.0/24'], 'unfiltered: all 50 writes and the outside route');
  await exec(ns, 'ip', ['route', 'flush', 'table', '102']);
  const filtered = await probe('filter');
  t.same([filtered.failed, filtered.seen, filtered.last], [0, 1, '10.99.0.0/24'], 'filtered: only the outside route');
});
