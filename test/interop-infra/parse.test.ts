import t from 'tap';
import { readFileSync } from 'node:fs';
import { parseBirdProtocols, parseBirdRoutes } from '../../interop-tests/lib/bird-parse.js';
import { parseFrrNeighbors, parseFrrRoutes } from '../../interop-tests/lib/frr-parse.js';
import { fixturePath } from '../helpers/fixtures.js';

const fx = (name: string): string => readFileSync(fixturePath('interop-infra', name), 'utf8');

t.test('FRR 8.4 detail JSON, IPv4 (local, learned, communities, large communities)', async (t) => {
  t.same(parseFrrRoutes(fx('frr-8.4-ipv4-detail.json')), [
    { prefix: '10.91.0.0/24', nextHop: '0.0.0.0', asPath: [], best: true },
    { prefix: '10.92.0.0/24', nextHop: '10.99.0.2', asPath: [65002], best: true, learnedFrom: '10.99.0.2' },
    { prefix: '10.93.0.0/24', nextHop: '0.0.0.0', asPath: [], best: true },
    {
      prefix: '10.94.0.0/24',
      nextHop: '10.99.0.2',
      asPath: [65002],
      communities: ['65002:7'],
      largeCommunities: ['65002:1:2'],
      best: true,
      learnedFrom: '10.99.0.2',
    },
  ]);
});

t.test('FRR 8.4 detail JSON, IPv6 (global next hop)', async (t) => {
  t.same(parseFrrRoutes(fx('frr-8.4-ipv6-detail.json')), [
    { prefix: 'fd91::/64', nextHop: '::', asPath: [], best: true },
    { prefix: 'fd92::/64', nextHop: 'fd99::2', asPath: [65002], best: true, learnedFrom: 'fd99::2' },
  ]);
});

t.test('FRR 8.4 detail JSON, two paths for one prefix', async (t) => {
  t.same(parseFrrRoutes(fx('frr-8.4-multipath-detail.json')), [
    { prefix: '10.50.0.0/24', nextHop: '0.0.0.0', asPath: [], best: true },
    {
      prefix: '10.50.0.0/24',
      nextHop: '10.60.2.1',
      asPath: [65000, 65001],
      communities: ['65001:1', '65001:2'],
      largeCommunities: ['65001:0:7'],
      best: false,
      learnedFrom: '10.60.2.1',
    },
    { prefix: '10.51.0.0/24', nextHop: '0.0.0.0', asPath: [], best: true },
    { prefix: '10.70.0.0/24', nextHop: '10.60.2.1', asPath: [65000], best: true, learnedFrom: '10.60.2.1' },
  ]);
});

t.test('FRR non-detail and newer "paths" shapes, link-local next hop skipped, empty table', async (t) => {
  const nonDetail = JSON.stringify({
    routes: {
      '10.1.0.0/24': [
        { valid: true, bestpath: true, path: '65002 {65003 65004}', locPrf: 150, metric: 7, peerId: '10.0.0.2', nexthops: [{ ip: '10.0.0.2' }] },
      ],
    },
  });
  t.same(parseFrrRoutes(nonDetail), [
    { prefix: '10.1.0.0/24', nextHop: '10.0.0.2', asPath: [65002, 65003, 65004], localPref: 150, med: 7, best: true, learnedFrom: '10.0.0.2' },
  ]);
  const newer = JSON.stringify({
    routes: {
      'fd00:1::/64': {
        prefix: 'fd00:1::/64',
        paths: [
          {
            aspath: { string: '65002', segments: [{ type: 'as-sequence', list: [65002] }] },
            bestpath: { overall: true },
            peer: { peerId: 'fd00::2' },
            nexthops: [
              { ip: 'fe80::1', scope: 'link-local' },
              { ip: 'fd00::2', scope: 'global' },
            ],
          },
        ],
      },
    },
  });
  t.same(parseFrrRoutes(newer), [{ prefix: 'fd00:1::/64', nextHop: 'fd00::2', asPath: [65002], best: true, learnedFrom: 'fd00::2' }]);
  t.same(parseFrrRoutes('{}'), []);
  t.throws(() => parseFrrRoutes('% Unknown command'), { code: 'ERR_INTEROP', message: /not JSON/ });
});

t.test('FRR neighbors JSON', async (t) => {
  t.same(parseFrrNeighbors(fx('frr-8.4-neighbors.json')), [
    { address: '10.99.0.2', remoteAs: 65002, state: 'Established' },
    { address: 'fd99::2', remoteAs: 65002, state: 'Established' },
  ]);
  t.same(
    parseFrrNeighbors(JSON.stringify({ 'fd00::9': { remoteAs: 1, bgpState: 'Active' }, '10.0.0.9': { bgpState: 'Clearing' } })),
    [
      { address: '10.0.0.9', state: 'Idle' },
      { address: 'fd00::9', remoteAs: 1, state: 'Active' },
    ],
  );
});

t.test('BIRD 2.0 show route all (static with attributes, learned, IPv6 next hop pair)', async (t) => {
  const peers = new Map([
    ['p4', '10.99.0.1'],
    ['p6', 'fd99::1'],
  ]);
  t.same(parseBirdRoutes(fx('bird-2.0-route-all.txt'), peers), [
    { prefix: '10.91.0.0/24', nextHop: '10.99.0.1', asPath: [65001], med: 0, localPref: 100, best: true, learnedFrom: '10.99.0.1' },
    { prefix: '10.92.0.0/24', nextHop: '0.0.0.0', asPath: [], best: true },
    { prefix: '10.93.0.0/24', nextHop: '10.99.0.1', asPath: [65001], med: 0, localPref: 100, best: true, learnedFrom: '10.99.0.1' },
    { prefix: '10.94.0.0/24', nextHop: '0.0.0.0', asPath: [], med: 55, communities: ['65002:7'], largeCommunities: ['65002:1:2'], best: true },
    { prefix: 'fd91::/64', nextHop: 'fd99::1', asPath: [65001], med: 0, localPref: 100, best: true, learnedFrom: 'fd99::1' },
    { prefix: 'fd92::/64', nextHop: '::', asPath: [], best: true },
  ]);
});

const multipath = [
  {
    prefix: '10.50.0.0/24',
    nextHop: '10.60.1.2',
    asPath: [65001],
    med: 20,
    localPref: 100,
    communities: ['65001:1', '65001:2'],
    largeCommunities: ['65001:0:7'],
    best: true,
    learnedFrom: '10.60.1.2',
  },
  { prefix: '10.50.0.0/24', nextHop: '10.60.2.2', asPath: [65002], med: 0, localPref: 100, best: false, learnedFrom: '10.60.2.2' },
  { prefix: '10.51.0.0/24', nextHop: '10.60.2.2', asPath: [65002], med: 0, localPref: 100, best: true, learnedFrom: '10.60.2.2' },
  { prefix: '10.70.0.0/24', nextHop: '0.0.0.0', asPath: [], best: true },
];

t.test('BIRD 2.0 show route all, two paths for one prefix', async (t) => {
  const peers = new Map([
    ['peer_10_60_1_2', '10.60.1.2'],
    ['peer_10_60_2_2', '10.60.2.2'],
  ]);
  t.same(parseBirdRoutes(fx('bird-2.0-multipath-routes.txt'), peers), multipath);
});

t.test('BIRD 1.6 show route all, two paths for one prefix; unmapped protocol names pass through', async (t) => {
  const peers = new Map([
    ['peer_10_60_1_2', '10.60.1.2'],
    ['peer_10_60_2_2', '10.60.2.2'],
  ]);
  t.same(parseBirdRoutes(fx('bird-1.6-multipath-routes.txt'), peers), multipath);
  t.same(
    parseBirdRoutes(fx('bird-1.6-multipath-routes.txt')).map((r) => r.learnedFrom),
    ['peer_10_60_1_2', 'peer_10_60_2_2', 'peer_10_60_2_2', undefined],
  );
  t.same(parseBirdRoutes(fx('bird-1.6-route-all.txt')).map((r) => [r.prefix, r.asPath, r.best]), [
    ['10.91.0.0/24', [65001], true],
    ['10.92.0.0/24', [], true],
    ['10.93.0.0/24', [65001], true],
    ['10.94.0.0/24', [], true],
  ]);
  t.same(parseBirdRoutes('BIRD 1.6.8 ready.\nNetwork not in table\n'), []);
});

t.test('BIRD show protocols all (2.0 and 1.6)', async (t) => {
  const mixed = [
    { address: '10.60.1.2', remoteAs: 65001, state: 'Established' },
    { address: '10.60.2.2', remoteAs: 65002, state: 'Established' },
    { address: '10.60.3.2', remoteAs: 65003, state: 'Idle' },
  ];
  t.same(parseBirdProtocols(fx('bird-2.0-mixed-protocols.txt')), mixed);
  t.same(parseBirdProtocols(fx('bird-1.6-mixed-protocols.txt')), mixed);
  t.same(parseBirdProtocols(fx('bird-2.0-protocols-all.txt')), [
    { address: '10.99.0.1', remoteAs: 65001, state: 'Established' },
    { address: 'fd99::1', remoteAs: 65001, state: 'Established' },
  ]);
  t.same(parseBirdProtocols(fx('bird-1.6-protocols-all.txt')), [{ address: '10.99.0.1', remoteAs: 65001, state: 'Established' }]);
  const connecting = 'p1       BGP      master   start  06:00:00    Connect\n  BGP state:          Connect\n    Neighbor address: 10.0.0.1\n    Neighbor AS:      1\n';
  t.same(parseBirdProtocols(connecting), [{ address: '10.0.0.1', remoteAs: 1, state: 'Connect' }]);
});
