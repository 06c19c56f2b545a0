/**
 * The `petrel show` text output: aligned tables, FRR-style durations and route status codes, exact strings.
 */
import t from 'tap';
import { formatDuration, formatTable } from '../../src/cli/table';
import { formatPeers, formatRoutes, formatStatus, routeStatusCode, ROUTE_LEGEND } from '../../src/cli/show-format';
import type { PeerInfo, RouteInfo } from '../../src/api/types';

t.test('formatTable aligns, right-aligns numbers, trims trailing spaces', async (t) => {
  const out = formatTable([{ header: 'Name' }, { header: 'N', align: 'right' }, { header: 'Info' }], [['a', '1', ''], ['longer', '100', 'x']]);
  t.equal(out, 'Name      N  Info\na         1\nlonger  100  x\n');
  t.equal(formatTable([{ header: 'A' }], []), 'A\n', 'empty table: header only');
});

t.test('formatDuration', async (t) => {
  t.equal(formatDuration(0), '00:00:00');
  t.equal(formatDuration(3723.9), '01:02:03');
  t.equal(formatDuration(86400 + 3 * 3600 + 4 * 60), '1d03h04m');
  t.equal(formatDuration(15 * 86400 + 5 * 3600), '2w1d05h');
  t.equal(formatDuration(-5), '00:00:00', 'clock skew never goes negative');
});

const peer = (over: Partial<PeerInfo>): PeerInfo => ({
  name: 'p', address: '192.0.2.1', port: 179, localAs: 64512, peerAs: 65001, routerId: '', type: 'ebgp', passive: false,
  state: 'Active', since: 1000, uptime: 0, lastError: null, prefixes: { received: 0, accepted: 0, filtered: 0, advertised: 0 },
  capabilities: null, updatesReceived: 0, updatesSent: 0, ...over,
});

t.test('formatPeers', async (t) => {
  const out = formatPeers([
    peer({ name: 'Mesh_192_0_2_1', state: 'Established', since: 1000, prefixes: { received: 12, accepted: 10, filtered: 2, advertised: 3 }, lastError: { kind: 'Socket', message: 'old', at: 1 } }),
    peer({ name: 'Node_2001_db8__2', address: '2001:db8::2', port: 1790, state: 'Active', since: 1060, lastError: { kind: 'Socket', message: 'Connection refused', at: 1 } }),
  ], 1_123_000);
  t.equal(out, [
    'Name              Address                AS  State           Since  Rcvd  Accepted  Filtered  Adv  Info',
    'Mesh_192_0_2_1    192.0.2.1           65001  Established  00:02:03    12        10         2    3',
    'Node_2001_db8__2  [2001:db8::2]:1790  65001  Active       00:01:03     0         0         0    0  Socket: Connection refused',
    '',
  ].join('\n'), 'the last error shows only while the session is not Established');
});

const route = (over: Partial<RouteInfo>): RouteInfo => ({
  prefix: '10.0.0.0/24', family: 'ipv4-unicast', nextHops: ['192.0.2.1'], asPath: '65001', origin: 'igp', med: null, localPref: null,
  communities: [], largeCommunities: [], extCommunities: [], source: 'p', sourceAddress: '192.0.2.1', best: false, pathId: 0,
  ecmp: false, filtered: false, stale: false, unresolved: false, peer: '', ...over,
});

t.test('route status codes and table', async (t) => {
  t.equal(routeStatusCode(route({ best: true })), '*>');
  t.equal(routeStatusCode(route({ best: true, ecmp: true })), '*>');
  t.equal(routeStatusCode(route({ ecmp: true })), '*=');
  t.equal(routeStatusCode(route({})), '*');
  t.equal(routeStatusCode(route({ filtered: true })), '  F');
  t.equal(routeStatusCode(route({ stale: true, best: true })), '*>S');
  t.equal(routeStatusCode(route({ unresolved: true })), '');
  const out = formatRoutes([
    route({ best: true, ecmp: true, med: 10, localPref: 100 }),
    route({ ecmp: true, nextHops: ['192.0.2.2'], source: 'q', origin: 'incomplete' }),
    route({ prefix: '10.9.0.0/24', nextHops: [], asPath: '', source: 'static1', best: true }),
  ]);
  t.equal(out, ROUTE_LEGEND + [
    '    Network      Next Hop   MED  LocPrf  Path     Source',
    '*>  10.0.0.0/24  192.0.2.1   10     100  65001 i  p',
    '*=  10.0.0.0/24  192.0.2.2               65001 ?  q',
    '*>  10.9.0.0/24  -                       i        static1',
    '',
  ].join('\n'));
});

t.test('formatStatus', async (t) => {
  const out = formatStatus({
    version: '0.1.0', nodeName: 'n1', routerId: '192.0.2.1', localAs: 64512, startedAt: 1_700_000_000, reconfiguredAt: 1_700_000_100,
    uptime: 90061, peers: 3, peersEstablished: 2, families: [{ family: 'ipv4-unicast', prefixes: 5, paths: 7 }], attributeSets: 4,
  }, 1_700_090_061_000);
  t.equal(out, [
    'Version:        petrel 0.1.0',
    'Node:           n1',
    'Router ID:      192.0.2.1',
    'Local AS:       64512',
    'Started:        2023-11-14 22:13:20Z (up 1d01h01m)',
    'Reconfigured:   2023-11-14 22:15:00Z',
    'Peers:          3 configured, 2 established',
    'ipv4-unicast:   5 prefixes, 7 paths',
    'Attribute sets: 4',
    '',
  ].join('\n'));
});
