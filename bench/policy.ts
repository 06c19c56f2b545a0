/**
 * DOC: policy micro-benchmark: routes/s through Calico's per-peer export policy (calico.ts) for 1M IPv4 prefixes.
 *
 * Run `node dist/bench/policy.js` (add `--smoke` for a 100k-prefix CI run). The configuration is the contract's
 * example (5 pools, 2 blocks, a service range, prefixAdvertisements communities) plus one BGPFilter with two
 * export rules, so every route walks the prelude, a BGPFilter function and most of calico_export_to_bgp_peers.
 * Scenarios, each a full pass over the table with one reused context and result object:
 *  - `full table → mesh`: eBGP-learned /24s (1,000 distinct attribute sets, no LOCAL_PREF, so the prelude edits
 *    every route) exported to an iBGP mesh peer; nearly all rejected at the final `reject` (no re-intern);
 *  - `workload /32s → eBGP`: kernel routes inside the IPIP pool; own-block ones suppressed by calico_aggr, the
 *    rest accepted with LOCAL_PREF and communities added, i.e. re-interned (the interning path).
 * Accepted results are held (one reference each, as an Adj-RIB-Out would) and released after the timed pass.
 */
import { AttrInterner, emptyAttrFields } from '../src/rib/attrs/intern';
import type { AttrSet } from '../src/rib/attrs/attr-set';
import { CalicoPolicies } from '../src/rib/policy/calico';
import { evaluate, newPolicyResult, type CompiledPolicy } from '../src/rib/policy/policy';
import type { EvalContext } from '../src/rib/policy/types';
import { SourceKind } from '../src/rib/types';
import { ipv4Key } from '../src/util/prefix';
import { calicoInput, filter } from '../test/rib/policy/calico-fixture';

const smoke = process.argv.includes('--smoke');
const N = smoke ? 100_000 : 1_000_000;

const input = calicoInput({
  bgpFilters: {
    edge: filter('edge', {
      exportV4: [
        { action: 'Reject', cidr: '10.0.0.0/8', matchOperator: 'In', prefixLength: { min: 25 } },
        { action: 'Accept', cidr: '203.0.113.0/24', matchOperator: 'Equal', operations: [{ addCommunity: { value: '65000:1' } }] },
      ],
    }),
  },
});
const interner = new AttrInterner();
const policy = new CalicoPolicies(input, 'ipv4').exportPolicy({ name: 'peer', filters: ['edge'] });

const sets: AttrSet[] = [];
for (let i = 0; i < 1000; i++) {
  sets.push(interner.internSet({
    ...emptyAttrFields(), nextHop: `10.192.0.${1 + (i % 3)}`, asPath: [{ type: 2, asns: [65000, 3000 + (i % 97), 10000 + i] }],
    communities: i % 4 === 0 ? [65000 * 65536 + (i % 50)] : null,
  }));
}
const empty = interner.internSet(emptyAttrFields());

/** Full table: /24s from 11.0.0.0 upward (outside every pool). */
const table = new Array<number>(N);
for (let i = 0; i < N; i++) table[i] = ipv4Key((0x0b000000 + i * 256) >>> 0, 24);
/** Workload /32s in 192.168.0.0/16 (the IPIP pool), 1 in 1024 in this node's 192.168.10.0/26. */
const workloads = new Array<number>(N);
for (let i = 0; i < N; i++) workloads[i] = ipv4Key((0xc0a80000 + (i % 65536)) >>> 0, 32);

function pass(name: string, p: CompiledPolicy, prefixes: number[], fill: (ctx: EvalContext, i: number) => void, base: EvalContext): void {
  const out = newPolicyResult();
  const ctx = base;
  // Accepted sets are held (as an Adj-RIB-Out would) and released after the timed pass.
  const held: AttrSet[] = [];
  const body = (count: number) => {
    for (let i = 0; i < count; i++) {
      ctx.prefix = prefixes[i];
      fill(ctx, i);
      evaluate(p, ctx, interner, out);
      if (out.verdict === 'accept') held.push(out.attrs);
    }
  };
  const release = () => {
    for (const a of held) interner.release(a);
    held.length = 0;
  };
  body(Math.min(prefixes.length, 50_000));
  release();
  const start = process.hrtime.bigint();
  body(prefixes.length);
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  const accepted = held.length;
  release();
  const rate = Math.round(prefixes.length / secs);
  console.log(`${name.padEnd(24)} ${rate.toLocaleString('en-US').padStart(12)} routes/s  (${prefixes.length.toLocaleString('en-US')} prefixes in ${(secs * 1000).toFixed(0)} ms, ${accepted.toLocaleString('en-US')} accepted)`);
}

pass('full table → mesh', policy, table, (c, i) => { c.attrs = sets[i % 1000]; }, {
  prefix: 0, attrs: empty, source: SourceKind.Ebgp, sourceName: 'Global_10_0_0_1', peerName: 'Mesh_10_192_0_3',
  peerInternal: true, ifname: 'eth0', krtMetric: undefined, krtTunnel: undefined, preference: 100,
});
pass('workload /32s → eBGP', policy, workloads, (c) => { c.krtMetric = 1024; }, {
  prefix: 0, attrs: empty, source: SourceKind.Kernel, sourceName: 'kernel1', peerName: 'Global_10_0_0_1',
  peerInternal: false, ifname: 'cali1234', krtMetric: 1024, krtTunnel: undefined, preference: 10,
});
const stats = interner.stats();
console.log(`interner after the runs: ${stats.sets} sets, ${stats.setRefs} refs (expected ${sets.length + 1} and ${sets.length + 1})`);
