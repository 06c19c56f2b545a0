import t from 'tap';
import { InterfaceFilter, InterfaceRoutes, calicoDirectPatterns } from '../../src/fib/interface-routes';
import { KernelRouteTable, learnableKey, type KernelAlt } from '../../src/fib/kernel-learn-table';
import type { DecodedRoute } from '../../src/fib/netlink/route';
import { formatPrefixKey, type PrefixKey } from '../../src/util/prefix';

t.test("Calico's direct pattern list: ignored interfaces, cali*, kube-ipvs* out, the rest in, first match wins", async (t) => {
  const f = new InterfaceFilter(calicoDirectPatterns(['eth9', 'vlan?0']));
  const names = ['eth0', 'eth9', 'vlan10', 'vlan100', 'cali1234abcd', 'kube-ipvs0', 'tunl0', 'vxlan.calico', 'calico'];
  t.same(names.map((n) => f.matches(n)), [true, false, false, true, false, false, true, true, false]);
  t.equal(new InterfaceFilter([{ pattern: 'eth*', include: true }]).matches('lo'), false, 'no match excludes');
});

const route = (r: Partial<DecodedRoute>): DecodedRoute => ({
  family: 2, dst: '10.244.0.5', dstLen: 32, srcLen: 0, tos: 0, table: 254, protocol: 3, scope: 253, type: 1, flags: 0, ...r,
});

t.test('learnable kernel routes follow BIRD learn: alien protocols of the main table, unicast and reject types', async (t) => {
  const f = { protocol: 12, table: 254 };
  const key = (r: Partial<DecodedRoute>) => {
    const k = learnableKey(route(r), f);
    return k === undefined ? undefined : formatPrefixKey(k);
  };
  t.same(
    [key({}), key({ protocol: 80 }), key({ protocol: 4, type: 6, dst: '10.244.0.0', dstLen: 26 }), key({ family: 10, dst: '2001:db8::', dstLen: 64 }), key({ dst: undefined, dstLen: 0 })],
    ['10.244.0.5/32', '10.244.0.5/32', '10.244.0.0/26', '2001:db8::/64', '0.0.0.0/0'],
  );
  t.same(
    [key({ protocol: 0 }), key({ protocol: 1 }), key({ protocol: 2 }), key({ protocol: 12 }), key({ table: 255 }), key({ type: 2 }), key({ tos: 4 }), key({ srcLen: 8 }), key({ flags: 0x200 })],
    [undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined],
  );
});

t.test('the kernel table announces the lowest metric and only real changes', async (t) => {
  const seen: string[] = [];
  const tab = new KernelRouteTable((p, best) => seen.push(`${formatPrefixKey(p)} ${best ? `${best.oif}/${best.metric}` : 'gone'}`));
  const p = 0x0af40005 * 64 + 32 as PrefixKey;
  const alt = (metric: number, oif = 5): KernelAlt => ({ metric, oif, type: 1, protocol: 3 });
  tab.apply('new', p, alt(1024));
  tab.apply('new', p, alt(2000, 6));
  tab.apply('new', p, alt(100, 7));
  tab.apply('new', p, alt(100, 7));
  tab.apply('del', p, alt(100));
  tab.apply('del', p, alt(1024));
  tab.apply('del', p, alt(2000));
  tab.apply('del', p, alt(2000));
  t.same(seen.map((s) => s.split(' ')[1]), ['5/1024', '7/100', '5/1024', '6/2000', 'gone']);
  seen.length = 0;
  tab.apply('new', p, alt(10, 5));
  tab.apply('new', p, alt(20, 6));
  tab.dropOif(5);
  tab.dropOif(6);
  t.same(seen.map((s) => s.split(' ')[1]), ['5/10', '6/20', 'gone'], 'a deleted device takes its routes along');
});

t.test('direct routes: up, matching interfaces, universe scope; lowest ifindex names a shared prefix', async (t) => {
  const seen: string[] = [];
  const d = new InterfaceRoutes(calicoDirectPatterns(), (p, i) => seen.push(`${formatPrefixKey(p)}@${i}`));
  d.setLink(2, 'eth0', true);
  d.setLink(3, 'cali1', true);
  d.setLink(4, 'eth1', false);
  d.addAddress(2, 4, '10.0.0.7', 24, 0);
  d.addAddress(3, 4, '10.1.0.1', 24, 0);
  d.addAddress(4, 4, '10.0.0.8', 24, 0);
  d.addAddress(2, 6, 'fe80::1', 64, 253);
  d.addAddress(2, 6, '2001:db8::7', 64, 0);
  t.same(seen, ['10.0.0.0/24@2', '2001:db8::/64@2']);
  seen.length = 0;
  d.setLink(4, 'eth1', true);
  d.deleteLink(2);
  t.same(seen, ['10.0.0.0/24@4', '2001:db8::/64@0'], 'eth1 takes over the shared prefix; the IPv6 one goes');
  t.equal(d.ifnameOf(d.routes.keys().next().value!), 'eth1');
});
