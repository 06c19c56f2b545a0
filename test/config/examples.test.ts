import t from 'tap';
import { join } from 'node:path';
import { deriveNodeConfig, loadConfig } from '../../src/config';

const configDir = join(__dirname, '..', '..', '..', 'config');

t.test('config/example-cluster.yaml loads cleanly and gives node-1 the documented sessions', async (t) => {
  const cfg = await loadConfig(join(configDir, 'example-cluster.yaml'));
  t.same(cfg.warnings, []);
  const n1 = deriveNodeConfig(cfg, 'node-1');
  t.same(n1.peers.map((p) => [p.name, p.passive, p.filters]), [
    ['Global_10_0_0_1', false, ['tor-export-policy']],
    ['Mesh_10_0_0_12', true, []],
    ['Mesh_10_0_0_13', true, []],
  ]);
  t.same(n1.advertisements.blocks.map((b) => b.cidr), ['192.168.10.0/26']);
  t.same(n1.advertisements.services.staticRoutes, ['10.96.0.0/12']);
});

t.test('config/demo: node-a and node-b peer with the ToR (eBGP) and each other (iBGP mesh)', async (t) => {
  for (const [node, ip, other, passive, block, api] of [
    ['node-a', '10.99.0.2', '10.99.0.3', true, '10.244.1.0/26', '127.0.0.1:50051'],
    ['node-b', '10.99.0.3', '10.99.0.2', false, '10.244.2.0/26', '127.0.0.1:50052'],
  ] as const) {
    const cfg = await loadConfig([join(configDir, 'demo', 'cluster.yaml'), join(configDir, 'demo', node, 'petrel.yaml')]);
    t.same(cfg.warnings, []);
    const n = deriveNodeConfig(cfg, cfg.resources.petrel?.spec.nodeName ?? '');
    t.same([n.nodeName, n.routerId, n.localAs], [node, ip, 64512]);
    t.same(n.peers.map((p) => [p.name, p.peerIp, p.peerAs, p.internal, p.passive, p.sourceAddress]), [
      ['Global_10_99_0_1', '10.99.0.1', 65000, false, false, ip],
      [`Mesh_${other.replaceAll('.', '_')}`, other, 64512, true, passive, ip],
    ]);
    t.same(n.advertisements.blocks.map((b) => [b.cidr, b.aggregate]), [[block, true]]);
    t.same(n.advertisements.pools.map((p) => [p.cidr, p.export, p.kernel]), [['10.244.0.0/16', 'accept', { action: 'accept', tunnel: 'none' }]]);
    t.same([n.daemon.apiListen, n.daemon.fib.protocol, n.daemon.controlSocket], [api, 12, `/run/petrel/${node}/bird.ctl`]);
  }
});
