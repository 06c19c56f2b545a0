import t from 'tap';
import { renderBirdConfig, birdProtocolName } from '../../interop-tests/lib/bird-config.js';
import { renderFrrBgpd, renderFrrZebra } from '../../interop-tests/lib/frr-config.js';
import type { RouterSpec } from '../../interop-tests/lib/types.js';

const spec: RouterSpec = {
  name: 'tor',
  routerId: '10.0.0.1',
  localAs: 65001,
  neighbors: [
    { address: '10.0.0.2', remoteAs: 65002, passive: true },
    { address: 'fd00::2', remoteAs: 65002, holdTime: 30, keepaliveTime: 10, connectRetryTime: 5 },
  ],
  networks: ['10.1.0.0/24', 'fd00:1::/64'],
};

t.test('FRR zebra.conf', async (t) => {
  t.equal(renderFrrZebra(spec, '/tmp/x/zebra.log'), 'hostname tor\nlog file /tmp/x/zebra.log\n');
});

t.test('FRR bgpd.conf', async (t) => {
  t.equal(
    renderFrrBgpd(spec, '/tmp/x/bgpd.log'),
    [
      'frr defaults datacenter',
      'hostname tor',
      'log file /tmp/x/bgpd.log',
      '!',
      'router bgp 65001',
      ' bgp router-id 10.0.0.1',
      ' no bgp ebgp-requires-policy',
      ' no bgp network import-check',
      ' no bgp default ipv4-unicast',
      ' neighbor 10.0.0.2 remote-as 65002',
      ' neighbor 10.0.0.2 timers 3 9',
      ' neighbor 10.0.0.2 timers connect 2',
      ' neighbor 10.0.0.2 passive',
      ' neighbor fd00::2 remote-as 65002',
      ' neighbor fd00::2 timers 10 30',
      ' neighbor fd00::2 timers connect 5',
      ' !',
      ' address-family ipv4 unicast',
      '  network 10.1.0.0/24',
      '  neighbor 10.0.0.2 activate',
      ' exit-address-family',
      ' !',
      ' address-family ipv6 unicast',
      '  network fd00:1::/64',
      '  neighbor fd00::2 activate',
      ' exit-address-family',
      '!',
      '',
    ].join('\n'),
  );
});

t.test('BIRD 2 config', async (t) => {
  t.equal(
    renderBirdConfig(spec, 2, '/tmp/y/bird.log'),
    [
      'router id 10.0.0.1;',
      'log "/tmp/y/bird.log" all;',
      '',
      'protocol device {',
      '  scan time 10;',
      '}',
      '',
      'protocol static static_ipv4 {',
      '  ipv4;',
      '  route 10.1.0.0/24 blackhole;',
      '}',
      '',
      'protocol static static_ipv6 {',
      '  ipv6;',
      '  route fd00:1::/64 blackhole;',
      '}',
      '',
      'protocol bgp peer_10_0_0_2 {',
      '  local as 65001;',
      '  neighbor 10.0.0.2 as 65002;',
      '  hold time 9;',
      '  keepalive time 3;',
      '  connect retry time 2;',
      '  error wait time 1, 5;',
      '  passive on;',
      '  ipv4 { import all; export all; };',
      '}',
      '',
      'protocol bgp peer_fd00__2 {',
      '  local as 65001;',
      '  neighbor fd00::2 as 65002;',
      '  hold time 30;',
      '  keepalive time 10;',
      '  connect retry time 5;',
      '  error wait time 1, 5;',
      '  ipv6 { import all; export all; };',
      '}',
      '',
    ].join('\n'),
  );
});

t.test('BIRD 1.6 config (IPv4 only, kernel protocol when fib)', async (t) => {
  const v4: RouterSpec = { name: 'n1', routerId: '10.0.0.1', localAs: 64512, neighbors: [{ address: '10.0.0.2', remoteAs: 64512 }], networks: ['10.1.0.0/26'], fib: true };
  t.equal(
    renderBirdConfig(v4, 1, '/l'),
    [
      'router id 10.0.0.1;',
      'log "/l" all;',
      '',
      'protocol device {',
      '  scan time 10;',
      '}',
      'protocol kernel kernel_ipv4 {',
      '  export all;',
      '}',
      '',
      'protocol static static_ipv4 {',
      '  route 10.1.0.0/26 blackhole;',
      '}',
      '',
      'protocol bgp peer_10_0_0_2 {',
      '  local as 64512;',
      '  neighbor 10.0.0.2 as 64512;',
      '  hold time 9;',
      '  keepalive time 3;',
      '  connect retry time 2;',
      '  error wait time 1, 5;',
      '  import all;',
      '  export all;',
      '}',
      '',
    ].join('\n'),
  );
  t.throws(() => renderBirdConfig(spec, 1, '/l'), { code: 'ERR_BGP_CONFIG', message: /IPv4-only.*'fd00:1::\/64'/ });
  t.throws(() => renderBirdConfig({ ...v4, neighbors: [{ address: '10.0.0.2', remoteAs: 1, families: ['ipv6'] }] }, 1, '/l'), {
    message: /IPv4-only.*'10\.0\.0\.2'/,
  });
});

t.test('IPv4 over an IPv6 session gets extended next hop (BIRD 2)', async (t) => {
  const s: RouterSpec = { name: 'x', routerId: '1.1.1.1', localAs: 1, neighbors: [{ address: 'fd00::9', remoteAs: 2, families: ['ipv4', 'ipv6'] }] };
  const text = renderBirdConfig(s, 2, '/l');
  t.match(text, '  ipv4 { import all; export all; extended next hop on; };\n  ipv6 { import all; export all; };\n');
});

t.test('protocol names', async (t) => {
  t.equal(birdProtocolName('192.168.1.10'), 'peer_192_168_1_10');
  t.equal(birdProtocolName('2001:db8::1'), 'peer_2001_db8__1');
});

t.test('bad specs are rejected before any text is rendered', async (t) => {
  const bad: [Partial<RouterSpec>, RegExp][] = [
    [{ name: 'a b' }, /name: bad name 'a b'/],
    [{ routerId: 'fd00::1' }, /routerId: router id must be IPv4/],
    [{ localAs: 0 }, /localAs: bad AS number 0/],
    [{ localAs: 2 ** 32 }, /bad AS number 4294967296/],
    [{ neighbors: [{ address: '10.0.0.300', remoteAs: 1 }] }, /neighbors\[0\]\.address: bad address/],
    [{ neighbors: [{ address: '10.0.0.3', remoteAs: 1.5 }] }, /neighbors\[0\]\.remoteAs: bad AS number 1.5/],
    [{ neighbors: [{ address: '10.0.0.3', remoteAs: 1, holdTime: 70000 }] }, /neighbors\[0\]\.holdTime: bad holdTime 70000/],
    [{ networks: ['10.0.0.0/33'] }, /networks\[0\]: bad prefix '10.0.0.0\/33'/],
    [{ networks: ['10.0.0.0/24; }'] }, /networks\[0\]: bad prefix/],
  ];
  for (const [patch, msg] of bad) {
    t.throws(() => renderFrrBgpd({ ...spec, ...patch }, '/l'), { name: 'ConfigError', code: 'ERR_BGP_CONFIG', message: msg }, `FRR ${JSON.stringify(patch)}`);
    t.throws(() => renderBirdConfig({ ...spec, ...patch }, 2, '/l'), { message: msg }, `BIRD ${JSON.stringify(patch)}`);
  }
});
