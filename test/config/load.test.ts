import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigErrors, loadConfig, parseConfigText, parseConfigTexts } from '../../src/config';
import { ConfigError } from '../../src/util/errors';
import { fixturePath, loadFixture } from './fixtures';

t.test('invalid values are errors naming file, line and field; all of them are reported', (t) => {
  const cfg = loadFixture('broken/invalid-values.yaml');
  const f = 'broken/invalid-values.yaml';
  t.same(cfg.errors.map((e) => [e.location.line, e.location.field, e.message]), [
    [7, 'IPPool[bad-cidr].spec.cidr', `${f}:7: IPPool[bad-cidr].spec.cidr: is not a valid CIDR (got "10.300.0.0/16")`],
    [15, 'BGPPeer[bad-as].spec.asNumber', `${f}:15: BGPPeer[bad-as].spec.asNumber: is not a valid AS number (1..4294967295 or asdot X.Y) (got 4294967296)`],
    [23, 'IPPool[bad-enum].spec.ipipMode', `${f}:23: IPPool[bad-enum].spec.ipipMode: must be one of Never, Always, CrossSubnet (got "Sometimes")`],
    [30, 'BGPPeer[bad-selector].spec.nodeSelector', `${f}:30: BGPPeer[bad-selector].spec.nodeSelector: selector: unexpected character '=' at offset 5`],
    [37, 'BGPConfiguration[global].metadata.name', `${f}:37: BGPConfiguration[global].metadata.name: BGPConfiguration name must be "default" or "node.<nodename>" (got "global")`],
    [47, 'BGPPeer[both-peer-kinds].spec.peerSelector', `${f}:47: BGPPeer[both-peer-kinds].spec.peerSelector: peerIP and peerSelector are mutually exclusive`],
    [48, 'BGPPeer[both-peer-kinds].spec.asNumber', `${f}:48: BGPPeer[both-peer-kinds].spec.asNumber: asNumber must be empty with peerSelector (the AS comes from the selected nodes)`],
    [55, 'IPPool[no-cidr].spec.cidr', `${f}:55: IPPool[no-cidr].spec.cidr: is required`],
    [57, 'Node[wrong-api].apiVersion', `${f}:57: Node[wrong-api].apiVersion: must be projectcalico.org/v3 for kind Node`],
    [67, 'PetrelConfiguration[p].spec.listenPort', `${f}:67: PetrelConfiguration[p].spec.listenPort: must be between 1 and 65535 (got 70000)`],
    [69, 'PetrelConfiguration[p].spec.fib.protocol', `${f}:69: PetrelConfiguration[p].spec.fib.protocol: must be an integer (got "twelve")`],
    [78, 'BGPFilter[half-rule].spec.exportV4[0].cidr', `${f}:78: BGPFilter[half-rule].spec.exportV4[0].cidr: cidr and matchOperator must be set together`],
    [81, 'BGPFilter[half-rule].spec.exportV4[1].cidr', `${f}:81: BGPFilter[half-rule].spec.exportV4[1].cidr: must be an IPv4 CIDR in exportV4`],
  ]);
  t.ok(cfg.errors.every((e) => e instanceof ConfigError && e.code === 'ERR_BGP_CONFIG'));
  t.same([cfg.resources.ipPools.length, cfg.resources.bgpPeers.length, cfg.resources.petrel], [0, 0, undefined],
    'a document with an error yields no resource');
  t.end();
});

t.test('unknown kinds and fields are warnings with file:line, never silently ignored', (t) => {
  const cfg = loadFixture('broken/warnings.yaml');
  const f = 'broken/warnings.yaml';
  t.same(cfg.errors, []);
  t.same(cfg.warnings.map((w) => [w.message, w.loc.line, w.loc.field]), [
    [`unsupported kind FelixConfiguration at ${f}:3`, 3, 'FelixConfiguration[default].kind'],
    [`unsupported field BGPPeer[tor].metadata.colour at ${f}:13`, 13, 'BGPPeer[tor].metadata.colour'],
    [`unsupported field BGPPeer[tor].spec.holdTime at ${f}:17`, 17, 'BGPPeer[tor].spec.holdTime'],
    [`field BGPConfiguration[node.n1].spec.asNumber is ignored in a per-node BGPConfiguration (confd reads it only from "default") at ${f}:25`, 25, 'BGPConfiguration[node.n1].spec.asNumber'],
    [`unsupported field BGPPeer[workloads].spec.localWorkloadSelector (local workload peering is not implemented; peer skipped) at ${f}:32`, 32, 'BGPPeer[workloads].spec.localWorkloadSelector'],
  ]);
  t.same(cfg.resources.bgpPeers.map((p) => p.name), ['tor'], 'the peer with an unknown field is still loaded');
  t.equal(cfg.resources.bgpConfigurations[0].listenPort, 1790);
  t.end();
});

t.test('YAML syntax errors carry the line', (t) => {
  const cfg = parseConfigText('apiVersion: projectcalico.org/v3\nkind: Node\nmetadata:\n  name: a\n  name: b\n', 'dup.yaml');
  t.equal(cfg.errors.length, 1);
  t.equal(cfg.errors[0].message, 'dup.yaml:5: YAML: Map keys must be unique');
  const cfg2 = parseConfigText('kind: Node\nspec: [1, 2\n', 'open.yaml');
  t.equal(cfg2.errors[0].location.file, 'open.yaml');
  t.equal(cfg2.errors[0].location.line, 3);
  t.end();
});

t.test('duplicate resources and a second PetrelConfiguration are errors', (t) => {
  const node = 'apiVersion: projectcalico.org/v3\nkind: Node\nmetadata: {name: a}\n';
  const petrel = 'apiVersion: petrel/v1\nkind: PetrelConfiguration\nmetadata: {name: p1}\n';
  const cfg = parseConfigTexts([
    { file: 'one.yaml', text: `${node}---\n${petrel}` },
    { file: 'two.yaml', text: `# again\n${node}---\n${petrel.replace('p1', 'p2')}` },
  ]);
  t.same(cfg.errors.map((e) => e.message), [
    'two.yaml:2: Node[a]: duplicate Node "a" (first defined at one.yaml:1)',
    'two.yaml:6: PetrelConfiguration[p2]: only one PetrelConfiguration is allowed (another at one.yaml:5)',
  ]);
  t.end();
});

t.test('List wrappers (calicoctl/kubectl output) are unpacked', (t) => {
  const cfg = parseConfigText(`apiVersion: projectcalico.org/v3
kind: NodeList
items:
  - apiVersion: projectcalico.org/v3
    kind: Node
    metadata: {name: a, resourceVersion: "12", uid: x}
    spec: {bgp: {ipv4Address: 10.0.0.1/24}, orchRefs: [{nodeName: a, orchestrator: k8s}]}
  - apiVersion: projectcalico.org/v3
    kind: Node
    metadata: {name: b}
    spec: {bgp: {ipv4Address: 10.0.0.2}}
    status: {podCIDRs: []}
`, 'list.yaml');
  t.same(cfg.errors, []);
  t.same(cfg.warnings, []);
  t.same(cfg.resources.nodes.map((n) => [n.name, n.ipv4Address]), [
    ['a', { ip: '10.0.0.1', prefixLength: 24, network: '10.0.0.0/24' }],
    ['b', { ip: '10.0.0.2', prefixLength: 32, network: '10.0.0.2/32' }],
  ]);
  t.end();
});

t.test('values are canonicalised: CIDRs, IPv6, asdot AS numbers, durations, KDD string booleans', (t) => {
  const cfg = parseConfigText(`apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: p}
spec: {cidr: "FD00:0:0:1:0::/64"}
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: q}
spec: {peerIP: "[FD00::0001]:1790", asNumber: "1.10", maxRestartTime: 1m30.6s, keepaliveTime: 1500ms}
---
apiVersion: projectcalico.org/v3
kind: BlockAffinity
metadata: {name: b}
spec: {node: n, cidr: 10.9.0.5/26, state: "", deleted: "true"}
`, 'canon.yaml');
  t.same(cfg.errors, []);
  t.equal(cfg.resources.ipPools[0].cidr, 'fd00:0:0:1::/64');
  t.equal(cfg.resources.ipPools[0].blockSize, 122);
  const p = cfg.resources.bgpPeers[0];
  t.same([p.peerIP, p.asNumber, p.maxRestartTime, p.keepaliveTime], [{ ip: 'fd00::1', port: 1790 }, 65546, 91, 2]);
  const b = cfg.resources.blockAffinities[0];
  t.same([b.cidr, b.state, b.deleted], ['10.9.0.0/26', undefined, true]);
  t.end();
});

t.test('loadConfig reads a directory of *.yaml/*.yml in name order and throws ConfigErrors on errors', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'petrel-config-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, '10-nodes.yaml'), 'apiVersion: projectcalico.org/v3\nkind: Node\nmetadata: {name: a}\nspec: {bgp: {ipv4Address: 10.0.0.1/24}}\n');
  writeFileSync(join(dir, '20-pool.yml'), 'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\nspec: {cidr: 10.244.0.0/16}\n');
  writeFileSync(join(dir, 'notes.txt'), 'not: yaml: at: all:');
  const ok = await loadConfig(dir);
  t.same(ok.files, [join(dir, '10-nodes.yaml'), join(dir, '20-pool.yml')]);
  t.same([ok.resources.nodes.length, ok.resources.ipPools.length], [1, 1]);

  writeFileSync(join(dir, '30-bad.yaml'), 'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: q}\nspec: {cidr: nonsense}\n');
  const err = await loadConfig(dir).then(() => undefined, (e: unknown) => e);
  t.ok(err instanceof ConfigErrors);
  t.equal((err as ConfigErrors).message, `1 configuration error:\n  ${join(dir, '30-bad.yaml')}:4: IPPool[q].spec.cidr: is not a valid CIDR (got "nonsense")`);
  t.equal((err as ConfigErrors).errors.length, 1);

  const missing = await loadConfig(join(dir, 'absent.yaml')).then(() => undefined, (e: unknown) => e);
  t.equal((missing as ConfigError).message, `${join(dir, 'absent.yaml')}: cannot read configuration: ENOENT`);
});

t.test('several paths combine: shared cluster file plus a node-local PetrelConfiguration', async (t) => {
  const cfg = await loadConfig([fixturePath('mesh-3.yaml'), fixturePath('../../../config/demo/node-a/petrel.yaml')]);
  t.equal(cfg.resources.nodes.length, 3);
  t.equal(cfg.resources.petrel?.spec.nodeName, 'node-a');
});
