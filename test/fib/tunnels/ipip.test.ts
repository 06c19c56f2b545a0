import t from 'tap';
import { readFileSync } from 'node:fs';
import { hex, toHex } from '../../helpers/hex';
import { fixturePath } from '../../helpers/fixtures';
import { addAddress, createNetns, exec, linkUp, tryExec, vethPair } from '../../helpers/netns';
import { reconcileActions, type TunnelSnapshot } from '../../../src/fib/tunnels/reconcile';
import type { TunnelPlan } from '../../../src/config/tunnels';
import { TunnelAgent } from './tunnel-agent-client';

/** A captured request with seq and pid zeroed (they vary per run). */
function capture(name: string): Buffer {
  const text = readFileSync(fixturePath('netlink', name), 'utf8').split('\n').filter((l) => !l.startsWith('#')).join(' ');
  const b = hex(text);
  b.fill(0, 8, 16);
  return b;
}

const empty = (): TunnelSnapshot => ({ links: [], addrs: [], neighs: [], fdb: [], routes: [] });
const plan: TunnelPlan = { notes: [], ipip: { device: 'tunl0', mtu: 1440, address: '10.246.0.1' } };
const opts = { protocol: 12, table: 254 };

t.test('tunl0 requests are byte for byte what iproute2 sends (strace captures, see ipip-capture.sh)', async (t) => {
  const create = reconcileActions(plan, empty(), opts);
  t.same(create.map((a) => [a.op, a.what]), [['create-link', 'ip link add tunl0 type ipip']]);
  t.equal(toHex(create[0].msg), toHex(capture('ipip-newlink-tunl0.hex')));

  const snap = empty();
  snap.links.push({ index: 3, type: 768, flags: 0, name: 'tunl0', mtu: 1480, kind: 'ipip', ipip: {} });
  snap.addrs.push({ family: 2, index: 3, prefixLen: 32, scope: 0, flags: 0, local: '10.246.0.9', address: '10.246.0.9' });
  const fix = reconcileActions(plan, snap, opts);
  t.same(fix.map((a) => a.what), ['ip link set dev tunl0 mtu 1440 up', 'ip addr del 10.246.0.9/32 dev tunl0', 'ip addr replace 10.246.0.1/32 dev tunl0']);
  t.equal(toHex(fix[0].msg), toHex(capture('ipip-setlink-mtu-up.hex')));
  t.equal(toHex(fix[2].msg), toHex(capture('ipip-newaddr-tunl0.hex')));

  snap.links[0].mtu = 1440;
  snap.links[0].flags = 1;
  snap.addrs[0] = { ...snap.addrs[0], local: '10.246.0.1', address: '10.246.0.1' };
  t.same(reconcileActions(plan, snap, opts), [], 'nothing to do once the device matches');

  snap.links[0] = { index: 3, type: 1, flags: 1, name: 'tunl0', mtu: 1440, kind: 'veth' };
  t.same(reconcileActions(plan, snap, opts).map((a) => a.what), ['ip link del tunl0 (kind veth, not ipip)', 'ip link add tunl0 type ipip']);
});

t.test('without the ipip module the manager says so once and still manages vxlan.calico', async (t) => {
  const ns = await createNetns(t, 'petrel-ipip');
  const probe = await tryExec(ns, 'ip', ['link', 'add', 'probe0', 'type', 'ipip']);
  const haveIpip = probe.code === 0;
  t.comment(haveIpip ? 'the ipip module is available: tunl0 is created for real' : `the ipip module is absent on this machine (${probe.stderr.trim()}): checking the degraded path`);
  if (haveIpip) await exec(ns, 'ip', ['link', 'del', 'probe0']);
  await vethPair(ns, 'eth0', ns, 'eth0p');
  await addAddress(ns, 'eth0', '10.0.0.1/24');
  await linkUp(ns, 'eth0');
  const agent = TunnelAgent.spawn(t, ns);
  const both: TunnelPlan = {
    ...plan,
    vxlan: { device: 'vxlan.calico', vni: 4096, port: 4789, mtu: 1410, local: '10.0.0.1', address: '10.245.0.1', poolCidrs: ['10.244.0.0/16'], vteps: [], routes: [] },
  };
  const st = await agent.start(both);
  t.equal(st.vxlan, 'ok');
  t.same(st.lastErrors, []);
  const [vx] = JSON.parse(await exec(ns, 'ip', ['-4', '-j', 'addr', 'show', 'dev', 'vxlan.calico'])) as { mtu: number; addr_info: { local: string; prefixlen: number }[] }[];
  t.same([vx.mtu, vx.addr_info.map((a) => `${a.local}/${a.prefixlen}`)], [1410, ['10.245.0.1/32']]);
  if (haveIpip) {
    t.equal(st.ipip, 'ok');
    const [tun] = JSON.parse(await exec(ns, 'ip', ['-4', '-j', 'addr', 'show', 'dev', 'tunl0'])) as { mtu: number; addr_info: { local: string }[] }[];
    t.same([tun.mtu, tun.addr_info.map((a) => a.local)], [1440, ['10.246.0.1']]);
    return;
  }
  t.equal(st.ipip, 'unavailable');
  const again = await agent.update(both);
  t.equal(again.ipip, 'unavailable');
  t.equal(again.vxlan, 'ok');
  const errs = agent.logs.filter((l) => l.level === 'error');
  t.same(errs.map((l) => l.msg), ['the ipip kernel module is not available (modprobe ipip): tunl0 is not managed; VXLAN and routing go on'], 'reported exactly once');
});
