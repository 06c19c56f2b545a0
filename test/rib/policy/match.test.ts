import t from 'tap';
import { AttrInterner } from '../../../src/rib/attrs/intern';
import type { Condition } from '../../../src/rib/policy/types';
import { SourceKind } from '../../../src/rib/types';
import { ConfigError } from '../../../src/util/errors';
import { compileCondition } from '../../../src/rib/policy/match';
import { attrs, ctx, matches } from './helpers';

const interner = new AttrInterner();
const plain = attrs(interner, { nextHop: '10.0.0.1' });

function m(cond: Condition, prefix: string, over: Parameters<typeof ctx>[2] = {}, a = plain): boolean {
  return matches(interner, [cond], ctx(prefix, a, over));
}

t.test('prefix equal / notEqual match the exact prefix only', async (t) => {
  t.equal(m({ kind: 'prefix', op: 'equal', prefix: '10.1.0.0/16' }, '10.1.0.0/16'), true);
  t.equal(m({ kind: 'prefix', op: 'equal', prefix: '10.1.0.0/16' }, '10.1.0.0/24'), false);
  t.equal(m({ kind: 'prefix', op: 'notEqual', prefix: '10.1.0.0/16' }, '10.1.0.0/24'), true);
  t.equal(m({ kind: 'prefix', op: 'notEqual', prefix: '10.1.0.0/16' }, '10.1.0.0/16'), false);
  t.equal(m({ kind: 'prefix', op: 'equal', prefix: 'fd00::/64' }, 'fd00::/64'), true);
});

t.test('prefix within (net ~ X) includes X itself and more-specifics, not less-specifics or neighbours', async (t) => {
  const c: Condition = { kind: 'prefix', op: 'within', prefix: '192.168.10.64/26' };
  t.equal(m(c, '192.168.10.64/26'), true);
  t.equal(m(c, '192.168.10.127/32'), true);
  t.equal(m(c, '192.168.10.128/32'), false);
  t.equal(m(c, '192.168.10.0/24'), false);
  t.equal(m(c, 'fd00::/64'), false, 'other family never matches');
  t.equal(m({ kind: 'prefix', op: 'within', prefix: '0.0.0.0/0' }, '255.255.255.255/32'), true);
  t.equal(m({ kind: 'prefix', op: 'within', prefix: '200.0.0.0/8' }, '200.1.2.3/32'), true, 'addresses above 2^31');
  t.equal(m({ kind: 'prefix', op: 'within', prefix: '200.0.0.0/8' }, '201.1.2.3/32'), false);
  t.equal(m({ kind: 'prefix', op: 'notWithin', prefix: '192.168.10.64/26' }, '192.168.10.128/32'), true);
  t.equal(m({ kind: 'prefix', op: 'notWithin', prefix: '192.168.10.64/26' }, '192.168.10.65/32'), false);
  t.equal(m({ kind: 'prefix', op: 'within', prefix: 'fd00:1::/48' }, 'fd00:1:0:5::/64'), true);
  t.equal(m({ kind: 'prefix', op: 'within', prefix: 'fd00:1::/48' }, 'fd00:2::/64'), false);
});

t.test('prefix set with a length range: [10.0.0.0/8{16,24}]', async (t) => {
  const c: Condition = { kind: 'prefixSet', entries: [{ prefix: '10.0.0.0/8', min: 16, max: 24 }] };
  t.equal(m(c, '10.1.0.0/16'), true);
  t.equal(m(c, '10.1.2.0/24'), true);
  t.equal(m(c, '10.0.0.0/8'), false, 'shorter than min');
  t.equal(m(c, '10.1.2.128/25'), false, 'longer than max');
  t.equal(m(c, '11.1.0.0/16'), false, 'outside');
  t.equal(m({ ...c, negate: true }, '11.1.0.0/16'), true);
  t.equal(m({ kind: 'prefixSet', entries: [{ prefix: '10.0.0.0/8' }] }, '10.0.0.0/8'), true, 'bare entry: exact');
  t.equal(m({ kind: 'prefixSet', entries: [{ prefix: '10.0.0.0/8' }] }, '10.1.0.0/16'), false);
  t.throws(() => compileCondition({ kind: 'prefixSet', entries: [{ prefix: '10.0.0.0/8', min: 24, max: 16 }] }), ConfigError);
});

t.test('source kind: BGP covers eBGP and iBGP', async (t) => {
  const bgp: Condition = { kind: 'source', is: 'bgp' };
  t.equal(m(bgp, '10.0.0.0/24', { source: SourceKind.Ebgp }), true);
  t.equal(m(bgp, '10.0.0.0/24', { source: SourceKind.Ibgp }), true);
  t.equal(m(bgp, '10.0.0.0/24', { source: SourceKind.Kernel }), false);
  t.equal(m({ kind: 'source', is: 'static' }, '10.0.0.0/24', { source: SourceKind.Static }), true);
  t.equal(m({ kind: 'source', is: 'kernel' }, '10.0.0.0/24', { source: SourceKind.Kernel }), true);
  t.equal(m({ kind: 'source', is: 'direct' }, '10.0.0.0/24', { source: SourceKind.Direct }), true);
  t.equal(m({ kind: 'source', is: 'direct' }, '10.0.0.0/24', { source: SourceKind.Static }), false);
});

t.test('interface glob reads ctx.ifname; undefined or empty never matches', async (t) => {
  const c: Condition = { kind: 'ifname', glob: 'cali*' };
  t.equal(m(c, '10.0.0.1/32', { ifname: 'cali12345' }), true);
  t.equal(m(c, '10.0.0.1/32', { ifname: 'eth0' }), false);
  t.equal(m(c, '10.0.0.1/32', {}), false);
  t.equal(m({ kind: 'ifname', glob: '*' }, '10.0.0.1/32', { ifname: '' }), false);
  t.equal(m({ kind: 'defined', attr: 'ifname' }, '10.0.0.1/32', { ifname: 'eth0' }), true);
  t.equal(m({ kind: 'defined', attr: 'ifname' }, '10.0.0.1/32', {}), false);
});

t.test('next hop equal / within exist only on BGP routes', async (t) => {
  t.equal(m({ kind: 'nextHop', op: 'equal', value: '10.0.0.1' }, '1.0.0.0/8'), true);
  t.equal(m({ kind: 'nextHop', op: 'equal', value: '10.0.0.2' }, '1.0.0.0/8'), false);
  t.equal(m({ kind: 'nextHop', op: 'within', value: '10.0.0.0/24' }, '1.0.0.0/8'), true);
  t.equal(m({ kind: 'nextHop', op: 'within', value: '10.0.1.0/24' }, '1.0.0.0/8'), false);
  t.equal(m({ kind: 'nextHop', op: 'within', value: '10.0.0.0/24' }, '1.0.0.0/8', { source: SourceKind.Static }), false);
  t.equal(m({ kind: 'defined', attr: 'nextHop' }, '1.0.0.0/8', { source: SourceKind.Kernel }), false);
  t.equal(m({ kind: 'defined', attr: 'nextHop' }, '1.0.0.0/8'), true);
  const v6 = attrs(interner, { nextHop: 'fd00::1' });
  t.equal(m({ kind: 'nextHop', op: 'equal', value: 'fd00:0::1' }, 'fd01::/64', {}, v6), true, 'literal canonicalised');
  t.equal(m({ kind: 'nextHop', op: 'within', value: 'fd00::/64' }, 'fd01::/64', {}, v6), true);
  interner.release(v6);
});

t.test('standard and large communities', async (t) => {
  const a = attrs(interner, { communities: [100 * 65536 + 6532], largeCommunities: [[100, 555, 107]] });
  t.equal(m({ kind: 'community', value: [100, 6532] }, '1.0.0.0/8', {}, a), true);
  t.equal(m({ kind: 'community', value: [100, 6533] }, '1.0.0.0/8', {}, a), false);
  t.equal(m({ kind: 'community', value: [100, 6532] }, '1.0.0.0/8'), false, 'no list is an empty list');
  t.equal(m({ kind: 'largeCommunity', value: [100, 555, 107] }, '1.0.0.0/8', {}, a), true);
  t.equal(m({ kind: 'largeCommunity', value: [100, 555, 108] }, '1.0.0.0/8', {}, a), false);
  t.equal(m({ kind: 'defined', attr: 'communities' }, '1.0.0.0/8', {}, a), true);
  t.equal(m({ kind: 'defined', attr: 'largeCommunities' }, '1.0.0.0/8'), false);
  interner.release(a);
});

t.test('AS path prefix [= A B * =]', async (t) => {
  const a = attrs(interner, { asPath: [{ type: 2, asns: [65001, 65002, 65003] }] });
  t.equal(m({ kind: 'asPathPrefix', asns: [65001] }, '1.0.0.0/8', {}, a), true);
  t.equal(m({ kind: 'asPathPrefix', asns: [65001, 65002] }, '1.0.0.0/8', {}, a), true);
  t.equal(m({ kind: 'asPathPrefix', asns: [65002] }, '1.0.0.0/8', {}, a), false);
  t.equal(m({ kind: 'asPathPrefix', asns: [65001, 65002, 65003, 65004] }, '1.0.0.0/8', {}, a), false, 'longer than the path');
  t.equal(m({ kind: 'asPathPrefix', asns: [65001] }, '1.0.0.0/8'), false, 'empty path');
  const set = attrs(interner, { asPath: [{ type: 2, asns: [1] }, { type: 1, asns: [7, 8] }, { type: 2, asns: [9] }] });
  t.equal(m({ kind: 'asPathPrefix', asns: [1, 8, 9] }, '1.0.0.0/8', {}, set), true, 'an AS_SET is one position');
  t.equal(m({ kind: 'asPathPrefix', asns: [1, 6] }, '1.0.0.0/8', {}, set), false);
  interner.release(a);
  interner.release(set);
});

t.test('peer name, source name and peer type (BIRD bool params)', async (t) => {
  t.equal(m({ kind: 'peer', name: 'Mesh_10_0_0_2' }, '1.0.0.0/8', { peerName: 'Mesh_10_0_0_2' }), true);
  t.equal(m({ kind: 'peer', name: 'Mesh_10_0_0_2' }, '1.0.0.0/8', { peerName: 'Global_10_0_0_9' }), false);
  t.equal(m({ kind: 'sourceName', name: 'kernel1' }, '1.0.0.0/8', { sourceName: 'kernel1' }), true);
  t.equal(m({ kind: 'peerType', internal: true }, '1.0.0.0/8', { peerInternal: true }), true);
  t.equal(m({ kind: 'peerType', internal: true }, '1.0.0.0/8', { peerInternal: false }), false);
  t.equal(m({ kind: 'peerType', internal: false }, '1.0.0.0/8', {}), true, 'unset means eBGP');
});

t.test('krt_metric and local_pref comparisons; undefined compares lower than any number (BIRD)', async (t) => {
  t.equal(m({ kind: 'krtMetric', op: '<', value: 1024 }, '1.0.0.0/8', { krtMetric: 512 }), true);
  t.equal(m({ kind: 'krtMetric', op: '<', value: 1024 }, '1.0.0.0/8', { krtMetric: 1024 }), false);
  t.equal(m({ kind: 'krtMetric', op: '<=', value: 1024 }, '1.0.0.0/8', { krtMetric: 1024 }), true);
  t.equal(m({ kind: 'krtMetric', op: '=', value: 1024 }, '1.0.0.0/8', { krtMetric: 1024 }), true);
  t.equal(m({ kind: 'krtMetric', op: '!=', value: 1024 }, '1.0.0.0/8', { krtMetric: 1024 }), false);
  t.equal(m({ kind: 'krtMetric', op: '>', value: 1024 }, '1.0.0.0/8', { krtMetric: 1025 }), true);
  t.equal(m({ kind: 'krtMetric', op: '>=', value: 1024 }, '1.0.0.0/8', { krtMetric: 1023 }), false);
  t.equal(m({ kind: 'krtMetric', op: '<', value: 1024 }, '1.0.0.0/8'), true, 'undefined < n');
  t.equal(m({ kind: 'krtMetric', op: '>', value: 0 }, '1.0.0.0/8'), false, 'undefined > n is false');
  t.equal(m({ kind: 'krtMetric', op: '=', value: 0 }, '1.0.0.0/8'), false);
  t.equal(m({ kind: 'defined', attr: 'krtMetric' }, '1.0.0.0/8', { krtMetric: 0 }), true);
  const lp = attrs(interner, { localPref: 2147482624 });
  t.equal(m({ kind: 'localPref', op: '>', value: 2147482623 }, '1.0.0.0/8', {}, lp), true);
  t.equal(m({ kind: 'localPref', op: '>', value: 2147482623 }, '1.0.0.0/8'), false, 'absent local_pref');
  t.equal(m({ kind: 'defined', attr: 'localPref' }, '1.0.0.0/8', {}, lp), true);
  t.equal(m({ kind: 'defined', attr: 'localPref' }, '1.0.0.0/8'), false);
  t.equal(m({ kind: 'defined', attr: 'med' }, '1.0.0.0/8'), false);
  t.equal(m({ kind: 'defined', attr: 'source' }, '1.0.0.0/8', { source: SourceKind.Direct }), true);
  t.equal(m({ kind: 'defined', attr: 'krtTunnel' }, '1.0.0.0/8', { krtTunnel: '' }), true);
  interner.release(lp);
});

t.test('not / any combinators', async (t) => {
  const anyTunnel: Condition = { kind: 'any', conds: [{ kind: 'ifname', glob: '*.cali' }, { kind: 'ifname', glob: 'tunl0' }] };
  t.equal(m(anyTunnel, '1.0.0.0/8', { ifname: 'wireguard.cali' }), true);
  t.equal(m(anyTunnel, '1.0.0.0/8', { ifname: 'tunl0' }), true);
  t.equal(m(anyTunnel, '1.0.0.0/8', { ifname: 'eth0' }), false);
  t.equal(m({ kind: 'not', cond: anyTunnel }, '1.0.0.0/8', { ifname: 'eth0' }), true);
});

t.test('all conditions of a rule must hold', async (t) => {
  const rule: Condition[] = [{ kind: 'prefix', op: 'within', prefix: '10.0.0.0/8' }, { kind: 'source', is: 'bgp' }, { kind: 'krtMetric', op: '>', value: 5 }];
  t.equal(matches(interner, rule, ctx('10.1.0.0/16', plain, { krtMetric: 6 })), true);
  t.equal(matches(interner, rule, ctx('10.1.0.0/16', plain, { krtMetric: 5 })), false);
  t.equal(matches(interner, rule, ctx('11.1.0.0/16', plain, { krtMetric: 6 })), false);
});

t.test('invalid literals are ConfigErrors at compile time', async (t) => {
  t.throws(() => compileCondition({ kind: 'prefix', op: 'within', prefix: '10.0.0.0/33' }), ConfigError);
  t.throws(() => compileCondition({ kind: 'prefix', op: 'within', prefix: '10.0.0.1' }), ConfigError);
  t.throws(() => compileCondition({ kind: 'nextHop', op: 'equal', value: 'nope' }), ConfigError);
});

t.test('no references leak from matching', async (t) => {
  t.same(interner.stats().sets, 1);
  t.equal(plain.refs, 1);
});
