import t from 'tap';
import { deriveNodeConfig, parseConfigText } from '../../src/config';
import { deriveTunnelPlan } from '../../src/config/tunnels';
import { resolvePetrelSettings } from '../../src/config/settings';

function node(name: string, ip: string, vxlan?: string, mac?: string, ipip?: string): string {
  return `---
apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: ${name}}
spec:
  bgp: {ipv4Address: ${ip}${ipip ? `, ipv4IPIPTunnelAddr: ${ipip}` : ''}}
${vxlan ? `  ipv4VXLANTunnelAddr: ${vxlan}\n` : ''}${mac ? `  vxlanTunnelMACAddr: "${mac}"\n` : ''}`;
}
function pool(name: string, cidr: string, mode: string, kind: 'vxlanMode' | 'ipipMode' = 'vxlanMode'): string {
  return `---\napiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: ${name}}\nspec: {cidr: ${cidr}, ${kind}: ${mode}}\n`;
}
function block(node: string, cidr: string, extra = ''): string {
  return `---\napiVersion: projectcalico.org/v3\nkind: BlockAffinity\nmetadata: {name: ${node}-${cidr.replace(/[./]/g, '-')}}\nspec: {node: ${node}, cidr: ${cidr}${extra}}\n`;
}
const petrel = (spec: string) => `---\napiVersion: petrel/v1\nkind: PetrelConfiguration\nmetadata: {name: p}\nspec: ${spec}\n`;

const cluster = [
  node('a', '10.0.0.1/24', '10.245.0.1', '66:0F:5A:00:00:01'),
  node('b', '10.0.0.2/24', '10.245.1.1', '66:0f:5a:00:00:02'),
  node('c', '10.9.0.3/24', '10.245.2.1', '66:0f:5a:00:00:03'),
  node('d', '10.0.0.4/24'),
  pool('always', '10.244.0.0/16', 'Always'),
  pool('cross', '10.250.0.0/16', 'CrossSubnet'),
  block('a', '10.244.0.0/26'),
  block('b', '10.244.1.0/26'),
  block('c', '10.244.2.0/26'),
  block('b', '10.250.1.0/26'),
  block('c', '10.250.2.0/26'),
  block('b', '10.244.9.0/26', ', state: pending'),
  block('c', '10.244.8.0/26', ', deleted: "true"'),
  block('d', '10.244.4.0/26'),
].join('');

t.test('tunnels default to off: the plan names why and holds no device', async (t) => {
  const cfg = deriveNodeConfig(parseConfigText(cluster), 'a');
  t.same(cfg.daemon.tunnels, { ipip: 'off', vxlan: 'off', ipipMtu: 1440, vxlanMtu: 1410, vxlanVni: 4096, vxlanPort: 4789 });
  t.same(cfg.tunnels, { notes: ['ipip: management off (tunnels.ipip)', 'vxlan: management off (tunnels.vxlan)'] });
});

t.test('vxlan auto: VTEPs of every other node, routes per remote block (Always: tunnel; CrossSubnet: tunnel only off-subnet)', async (t) => {
  const cfg = deriveNodeConfig(parseConfigText(cluster + petrel('{tunnels: {vxlan: auto, vxlanMtu: 1450}}')), 'a');
  t.same(cfg.tunnels, {
    notes: ['ipip: management off (tunnels.ipip)', 'vxlan: node d skipped (no ipv4VXLANTunnelAddr, no vxlanTunnelMACAddr)'],
    vxlan: {
      device: 'vxlan.calico', vni: 4096, port: 4789, mtu: 1450, local: '10.0.0.1', address: '10.245.0.1', mac: '66:0f:5a:00:00:01',
      metric: 1024, poolCidrs: ['10.244.0.0/16', '10.250.0.0/16'],
      vteps: [
        { node: 'b', nodeIp: '10.0.0.2', tunnelAddr: '10.245.1.1', mac: '66:0f:5a:00:00:02' },
        { node: 'c', nodeIp: '10.9.0.3', tunnelAddr: '10.245.2.1', mac: '66:0f:5a:00:00:03' },
      ],
      routes: [
        { cidr: '10.244.1.0/26', node: 'b', mode: 'vxlan', via: '10.245.1.1' },
        { cidr: '10.244.2.0/26', node: 'c', mode: 'vxlan', via: '10.245.2.1' },
        { cidr: '10.250.1.0/26', node: 'b', mode: 'direct', via: '10.0.0.2' },
        { cidr: '10.250.2.0/26', node: 'c', mode: 'vxlan', via: '10.245.2.1' },
      ],
    },
  });
});

t.test('ipip auto: tunl0 with the node tunnel address and MTU, only when a pool uses ipipMode', async (t) => {
  const text = [node('a', '10.0.0.1/24', undefined, undefined, '10.246.0.1'), pool('p', '10.244.0.0/16', 'CrossSubnet', 'ipipMode')].join('');
  const loaded = parseConfigText(text + petrel('{tunnels: {ipip: auto, vxlan: auto, ipipMtu: 1480}}'));
  t.same(deriveNodeConfig(loaded, 'a').tunnels, {
    notes: ['vxlan: no IPv4 pool uses vxlanMode'],
    ipip: { device: 'tunl0', mtu: 1480, address: '10.246.0.1' },
  });
  const noPool = deriveTunnelPlan(parseConfigText(node('a', '10.0.0.1/24')).resources, 'a', resolvePetrelSettings({ kind: 'PetrelConfiguration', name: 'p', labels: {}, loc: {}, spec: { tunnels: { ipip: 'auto' } } }));
  t.same(noPool.notes, ['ipip: no IPv4 pool uses ipipMode', 'vxlan: management off (tunnels.vxlan)']);
  t.equal(noPool.ipip, undefined);
});

t.test('a node without its own VXLAN tunnel address gets no VXLAN plan; bad MACs and settings are errors', async (t) => {
  const plan = deriveTunnelPlan(parseConfigText(cluster).resources, 'd', { tunnels: { ...resolvePetrelSettings().tunnels, vxlan: 'auto' } });
  t.same(plan.notes, ['ipip: management off (tunnels.ipip)', 'vxlan: node d has no ipv4VXLANTunnelAddr']);
  const bad = parseConfigText(node('x', '10.0.0.1/24', '10.245.0.1', '66:0f:5a') + petrel('{tunnels: {vxlan: sometimes}}'), 'c.yaml');
  t.same(bad.errors.map((e) => e.message.replace(/^c\.yaml:\d+(:\d+)?: /, '')), [
    'Node[x].spec.vxlanTunnelMACAddr: is not a MAC address aa:bb:cc:dd:ee:ff (got "66:0f:5a")',
    'PetrelConfiguration[p].spec.tunnels.vxlan: must be one of auto, off (got "sometimes")',
  ]);
});

t.test('vxlan block routes use the normal route priority of BGPConfiguration default (as Felix programs them)', async (t) => {
  const bgp = (name: string, prio: number) => `---\napiVersion: projectcalico.org/v3\nkind: BGPConfiguration\nmetadata: {name: ${name}}\nspec: {ipv4NormalRoutePriority: ${prio}}\n`;
  const settings = { tunnels: { ...resolvePetrelSettings().tunnels, vxlan: 'auto' as const } };
  t.equal(deriveTunnelPlan(parseConfigText(cluster + bgp('default', 2048)).resources, 'a', settings).vxlan?.metric, 2048);
  t.equal(deriveTunnelPlan(parseConfigText(cluster + bgp('node.a', 512)).resources, 'a', settings).vxlan?.metric, 1024, 'a per-node BGPConfiguration does not set it');
});
