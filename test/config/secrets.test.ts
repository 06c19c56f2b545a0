import t from 'tap';
import { createHash } from 'node:crypto';
import { deriveNodeConfig } from '../../src/config';
import { diffConfig } from '../../src/config/diff';
import { parseConfigText } from '../../src/config/load';
import { speakerPeerConfig } from '../../src/daemon/peer-config';

const BASE = `apiVersion: projectcalico.org/v3
kind: BGPConfiguration
metadata: {name: default}
spec:
  asNumber: 64512
  nodeMeshPassword: {secretKeyRef: {name: bgp-secrets, key: mesh}}
---
apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: a}
spec: {bgp: {ipv4Address: 10.1.0.1/24}}
---
apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: b}
spec: {bgp: {ipv4Address: 10.1.0.2/24}}
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: tor}
spec:
  peerIP: 10.1.0.254
  asNumber: 65000
  ttlSecurity: 1
  password: {secretKeyRef: {name: bgp-secrets, key: tor}}
`;
const SECRET = `---
apiVersion: v1
kind: Secret
metadata: {name: bgp-secrets, namespace: calico-system}
data:
  mesh: bWVzaC1zZWNyZXQ=
stringData:
  tor: tor-secret
`;

t.test('passwords resolve from a Secret (data base64, stringData); the text never serializes', (t) => {
  const loaded = parseConfigText(BASE + SECRET, 'c.yaml');
  t.same(loaded.errors, []);
  t.same(loaded.warnings, []);
  t.equal(loaded.secrets?.length, 1);
  const cfg = deriveNodeConfig(loaded, 'a');
  const [tor, mesh] = cfg.peers;
  t.equal(tor.name, 'Global_10_1_0_254');
  t.equal(mesh.name, 'Mesh_10_1_0_2');
  t.equal(mesh.password?.resolved && mesh.password.value, 'mesh-secret');
  t.equal(tor.password?.resolved && tor.password.value, 'tor-secret');
  t.notMatch(JSON.stringify(cfg), /tor-secret|mesh-secret/);
  t.same(JSON.parse(JSON.stringify(tor.password)), {
    secretKeyRef: { name: 'bgp-secrets', key: 'tor' }, resolved: true,
    digest: createHash('sha256').update('tor-secret').digest('hex'),
  });
  const sp = speakerPeerConfig(cfg, tor);
  t.equal(sp.password, 'tor-secret');
  t.equal(sp.ttlSecurity, 1);
  t.equal(sp.multihop, 1);
  const sm = speakerPeerConfig(cfg, mesh);
  t.equal(sm.password, 'mesh-secret');
  t.equal(sm.ttlSecurity, undefined);
  t.equal(sm.multihop, 64);
  t.end();
});

t.test('a changed secret value resets only the peers using it', (t) => {
  const before = deriveNodeConfig(parseConfigText(BASE + SECRET, 'c.yaml'), 'a');
  const after = deriveNodeConfig(parseConfigText(BASE + SECRET.replace('tor: tor-secret', 'tor: tor-secret-2'), 'c.yaml'), 'a');
  const d = diffConfig(before, after);
  t.same(d.reset, ['Global_10_1_0_254']);
  t.same(d.peers.find((p) => p.name === 'Global_10_1_0_254')?.reasons, ['password']);
  t.end();
});

t.test('a missing Secret or key is an error at the referencing field, with file and line', (t) => {
  t.throws(() => deriveNodeConfig(parseConfigText(BASE, 'c.yaml'), 'a'), {
    message: '2 configuration errors:\n'
      + '  c.yaml:1: BGPConfiguration[default].spec.nodeMeshPassword.secretKeyRef: Secret "bgp-secrets" is not in the configuration (add a "kind: Secret" document, apiVersion v1)\n'
      + '  c.yaml:18: BGPPeer[tor].spec.password.secretKeyRef: Secret "bgp-secrets" is not in the configuration (add a "kind: Secret" document, apiVersion v1)',
  });
  t.throws(() => deriveNodeConfig(parseConfigText(BASE + SECRET.replace('tor: tor-secret', 'other: x'), 'c.yaml'), 'a'), {
    message: '1 configuration error:\n  c.yaml:18: BGPPeer[tor].spec.password.secretKeyRef: Secret "bgp-secrets" (c.yaml:27) has no key "tor"',
  });
  t.throws(() => deriveNodeConfig(parseConfigText(BASE + SECRET.replace('tor: tor-secret', `tor: ${'x'.repeat(80)}`), 'c.yaml'), 'a'), {
    message: '1 configuration error:\n  c.yaml:18: BGPPeer[tor].spec.password.secretKeyRef: Secret "bgp-secrets" key "tor" is longer than 79 octets (the TCP MD5 key limit)',
  });
  t.end();
});

t.test('Secret documents are validated: apiVersion, base64, duplicates; NAMESPACE picks among namespaces', (t) => {
  const bad = parseConfigText(SECRET.replace('apiVersion: v1', 'apiVersion: v2'), 's.yaml');
  t.same(bad.errors.map((e) => e.message), ['s.yaml:2: Secret[bgp-secrets].apiVersion: must be v1 for kind Secret']);
  const b64 = parseConfigText(SECRET.replace('bWVzaC1zZWNyZXQ=', 'not base64!'), 's.yaml');
  t.same(b64.errors.map((e) => e.message), ['s.yaml:6: Secret[bgp-secrets].data.mesh: is not base64']);
  const dup = parseConfigText(SECRET + SECRET, 's.yaml');
  t.same(dup.errors.map((e) => e.message), ['s.yaml:10: Secret[bgp-secrets]: duplicate Secret "bgp-secrets" (first defined at s.yaml:2)']);
  const two = BASE + SECRET + SECRET.replace('calico-system', 'kube-system').replace('tor: tor-secret', 'tor: other');
  t.throws(() => deriveNodeConfig(parseConfigText(two, 'c.yaml'), 'a'), { message: /exists in several namespaces \(calico-system, kube-system\): set NAMESPACE/ });
  const picked = deriveNodeConfig(parseConfigText(two, 'c.yaml'), 'a', { NAMESPACE: 'kube-system' });
  t.equal(picked.peers[0].password?.resolved && picked.peers[0].password.value, 'other');
  t.end();
});
