import t from 'tap';
import { deriveNodeConfig, diffConfig } from '../../src/config';
import { loadFixture } from './fixtures';

const derive = (edit: (s: string) => string = (s) => s, node = 'a') => deriveNodeConfig(loadFixture('peers.yaml', edit), node);

t.test('identical configs: every peer kept, nothing changed', (t) => {
  const d = diffConfig(derive(), derive());
  t.same(d.added, []);
  t.same(d.removed, []);
  t.same(d.reset, []);
  t.same(d.soft, []);
  t.same(d.kept, ['Global_10_1_0_252_port_179', 'Global_10_1_0_253_port_1179', 'Global_10_1_0_254', 'Global_10_1_0_4_port_1790', 'Node_10_1_0_3', 'Node_192_0_2_1']);
  t.same([d.advertisementsChanged, d.filtersChanged, d.routerIdChanged, d.listenChanged, d.daemonChanged], [[], [], false, false, []]);
  t.end();
});

t.test('an option change resets only that peer; add and remove are reported', (t) => {
  const next = derive((s) => s
    .replace('spec: {peerIP: 10.1.0.254, asNumber: 65000}', 'spec: {peerIP: 10.1.0.254, asNumber: 65001}')
    .replace('  keepaliveTime: 20s', '  keepaliveTime: 30s')
    .replace('spec: {peerIP: "10.1.0.252:179", asNumber: 65000}', 'spec: {peerIP: "10.1.0.251", asNumber: 65000}'));
  const d = diffConfig(derive(), next);
  t.same(d.peers.filter((p) => p.action !== 'keep'), [
    { name: 'Global_10_1_0_251', action: 'add', reasons: [] },
    { name: 'Global_10_1_0_252_port_179', action: 'remove', reasons: [] },
    { name: 'Global_10_1_0_254', action: 'reset', reasons: ['peerAs'] },
    { name: 'Node_192_0_2_1', action: 'reset', reasons: ['keepaliveTime'] },
  ]);
  t.same(d.kept, ['Global_10_1_0_253_port_1179', 'Global_10_1_0_4_port_1790', 'Node_10_1_0_3']);
  t.end();
});

t.test('a password reference change resets the session', (t) => {
  const d = diffConfig(derive(), derive((s) => s.replace('key: upstream', 'key: upstream-v2')));
  t.same(d.reset, ['Node_192_0_2_1']);
  t.same(d.peers.find((p) => p.name === 'Node_192_0_2_1')?.reasons, ['password']);
  t.end();
});

t.test('a BGPFilter rule change is a soft reconfiguration of the peers using it', (t) => {
  const d = diffConfig(derive(), derive((s) => s.replace('action: Reject, matchOperator: NotIn', 'action: Accept, matchOperator: NotIn')));
  t.same(d.filtersChanged, ['f1']);
  t.same(d.soft, ['Node_192_0_2_1']);
  t.same(d.peers.find((p) => p.name === 'Node_192_0_2_1')?.reasons, ['BGPFilter/f1']);
  t.same(d.reset, []);
  t.end();
});

t.test('changing a peer filter list is soft, not a reset', (t) => {
  const d = diffConfig(derive(), derive((s) => s.replace('  filters: [f1, missing-filter]', '  filters: [missing-filter]')));
  t.same(d.soft, ['Node_192_0_2_1']);
  t.same(d.peers.find((p) => p.name === 'Node_192_0_2_1')?.reasons, ['filters']);
  t.end();
});

t.test('export input changes (a new block) soft-reconfigure every peer; listen and router id are tracked', (t) => {
  const block = '---\napiVersion: projectcalico.org/v3\nkind: BlockAffinity\nmetadata: {name: a1}\nspec: {node: a, cidr: 10.244.7.0/26}\n';
  const d = diffConfig(derive(), derive((s) => s + block));
  t.same(d.advertisementsChanged, ['blocks']);
  t.equal(d.soft.length, 6);
  t.same(d.peers[0].reasons, ['advertisements.blocks']);

  const ign = diffConfig(derive(), derive((s) => s.replace('spec: {nodeToNodeMeshEnabled: false, asNumber: 64512}', 'spec: {nodeToNodeMeshEnabled: false, asNumber: 64512, ignoredInterfaces: [eth9]}')));
  t.same(ign.advertisementsChanged, ['directInterfaces', 'ignoredInterfaces']);
  t.same(ign.soft, [], 'direct-protocol inputs do not touch BGP export filters');

  const lp = diffConfig(derive(undefined, 'd'), derive((s) => s.replace('spec: {listenPort: 1790}', 'spec: {listenPort: 1791}'), 'd'));
  t.equal(lp.listenChanged, true);
  t.same(lp.reset, []);
  t.end();
});

t.test('a router id change or new session timers reset every surviving peer', (t) => {
  const old = derive();
  const next = deriveNodeConfig(loadFixture('peers.yaml'), 'a', { CALICO_ROUTER_ID: '10.9.9.9' });
  const d = diffConfig(old, next);
  t.equal(d.routerIdChanged, true);
  t.equal(d.reset.length, 6);
  t.same(d.peers[0].reasons, ['routerId']);

  const petrel = '---\napiVersion: petrel/v1\nkind: PetrelConfiguration\nmetadata: {name: p}\nspec: {timers: {holdTime: 90}, logLevel: debug}\n';
  const t2 = diffConfig(old, derive((s) => s + petrel));
  t.same(t2.daemonChanged, ['logLevel', 'timers']);
  t.equal(t2.reset.length, 6);
  t.same(t2.peers[0].reasons, ['daemon.timers']);
  const logOnly = diffConfig(old, derive((s) => s + petrel.replace('timers: {holdTime: 90}, ', '')));
  t.same([logOnly.daemonChanged, logOnly.reset], [['logLevel'], []]);
  t.end();
});
