import t from 'tap';
import type { BgpFilterRule } from '../../../src/config/resources';
import { AttrInterner } from '../../../src/rib/attrs/intern';
import { bgpFilterFunction, bgpFilterFunctionName, parseCommunity, translateFilterRule } from '../../../src/rib/policy/bgp-filter';
import type { EvalContext, PolicyResult } from '../../../src/rib/policy/types';
import { SourceKind } from '../../../src/rib/types';
import { ConfigError } from '../../../src/util/errors';
import { attrs, ctx, run } from './helpers';
import { filter } from './calico-fixture';

const interner = new AttrInterner();
const empty = attrs(interner);

/** Runs one translated rule inside a policy whose fall-through is `default` ("no match" shows as that). */
function apply(rule: BgpFilterRule, c: EvalContext, family: 'ipv4' | 'ipv6' = 'ipv4'): PolicyResult {
  const r = run(interner, [translateFilterRule(rule, family)], c, { default: rule.action === 'Accept' ? 'reject' : 'accept' });
  if (r.verdict === 'accept') interner.release(r.attrs);
  return r;
}
/** Whether the rule fired (its own action was taken). */
function fires(rule: BgpFilterRule, c: EvalContext, family: 'ipv4' | 'ipv6' = 'ipv4'): boolean {
  return apply(rule, c, family).verdict === rule.action.toLowerCase();
}

t.test('function names: bgp_<name>_<dir>FilterV<n>, long names truncated and hashed', async (t) => {
  t.equal(bgpFilterFunctionName('my-filter', 'import', 'ipv4'), 'bgp_my-filter_importFilterV4');
  t.equal(bgpFilterFunctionName('my-filter', 'export', 'ipv6'), 'bgp_my-filter_exportFilterV6');
  const name45 = 'x'.repeat(45);
  t.equal(bgpFilterFunctionName(name45, 'import', 'ipv4'), `bgp_${name45}_importFilterV4`, '45 characters fit');
  const long = 'a-very-long-bgp-filter-name-that-exceeds-the-limit-x';
  const fn = bgpFilterFunctionName(long, 'export', 'ipv4');
  t.equal(fn, 'bgp_a-very-long-bgp-filter-name-_C6AC0B32071B0F13_exportFilterV4');
  t.equal(fn.length, 64);
});

t.test('functions exist only for non-empty rule lists', async (t) => {
  const f = filter('f', { importV4: [{ action: 'Accept' }], exportV6: [{ action: 'Reject' }] });
  t.equal(bgpFilterFunction(f, 'import', 'ipv4')?.name, 'bgp_f_importFilterV4');
  t.equal(bgpFilterFunction(f, 'export', 'ipv4'), undefined);
  t.equal(bgpFilterFunction(f, 'import', 'ipv6'), undefined);
  t.same(bgpFilterFunction(f, 'export', 'ipv6')?.rules, [{ match: [], actions: [{ kind: 'reject' }] }], 'bare reject');
});

t.test('matchOperator Equal / NotEqual / In / NotIn', async (t) => {
  const r = (matchOperator: BgpFilterRule['matchOperator']): BgpFilterRule => ({ action: 'Accept', cidr: '10.1.0.0/16', matchOperator });
  t.equal(fires(r('Equal'), ctx('10.1.0.0/16', empty)), true);
  t.equal(fires(r('Equal'), ctx('10.1.2.0/24', empty)), false);
  t.equal(fires(r('NotEqual'), ctx('10.1.2.0/24', empty)), true);
  t.equal(fires(r('NotEqual'), ctx('10.1.0.0/16', empty)), false);
  t.equal(fires(r('In'), ctx('10.1.2.0/24', empty)), true);
  t.equal(fires(r('In'), ctx('10.2.0.0/24', empty)), false);
  t.equal(fires(r('NotIn'), ctx('10.2.0.0/24', empty)), true);
  t.equal(fires(r('NotIn'), ctx('10.1.2.0/24', empty)), false);
  t.equal(fires({ action: 'Reject', cidr: 'fd00:1::/48', matchOperator: 'In' }, ctx('fd00:1:0:1::/64', empty), 'ipv6'), true);
});

t.test('prefixLength turns the CIDR into a set with clamped bounds', async (t) => {
  const inRule: BgpFilterRule = { action: 'Accept', cidr: '10.0.0.0/8', matchOperator: 'In', prefixLength: { min: 16, max: 24 } };
  t.same(translateFilterRule(inRule, 'ipv4').match, [{ kind: 'prefixSet', entries: [{ prefix: '10.0.0.0/8', min: 16, max: 24 }], negate: false }]);
  t.equal(fires(inRule, ctx('10.1.0.0/16', empty)), true);
  t.equal(fires(inRule, ctx('10.1.2.0/25', empty)), false);
  t.equal(fires(inRule, ctx('10.0.0.0/8', empty)), false);
  t.equal(fires({ ...inRule, matchOperator: 'NotIn' }, ctx('10.1.2.0/25', empty)), true);
  t.same(translateFilterRule({ action: 'Accept', cidr: '10.0.0.0/16', matchOperator: 'In', prefixLength: { min: 4 } }, 'ipv4').match,
    [{ kind: 'prefixSet', entries: [{ prefix: '10.0.0.0/16', min: 16, max: 32 }], negate: false }], 'min raised to the CIDR length, max defaults to 32');
  t.same(translateFilterRule({ action: 'Accept', cidr: 'fd00::/64', matchOperator: 'In', prefixLength: { max: 120 } }, 'ipv6').match,
    [{ kind: 'prefixSet', entries: [{ prefix: 'fd00::/64', min: 64, max: 120 }], negate: false }]);
});

t.test('Equal/NotEqual with prefixLength is a BIRD runtime error: the route is rejected', async (t) => {
  const r = apply({ action: 'Accept', cidr: '10.0.0.0/8', matchOperator: 'Equal', prefixLength: { min: 16 } }, ctx('99.0.0.0/8', empty));
  t.equal(r.verdict, 'reject');
  t.match(r.error, /incompatible types/);
  const eb = apply({ action: 'Accept', cidr: '10.0.0.0/8', matchOperator: 'NotEqual', prefixLength: { min: 16 }, peerType: 'eBGP' }, ctx('99.0.0.0/8', empty, { peerInternal: true }));
  t.equal(eb.error, undefined, 'not reached when the peerType guard fails');
});

t.test('source RemotePeers matches BGP routes only', async (t) => {
  const rule: BgpFilterRule = { action: 'Reject', source: 'RemotePeers' };
  t.equal(fires(rule, ctx('10.0.0.0/8', empty, { source: SourceKind.Ibgp })), true);
  t.equal(fires(rule, ctx('10.0.0.0/8', empty, { source: SourceKind.Kernel })), false);
});

t.test('interface glob needs a defined ifname', async (t) => {
  const rule: BgpFilterRule = { action: 'Reject', interface: 'eth*' };
  t.equal(fires(rule, ctx('10.0.0.0/8', empty, { ifname: 'eth1' })), true);
  t.equal(fires(rule, ctx('10.0.0.0/8', empty, { ifname: 'cali1' })), false);
  t.equal(fires(rule, ctx('10.0.0.0/8', empty)), false);
});

t.test('communities: aa:nn is standard, aa:nn:mm is large', async (t) => {
  const a = attrs(interner, { communities: [65000 * 65536 + 10], largeCommunities: [[65000, 1, 2]] });
  t.equal(fires({ action: 'Reject', communities: { values: ['65000:10'] } }, ctx('10.0.0.0/8', a)), true);
  t.equal(fires({ action: 'Reject', communities: { values: ['65000:11'] } }, ctx('10.0.0.0/8', a)), false);
  t.equal(fires({ action: 'Reject', communities: { values: ['65000:1:2'] } }, ctx('10.0.0.0/8', a)), true);
  t.equal(fires({ action: 'Reject', communities: { values: ['65000:1:3'] } }, ctx('10.0.0.0/8', a)), false);
  t.throws(() => parseCommunity('65536:1'), ConfigError);
  t.throws(() => parseCommunity('1:2:3:4'), ConfigError);
  interner.release(a);
});

t.test('asPathPrefix matches the leading ASes', async (t) => {
  const a = attrs(interner, { asPath: [{ type: 2, asns: [65001, 65002, 65003] }] });
  t.equal(fires({ action: 'Reject', asPathPrefix: [65001, 65002] }, ctx('10.0.0.0/8', a)), true);
  t.equal(fires({ action: 'Reject', asPathPrefix: [65002] }, ctx('10.0.0.0/8', a)), false);
  interner.release(a);
});

t.test('priority P matches bgp_local_pref = 2147483647 - P', async (t) => {
  const a = attrs(interner, { localPref: 2147483647 - 512 });
  t.equal(fires({ action: 'Reject', priority: 512 }, ctx('10.0.0.0/8', a)), true);
  t.equal(fires({ action: 'Reject', priority: 1024 }, ctx('10.0.0.0/8', a)), false);
  t.equal(fires({ action: 'Reject', priority: 512 }, ctx('10.0.0.0/8', empty)), false, 'undefined local_pref');
  interner.release(a);
});

t.test('peerType iBGP / eBGP reads the is_same_as context flag', async (t) => {
  t.equal(fires({ action: 'Reject', peerType: 'iBGP' }, ctx('10.0.0.0/8', empty, { peerInternal: true })), true);
  t.equal(fires({ action: 'Reject', peerType: 'iBGP' }, ctx('10.0.0.0/8', empty, { peerInternal: false })), false);
  t.equal(fires({ action: 'Reject', peerType: 'eBGP' }, ctx('10.0.0.0/8', empty, { peerInternal: false })), true);
  t.equal(fires({ action: 'Reject', peerType: 'eBGP' }, ctx('10.0.0.0/8', empty, { peerInternal: true })), false);
});

t.test('all conditions combine with && in confd order', async (t) => {
  const rule: BgpFilterRule = { action: 'Accept', cidr: '55.4.0.0/16', matchOperator: 'NotIn', source: 'RemotePeers', interface: 'vxlan.calico', peerType: 'iBGP' };
  t.same(translateFilterRule(rule, 'ipv4').match?.map((c) => c.kind), ['peerType', 'prefix', 'defined', 'source', 'defined', 'ifname']);
  t.equal(fires(rule, ctx('10.0.0.0/8', empty, { source: SourceKind.Ibgp, ifname: 'vxlan.calico', peerInternal: true })), true);
  t.equal(fires(rule, ctx('55.4.1.0/24', empty, { source: SourceKind.Ibgp, ifname: 'vxlan.calico', peerInternal: true })), false);
});

t.test('operations run before accept: addCommunity, prependASPath (listed order), setPriority', async (t) => {
  const a = attrs(interner, { asPath: [{ type: 2, asns: [65001] }] });
  const r = run(interner, [translateFilterRule({
    action: 'Accept',
    operations: [
      { addCommunity: { value: '65000:100' } }, { addCommunity: { value: '65000:1:2' } },
      { prependASPath: { prefix: [64512, 64513] } }, { setPriority: { value: 100 } },
    ],
  }, 'ipv4')], ctx('10.0.0.0/8', a));
  t.equal(r.verdict, 'accept');
  t.same(r.attrs.communities?.value, [65000 * 65536 + 100]);
  t.same(r.attrs.largeCommunities?.value, [[65000, 1, 2]]);
  t.same(r.attrs.asPath.value, [{ type: 2, asns: [64512, 64513, 65001] }]);
  t.equal(r.attrs.localPref, 2147483647 - 100);
  interner.release(r.attrs);
  interner.release(a);
  t.same(translateFilterRule({ action: 'Reject', operations: [{ setPriority: { value: 5 } }] }, 'ipv4').actions, [{ kind: 'reject' }], 'operations only on Accept');
});

t.test('refcounts balanced', async (t) => {
  t.equal(empty.refs, 1);
  t.equal(interner.stats().sets, 1);
});
