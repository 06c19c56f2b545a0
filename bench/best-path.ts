/**
 * DOC: best-path micro-benchmark: compares/s and selectBest/s for 1- and 4-candidate lists.
 *
 * Run `node dist/bench/best-path.js` (add `--smoke` for a short CI run). The 4-candidate case re-links each list in
 * a rotated order before every call, so each selection really reorders (the linking cost, 4 pointer writes, is
 * included). Candidates mix eBGP/iBGP, two neighbour ASes with MEDs, and ECMP ties, so every step is exercised.
 */
import { compareCode, compareRoutes, MedMode, type BestPathOptions } from '../src/rib/best-path';
import { selectBest } from '../src/rib/select';
import { SourceKind, type Route } from '../src/rib/types';
import { makeAttrs, makeRoute, makeSource } from '../test/helpers/routes';

const smoke = process.argv.includes('--smoke');
const durationMs = smoke ? 100 : 1000;
const opts: BestPathOptions = { alwaysCompareMed: false, multipath: true };
const PREFIXES = 1024;

const sources = [1, 2, 3, 4].map((id) => makeSource({ id, kind: id <= 2 ? SourceKind.Ebgp : SourceKind.Ibgp }));
const attrPool = [
  makeAttrs({ asPath: [100, 1], med: 10, nextHop: '10.0.0.1' }),
  makeAttrs({ asPath: [100, 2], med: 20, nextHop: '10.0.0.2' }),
  makeAttrs({ asPath: [200, 3], med: 10, nextHop: '10.0.0.3' }),
  makeAttrs({ asPath: [200, 4], med: 10, nextHop: '10.0.0.4', localPref: 100 }),
  makeAttrs({ asPath: [300, 5, 6], nextHop: '10.0.0.5' }),
];

const lists: Route[][] = [];
for (let p = 0; p < PREFIXES; p++) {
  const list: Route[] = [];
  for (let k = 0; k < 4; k++) {
    list.push(makeRoute({ source: sources[k]!, prefix: p * 64 + 24, attrs: attrPool[(p + k) % attrPool.length]!, igpCost: (p * k) % 3 }));
  }
  lists.push(list);
}
const singles: Route[] = lists.map((l) => makeRoute({ source: sources[0]!, prefix: l[0]!.prefix, attrs: attrPool[0]! }));

function run(name: string, perIter: number, body: () => number): void {
  let sink = 0;
  // Warm up so the numbers measure optimised code.
  for (let i = 0; i < 200; i++) sink += body();
  let iters = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(durationMs) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 50; i++) sink += body();
    iters += 50;
    elapsed = process.hrtime.bigint() - start;
  }
  const perSec = (iters * perIter) / (Number(elapsed) / 1e9);
  console.log(`${name.padEnd(28)} ${Math.round(perSec).toLocaleString('en-US').padStart(14)} /s  (sink ${sink & 1})`);
}

run('compareCode', PREFIXES * 6, () => {
  let acc = 0;
  for (let p = 0; p < PREFIXES; p++) {
    const l = lists[p]!;
    acc += compareCode(l[0]!, l[1]!, MedMode.SameNeighborAs, true) > 0 ? 1 : 0;
    acc += compareCode(l[0]!, l[2]!, MedMode.SameNeighborAs, true) > 0 ? 1 : 0;
    acc += compareCode(l[0]!, l[3]!, MedMode.SameNeighborAs, true) > 0 ? 1 : 0;
    acc += compareCode(l[1]!, l[2]!, MedMode.SameNeighborAs, true) > 0 ? 1 : 0;
    acc += compareCode(l[1]!, l[3]!, MedMode.SameNeighborAs, true) > 0 ? 1 : 0;
    acc += compareCode(l[2]!, l[3]!, MedMode.SameNeighborAs, true) > 0 ? 1 : 0;
  }
  return acc;
});

run('compareRoutes', PREFIXES * 3, () => {
  let acc = 0;
  for (let p = 0; p < PREFIXES; p++) {
    const l = lists[p]!;
    acc += compareRoutes(l[0]!, l[1]!, opts).sign;
    acc += compareRoutes(l[1]!, l[2]!, opts).sign;
    acc += compareRoutes(l[2]!, l[3]!, opts).sign;
  }
  return acc;
});

run('selectBest (1 candidate)', PREFIXES, () => {
  let acc = 0;
  for (let p = 0; p < PREFIXES; p++) acc += selectBest(singles[p]!, opts).multipathCount;
  return acc;
});

let rotation = 0;
run('selectBest (4 candidates)', PREFIXES, () => {
  let acc = 0;
  rotation = (rotation + 1) & 3;
  for (let p = 0; p < PREFIXES; p++) {
    const l = lists[p]!;
    const r0 = l[rotation]!;
    const r1 = l[(rotation + 1) & 3]!;
    const r2 = l[(rotation + 2) & 3]!;
    const r3 = l[(rotation + 3) & 3]!;
    r0.next = r1;
    r1.next = r2;
    r2.next = r3;
    r3.next = null;
    acc += selectBest(r0, opts).multipathCount;
  }
  return acc;
});
