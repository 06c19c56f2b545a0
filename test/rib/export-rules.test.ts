import t from 'tap';
import { AttrInterner, emptyAttrFields } from '../../src/rib/attrs/intern';
import type { AttrSet } from '../../src/rib/attrs/attr-set';
import { makeExportDecision, type ExportPeer } from '../../src/rib/export-rules';
import { SourceKind } from '../../src/rib/types';
import { makeRoute, makeSource } from '../helpers/routes';

const feeder = makeSource({ id: 1, kind: SourceKind.Ebgp, peerAs: 65001 });
const sink = makeSource({ id: 2, kind: SourceKind.Ebgp, peerAs: 65002 });

function peer(policy?: ExportPeer['policy']): ExportPeer {
  return {
    source: sink, ibgp: false, localAs: 65000, localAddress: '10.10.2.1', localLinkLocal: '', nextHopMode: 'auto',
    clusterId: null, routerId: '10.10.1.1', policy,
  };
}

t.test('eBGP rewrite: prepend, next hop self, LOCAL_PREF and MED dropped; one exported set per input set', async (t) => {
  const interner = new AttrInterner();
  const input = interner.internSet({ ...emptyAttrFields(), asPath: [{ type: 2, asns: [65001, 100000] }], nextHop: '10.10.1.2', med: 5, localPref: 300 });
  const base = interner.stats();
  const decide = makeExportDecision(peer(), interner);
  const outs: AttrSet[] = [];
  for (let i = 0; i < 100; i++) outs.push(decide(makeRoute({ source: feeder, prefix: (0x0b000000 + i * 256) * 64 + 24, attrs: input }))!);
  const out = outs[0];
  t.same(out.asPath.value, [{ type: 2, asns: [65000, 65001, 100000] }]);
  t.equal(out.nextHop, '10.10.2.1');
  t.equal(out.med, -1);
  t.equal(out.localPref, -1);
  t.ok(outs.every((o) => o === out), 'every prefix gets the same interned set');
  t.equal(out.refs, 101, '100 decisions plus the cache');
  t.equal(input.refs, 2, 'the cache holds the input set');
  t.equal(decide(makeRoute({ source: sink, attrs: input })), null, 'never back to the peer it came from');
  for (const o of outs) interner.release(o);
  decide.dispose!();
  t.same(interner.stats(), base, 'dispose releases the cache');
  t.equal(input.refs, 1);
});

t.test('a policy returning a fresh set per route: the set stays interned while cached, so it is reused', async (t) => {
  const interner = new AttrInterner();
  const input = interner.internSet({ ...emptyAttrFields(), asPath: [{ type: 2, asns: [65001] }], nextHop: '10.10.1.2' });
  const base = interner.stats();
  let fresh = 0;
  // Like FilterState.finish: re-interns an edited copy and hands over one reference.
  const policy = (_r: unknown, a: AttrSet): AttrSet => {
    const f = interner.fieldsOf(a);
    f.localPref = 7;
    const before = interner.stats().sets;
    const p = interner.internSet(f);
    if (interner.stats().sets > before) fresh++;
    return p;
  };
  const decide = makeExportDecision(peer(policy), interner);
  const a = decide(makeRoute({ source: feeder, attrs: input }))!;
  const b = decide(makeRoute({ source: feeder, prefix: 0x0b000100 * 64 + 24, attrs: input }))!;
  t.equal(a, b);
  t.equal(fresh, 1, 'the policy output set was created once, not once per route');
  t.equal(a.localPref, -1, 'eBGP drops the LOCAL_PREF the policy set');
  interner.release(a);
  interner.release(b);
  decide.dispose!();
  t.same(interner.stats(), base);
});

t.test('a rejecting policy advertises nothing and takes no reference', async (t) => {
  const interner = new AttrInterner();
  const input = interner.internSet({ ...emptyAttrFields(), nextHop: '10.10.1.2' });
  const decide = makeExportDecision(peer(() => null), interner);
  t.equal(decide(makeRoute({ source: feeder, attrs: input })), null);
  t.equal(input.refs, 1);
  decide.dispose!();
});
