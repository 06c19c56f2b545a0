import t from 'tap';
import { addAddress, createNetns, exec, ipRouteLines, linkUp, vethPair } from '../../helpers/netns';
import type { TunnelPlan, VxlanPlan } from '../../../src/config/tunnels';
import { TunnelAgent } from './tunnel-agent-client';

// Kernel test in a throw-away namespace (root, iproute2, bridge, the vxlan module).
const MAC_A = '66:0f:5a:00:00:01';
const MAC_B = '66:0f:5a:00:00:02';
const MAC_C = '66:0f:5a:00:00:03';

const vxlan: VxlanPlan = {
  device: 'vxlan.calico', vni: 4096, port: 4789, mtu: 1410, local: '10.0.0.1', mac: MAC_A, address: '10.245.0.1',
  poolCidrs: ['10.244.0.0/16', '10.250.0.0/16'],
  vteps: [
    { node: 'b', nodeIp: '10.0.0.2', tunnelAddr: '10.245.1.1', mac: MAC_B },
    { node: 'c', nodeIp: '10.9.0.3', tunnelAddr: '10.245.2.1', mac: MAC_C },
  ],
  routes: [
    { cidr: '10.244.1.0/26', node: 'b', mode: 'vxlan', via: '10.245.1.1' },
    { cidr: '10.244.2.0/26', node: 'c', mode: 'vxlan', via: '10.245.2.1' },
    { cidr: '10.250.1.0/26', node: 'b', mode: 'direct', via: '10.0.0.2' },
  ],
};
const plan: TunnelPlan = { notes: [], vxlan };

async function poll<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Shown {
  ifindex: number;
  mtu: number;
  address: string;
  flags: string[];
  linkinfo: { info_kind: string; info_data: { id: number; port: number; local: string; learning: boolean } };
}
const link = async (ns: string): Promise<Shown | undefined> => {
  try {
    return (JSON.parse(await exec(ns, 'ip', ['-d', '-j', 'link', 'show', 'dev', 'vxlan.calico'])) as Shown[])[0];
  } catch {
    return undefined;
  }
};
const fdb = async (ns: string) =>
  (JSON.parse(await exec(ns, 'bridge', ['-j', 'fdb', 'show', 'dev', 'vxlan.calico'])) as { mac: string; dst?: string; flags: string[]; state: string }[])
    .filter((e) => e.dst !== undefined).map((e) => `${e.mac} dst ${e.dst} ${e.flags.join(',')} ${e.state}`).sort();
const neigh = async (ns: string) =>
  (JSON.parse(await exec(ns, 'ip', ['-j', 'neigh', 'show', 'dev', 'vxlan.calico'])) as { dst: string; lladdr: string; state: string[] }[])
    .map((e) => `${e.dst} ${e.lladdr} ${e.state.join(',')}`).sort();
const routes = (ns: string) => ipRouteLines(ns, ['route', 'show', 'proto', '12']);
const addrs = async (ns: string) =>
  (JSON.parse(await exec(ns, 'ip', ['-4', '-j', 'addr', 'show', 'dev', 'vxlan.calico'])) as { addr_info: { local: string; prefixlen: number }[] }[])[0].addr_info.map((a) => `${a.local}/${a.prefixlen}`);

t.test('vxlan.calico, its VTEP entries and block routes are created, repaired and pruned', async (t) => {
  const ns = await createNetns(t, 'petrel-vxlan');
  await vethPair(ns, 'eth0', ns, 'eth0p');
  await addAddress(ns, 'eth0', '10.0.0.1/24');
  await linkUp(ns, 'eth0');
  await linkUp(ns, 'eth0p');
  // A route of ours outside the VXLAN pools (the FIB's) must survive; a stale one inside a pool must not.
  await exec(ns, 'ip', ['route', 'add', '192.168.50.0/24', 'via', '10.0.0.9', 'proto', '12']);
  await exec(ns, 'ip', ['route', 'add', '10.244.7.0/26', 'via', '10.0.0.9', 'proto', '12']);
  const agent = TunnelAgent.spawn(t, ns);

  const st = await agent.start(plan, { debounceMs: 20 });
  t.same([st.vxlan, st.ipip, st.lastErrors], ['ok', 'unmanaged', []]);
  const l = (await link(ns))!;
  t.same(
    [l.mtu, l.address, l.flags.includes('UP'), l.linkinfo.info_kind, l.linkinfo.info_data.id, l.linkinfo.info_data.port, l.linkinfo.info_data.local, l.linkinfo.info_data.learning],
    [1410, MAC_A, true, 'vxlan', 4096, 4789, '10.0.0.1', false],
  );
  t.same(await addrs(ns), ['10.245.0.1/32']);
  t.same(await fdb(ns), [`${MAC_B} dst 10.0.0.2 self permanent`, `${MAC_C} dst 10.9.0.3 self permanent`]);
  t.same(await neigh(ns), [`10.245.1.1 ${MAC_B} PERMANENT`, `10.245.2.1 ${MAC_C} PERMANENT`]);
  t.same(await routes(ns), [
    '10.244.1.0/26 via 10.245.1.1 dev vxlan.calico onlink',
    '10.244.2.0/26 via 10.245.2.1 dev vxlan.calico onlink',
    '10.250.1.0/26 via 10.0.0.2 dev eth0',
    '192.168.50.0/24 via 10.0.0.9 dev eth0',
  ]);
  t.same((await agent.reconcile()).lastActions, [], 'a second reconcile finds nothing to do');

  await exec(ns, 'ip', ['link', 'set', 'dev', 'vxlan.calico', 'mtu', '1300']);
  const fixed = await poll(() => link(ns), (x) => x?.mtu === 1410);
  t.equal(fixed?.mtu, 1410, 'a changed MTU is put back by the monitor');

  await exec(ns, 'ip', ['link', 'del', 'vxlan.calico']);
  const back = await poll(() => routes(ns), (r) => r.length === 4);
  t.equal(back.length, 4, 'a deleted device is recreated with its routes');
  t.not((await link(ns))?.ifindex, l.ifindex);
  t.same(await neigh(ns), [`10.245.1.1 ${MAC_B} PERMANENT`, `10.245.2.1 ${MAC_C} PERMANENT`]);
  t.same(await addrs(ns), ['10.245.0.1/32']);

  const smaller: TunnelPlan = { notes: [], vxlan: { ...vxlan, vteps: vxlan.vteps.slice(0, 1), routes: vxlan.routes.filter((r) => r.node === 'b') } };
  const st2 = await agent.update(smaller);
  t.same(st2.lastErrors, []);
  t.same(await fdb(ns), [`${MAC_B} dst 10.0.0.2 self permanent`]);
  t.same(await neigh(ns), [`10.245.1.1 ${MAC_B} PERMANENT`]);
  t.same(await routes(ns), ['10.244.1.0/26 via 10.245.1.1 dev vxlan.calico onlink', '10.250.1.0/26 via 10.0.0.2 dev eth0', '192.168.50.0/24 via 10.0.0.9 dev eth0']);

  await agent.update({ notes: [], vxlan: { ...vxlan, vni: 4097 } });
  const re = (await link(ns))!;
  t.same([re.linkinfo.info_data.id, re.address], [4097, MAC_A], 'a changed VNI recreates the device');
  agent.stop();
  await new Promise((r) => setTimeout(r, 100));
  t.equal((await link(ns))?.linkinfo.info_data.id, 4097, 'stop leaves the device in place');
});
