import t from 'tap';
import { TeardownHost, addAddress, createNetns, exec, ifindex, linkUp, vethPair } from '../../helpers/netns';
import { NsAgent } from './agent-client';
import {
  Af,
  Iff,
  LINK_CREATE_FLAGS,
  LINK_SET_FLAGS,
  NEIGH_REPLACE_FLAGS,
  NlWriter,
  RtmType,
  RtnlGroup,
  decodeAddr,
  decodeLink,
  decodeMessage,
  decodeNeigh,
  encodeAddr,
  encodeAddrDump,
  encodeDelLink,
  encodeLinkDump,
  encodeNeigh,
  encodeNeighDump,
  encodeNewLink,
} from '../../../src/fib/netlink/codec';

// Kernel tests in throw-away network namespaces: they need root and iproute2 (and `bridge`).
const EOPNOTSUPP = 95;
const VTEP_MAC = '66:0f:5a:00:00:01';
const PEER_MAC = '66:0f:5a:00:00:02';

function one(fn: (w: NlWriter) => void): Buffer {
  const w = new NlWriter(256);
  fn(w);
  return w.finish();
}

async function setup(tt: TeardownHost): Promise<{ ns: string; agent: NsAgent; v0: number }> {
  const ns = await createNetns(tt, 'petrel-nllk');
  await vethPair(ns, 'v0', ns, 'v1');
  await addAddress(ns, 'v0', '10.1.0.1/24');
  await linkUp(ns, 'v0');
  await linkUp(ns, 'v1');
  return { ns, agent: NsAgent.start(tt, ns), v0: await ifindex(ns, 'v0') };
}

t.test('vxlan.calico (VNI 4096, port 4789) with an FDB entry and a neighbour, as ip and bridge show them', async (t) => {
  const { ns, agent, v0 } = await setup(t);
  await agent.subscribe([RtnlGroup.Link]);
  const create = one((w) =>
    encodeNewLink(w, LINK_CREATE_FLAGS, 0, { name: 'vxlan.calico', mtu: 1450, address: VTEP_MAC, vxlan: { id: 4096, port: 4789, local: '10.1.0.1', link: v0, learning: false } }),
  );
  t.equal(await agent.request(create), 0);
  const vx = await ifindex(ns, 'vxlan.calico');
  t.equal(await agent.request(one((w) => encodeNewLink(w, LINK_SET_FLAGS, 0, { index: vx, flags: Iff.Up, change: Iff.Up }))), 0);

  const [shown] = JSON.parse(await exec(ns, 'ip', ['-d', '-j', 'link', 'show', 'dev', 'vxlan.calico'])) as {
    mtu: number;
    address: string;
    flags: string[];
    linkinfo: { info_kind: string; info_data: { id: number; port: number; local: string; link: string; learning: boolean } };
  }[];
  t.equal(shown.mtu, 1450);
  t.equal(shown.address, VTEP_MAC);
  t.ok(shown.flags.includes('UP'), 'device is up');
  t.equal(shown.linkinfo.info_kind, 'vxlan');
  t.same(
    [shown.linkinfo.info_data.id, shown.linkinfo.info_data.port, shown.linkinfo.info_data.local, shown.linkinfo.info_data.link, shown.linkinfo.info_data.learning],
    [4096, 4789, '10.1.0.1', 'v0', false],
  );

  const fdb = one((w) => encodeNeigh(w, RtmType.NewNeigh, NEIGH_REPLACE_FLAGS, 0, { family: Af.Bridge, index: vx, lladdr: PEER_MAC, dst: '10.1.0.2' }));
  const arp = one((w) => encodeNeigh(w, RtmType.NewNeigh, NEIGH_REPLACE_FLAGS, 0, { family: Af.Inet, index: vx, lladdr: PEER_MAC, dst: '10.244.1.0' }));
  t.same(await agent.batch(Buffer.concat([fdb, arp]), 'all'), { count: 2, failed: [], unknown: [], acked: 2 });
  const fdbShown = (JSON.parse(await exec(ns, 'bridge', ['-j', 'fdb', 'show', 'dev', 'vxlan.calico'])) as { mac: string; dst?: string; flags: string[]; state: string }[]).filter(
    (e) => e.dst !== undefined,
  );
  t.same(fdbShown, [{ mac: PEER_MAC, dst: '10.1.0.2', flags: ['self'], state: 'permanent' }]);
  const neighShown = JSON.parse(await exec(ns, 'ip', ['-j', 'neigh', 'show', 'dev', 'vxlan.calico'])) as { dst: string; lladdr: string; state: string[] }[];
  t.same(neighShown, [{ dst: '10.244.1.0', lladdr: PEER_MAC, state: ['PERMANENT'] }]);

  // Dumps decode the same objects.
  const links = (await agent.dump(one((w) => encodeLinkDump(w, 0)))).map((m) => decodeLink(m));
  const mine = links.find((l) => l.name === 'vxlan.calico');
  t.same(
    [mine?.index, mine?.mtu, mine?.address, mine?.kind, mine?.vxlan?.id, mine?.vxlan?.port, mine?.vxlan?.local, mine?.vxlan?.link, mine?.vxlan?.learning, (mine?.flags ?? 0) & Iff.Up],
    [vx, 1450, VTEP_MAC, 'vxlan', 4096, 4789, '10.1.0.1', v0, false, Iff.Up],
  );
  const fdbs = (await agent.dump(one((w) => encodeNeighDump(w, 0, Af.Bridge)))).map((m) => decodeNeigh(m)).filter((n) => n.index === vx && n.dst !== undefined);
  t.same(
    fdbs.map((n) => [n.lladdr, n.dst, n.state, n.flags & 0x02]),
    [[PEER_MAC, '10.1.0.2', 0x80, 0x02]],
  );

  // The link monitor saw the device appear.
  await agent.waitForEvent((ev) => ev.some((h) => {
    const m = decodeMessage(Buffer.from(h, 'hex'));
    return m.kind === 'link' && m.op === 'new' && m.link.name === 'vxlan.calico';
  }));
  t.pass('RTNLGRP_LINK delivered RTM_NEWLINK for vxlan.calico');

  t.equal(await agent.request(one((w) => encodeDelLink(w, 0, vx))), 0);
  t.same(JSON.parse(await exec(ns, 'ip', ['-j', 'link', 'show', 'type', 'vxlan'])), []);
});

t.test('addresses: added, dumped and seen by the address monitor', async (t) => {
  const { ns, agent, v0 } = await setup(t);
  await agent.subscribe([RtnlGroup.Ipv4Ifaddr]);
  t.equal(await agent.request(one((w) => encodeAddr(w, RtmType.NewAddr, 0, { family: Af.Inet, index: v0, address: '10.244.0.1', prefixLen: 32 }))), 0);
  const shown = JSON.parse(await exec(ns, 'ip', ['-4', '-j', 'addr', 'show', 'dev', 'v0'])) as { addr_info: { local: string; prefixlen: number }[] }[];
  t.same(
    shown[0].addr_info.map((a) => `${a.local}/${a.prefixlen}`),
    ['10.1.0.1/24', '10.244.0.1/32'],
  );
  const dumped = (await agent.dump(one((w) => encodeAddrDump(w, 0, Af.Inet)))).map((m) => decodeAddr(m)).filter((a) => a.index === v0);
  t.same(
    dumped.map((a) => [a.local, a.address, a.prefixLen, a.label]),
    [
      ['10.1.0.1', '10.1.0.1', 24, 'v0'],
      ['10.244.0.1', '10.244.0.1', 32, 'v0'],
    ],
  );
  await agent.waitForEvent((ev) => ev.some((h) => {
    const m = decodeMessage(Buffer.from(h, 'hex'));
    return m.kind === 'addr' && m.op === 'new' && m.addr.local === '10.244.0.1';
  }));
  t.pass('RTNLGRP_IPV4_IFADDR delivered RTM_NEWADDR for 10.244.0.1');
  t.equal(await agent.request(one((w) => encodeAddr(w, RtmType.DelAddr, 0, { family: Af.Inet, index: v0, address: '10.244.0.1', prefixLen: 32 }))), 0);
  await agent.waitForEvent((ev) => ev.some((h) => {
    const m = decodeMessage(Buffer.from(h, 'hex'));
    return m.kind === 'addr' && m.op === 'del' && m.addr.local === '10.244.0.1';
  }));
  t.pass('and RTM_DELADDR after the delete');
});

t.test('ipip tunnel device (live check needs the ipip module)', async (t) => {
  const { ns, agent } = await setup(t);
  const errno = await agent.request(one((w) => encodeNewLink(w, LINK_CREATE_FLAGS, 0, { name: 'ptipip0', ipip: { local: '10.1.0.1', ttl: 64 } })));
  // rtnl_newlink answers EOPNOTSUPP ("Unknown device type") when no rtnl_link_ops is registered for the kind.
  const skip =
    errno === EOPNOTSUPP
      ? 'ipip module absent: the kernel refused kind "ipip" with EOPNOTSUPP; the byte-level check against the iproute2 capture still runs in codec.test'
      : false;
  if (skip) t.comment(`skipping the live ipip check: ${skip}`);
  await t.test('the kernel creates the ipip device we encode', { skip }, async (t) => {
    t.equal(errno, 0, 'ipip device created');
    const [shown] = JSON.parse(await exec(ns, 'ip', ['-d', '-j', 'link', 'show', 'dev', 'ptipip0'])) as { linkinfo: { info_kind: string; info_data: { local: string; ttl: number } } }[];
    t.same([shown.linkinfo.info_kind, shown.linkinfo.info_data.local, shown.linkinfo.info_data.ttl], ['ipip', '10.1.0.1', 64]);
  });
});
