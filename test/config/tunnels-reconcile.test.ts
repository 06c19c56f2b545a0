import t from 'tap';
import { parseConfigText } from '../../src/config';
import { deriveTunnelPlan } from '../../src/config/tunnels';
import { resolvePetrelSettings } from '../../src/config/settings';
import { reconcileActions, type TunnelSnapshot } from '../../src/fib/tunnels/reconcile';
import { TUNNEL_ROUTE_PROTOCOL } from '../../src/fib/tunnels/tunnel-manager';
import { Af, Iff, RouteFlag, RouteType, type DecodedRoute } from '../../src/fib/netlink/codec';

// From the Calico resources to the tunnel manager's route requests: the block routes carry Felix's protocol and the
// normal route priority, and routes of ours at another metric are replaced (the kernel keys routes by metric).
const cluster = `
apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: a}
spec: {bgp: {ipv4Address: 10.0.0.1/24}, ipv4VXLANTunnelAddr: 10.244.0.0, vxlanTunnelMACAddr: "66:0f:5a:00:00:01"}
---
apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: b}
spec: {bgp: {ipv4Address: 10.0.0.2/24}, ipv4VXLANTunnelAddr: 10.244.1.0, vxlanTunnelMACAddr: "66:0f:5a:00:00:02"}
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: vx}
spec: {cidr: 10.244.0.0/16, vxlanMode: Always, ipipMode: Never}
---
apiVersion: projectcalico.org/v3
kind: BlockAffinity
metadata: {name: b-10-244-1-0-26}
spec: {node: b, cidr: 10.244.1.0/26}
---
apiVersion: projectcalico.org/v3
kind: BlockAffinity
metadata: {name: b-10-244-2-0-26}
spec: {node: b, cidr: 10.244.2.0/26}
`;

const VX = 7;
const opts = { protocol: TUNNEL_ROUTE_PROTOCOL, table: 254 };

function route(dst: string, priority: number, gateway: string): DecodedRoute {
  return {
    family: Af.Inet, dst, dstLen: 26, table: 254, protocol: TUNNEL_ROUTE_PROTOCOL, type: RouteType.Unicast, scope: 0,
    flags: RouteFlag.Onlink, tos: 0, srcLen: 0, gateway, oif: VX, ...(priority ? { priority } : {}),
  };
}

t.test('tunnel routes: Felix\'s protocol (80), normal priority; a route of ours at another metric is replaced', async (t) => {
  t.equal(TUNNEL_ROUTE_PROTOCOL, 80);
  const plan = deriveTunnelPlan(parseConfigText(cluster).resources, 'a', { tunnels: { ...resolvePetrelSettings().tunnels, vxlan: 'auto' } });
  const v = plan.vxlan!;
  t.equal(v.metric, 1024);
  const snap: TunnelSnapshot = {
    links: [{ index: VX, type: 1, flags: Iff.Up, name: 'vxlan.calico', mtu: 1410, address: '66:0f:5a:00:00:01', kind: 'vxlan', vxlan: { id: 4096, port: 4789, local: '10.0.0.1', learning: false } }],
    addrs: [{ family: Af.Inet, index: VX, prefixLen: 32, scope: 0, flags: 0, local: '10.244.0.0', address: '10.244.0.0' }],
    neighs: [],
    fdb: [],
    routes: [
      route('10.244.1.0', 0, '10.244.1.0'), route('10.244.2.0', 1024, '10.244.1.0'),
      // A workload route inside the pool with the same protocol (Felix's may use 80 too): not ours.
      { family: Af.Inet, dst: '10.244.0.5', dstLen: 32, table: 254, protocol: TUNNEL_ROUTE_PROTOCOL, type: RouteType.Unicast, scope: 253, flags: 0, tos: 0, srcLen: 0, oif: 9, priority: 1024 },
    ],
  };
  t.same(reconcileActions(plan, snap, opts).map((a) => a.what), [
    'ip neigh replace 10.244.1.0 lladdr 66:0f:5a:00:00:02 dev vxlan.calico nud permanent',
    'bridge fdb replace 66:0f:5a:00:00:02 dev vxlan.calico dst 10.0.0.2 self permanent',
    'ip route del 10.244.1.0/26 proto 80',
    'ip route replace 10.244.1.0/26 via 10.244.1.0 dev vxlan.calico onlink proto 80 metric 1024',
  ], 'the metric-0 route is deleted and re-added at 1024; the one already at 1024 and the workload route are left alone');
});
