/**
 * DOC: the RIB propagation path in one process, without sockets: S1's feed (bench/harness/feed.ts) → decode →
 * validate → import (Calico import policy) → Loc-RIB → update group (Calico export policy with the bench's
 * export-all BGPFilter, eBGP rewrite) → encoded UPDATEs. Import and export alternate in slices as in petreld, so
 * the journal and dirty set stay as small as they are in the daemon. Prints wall and CPU time per phase, the
 * longest slice (a proxy for event-loop lag), heap retained after GC, peak RSS and the interner's table sizes
 * (sets, AS paths: what each distinct attribute set costs). The quick loop for profiling
 * the data path (`node --cpu-prof dist/bench/rib-path.js 1000000`) before confirming with `bench/run.ts S1`.
 *
 *   node --expose-gc dist/bench/rib-path.js [prefixes=1000000] [attrSets=1] [heap-snapshot-path]
 *
 * With a third argument, writes a V8 heap snapshot there at the end, while the RIB is still live (what a route
 * costs: open it in Chrome DevTools, or aggregate `self_size` by constructor).
 * The V8 young-generation tuning of petreld (src/cli/daemon-v8-flags.ts) applies here too, so RSS compares.
 */
// First, as in petreld: the daemon's V8 tuning.
import '../src/cli/daemon-v8-flags';
import { writeHeapSnapshot } from 'node:v8';
import { decodeUpdate } from '../src/bgp/codec/update';
import { validateUpdate } from '../src/bgp/codec/validate';
import { IPV4_UNICAST, type Family } from '../src/bgp/family';
import { AttrInterner } from '../src/rib/attrs/intern';
import { DEFAULT_BEST_PATH_OPTIONS } from '../src/rib/best-path';
import { PeerImporter } from '../src/rib/importer';
import { LocRib } from '../src/rib/loc-rib';
import { CalicoPolicies, type CalicoPolicyInput } from '../src/rib/policy/calico';
import { exportPolicyOf, importPolicyOf } from '../src/rib/policy/adapters';
import { SourceKind, type RouteSource } from '../src/rib/types';
import { UpdateBuilder } from '../src/rib/update-builder';
import { UpdateGroupRegistry } from '../src/rib/update-group';
import type { BgpFilter } from '../src/config/resources';
import { buildFeed, ipv4ToNumber } from './harness/feed';

const CTX = { as4: true, addPath: new Set<Family>(), extendedMessage: false };
const SLICE = 20000;

function source(id: number, name: string, peerAs: number): RouteSource {
  return { id, name, kind: SourceKind.Ebgp, address: `10.10.${id}.2`, routerId: id, peerAs, rrClient: false, preference: 100, pathCounts: { paths: 0, filtered: 0 } };
}

function policyInput(): CalicoPolicyInput {
  const exportAll = {
    name: 'bench-export-all', importV4: [], importV6: [], exportV6: [],
    exportV4: [{ action: 'Accept', matchOperator: 'In', cidr: '0.0.0.0/0' }],
  } as unknown as BgpFilter;
  return {
    advertisements: {
      blocks: [], pools: [], communities: [], normalRoutePriority: { ipv4: 1024, ipv6: 1024 }, felixTunnelInterfaces: [],
      services: { staticRoutes: [], rrExportRanges: [], rejectCidrs: [] },
    } as unknown as CalicoPolicyInput['advertisements'],
    bgpFilters: { 'bench-export-all': exportAll },
  };
}

/** Splits the feed into UPDATE bodies [start, end) (header skipped). */
function frames(feed: Buffer): [number, number][] {
  const out: [number, number][] = [];
  for (let p = 0; p < feed.length; ) {
    const len = feed.readUInt16BE(p + 16);
    out.push([p + 19, p + len]);
    p += len;
  }
  return out;
}

function main(): void {
  const prefixes = Number(process.argv[2] ?? 1_000_000);
  const attrSets = Number(process.argv[3] ?? 1);
  const snapshotPath = process.argv[4];
  const feed = buildFeed({ count: prefixes, base: ipv4ToNumber('11.0.0.0'), attrSets, localAs: 65001, nextHop: ipv4ToNumber('10.10.1.2') });
  const msgs = frames(feed);
  const interner = new AttrInterner();
  const rib = new LocRib(IPV4_UNICAST, interner, DEFAULT_BEST_PATH_OPTIONS);
  const ribs = new Map([[IPV4_UNICAST, rib]]);
  const pols = new CalicoPolicies(policyInput(), 'ipv4');
  const peerIn = { name: 'peer-0', filters: ['bench-export-all'] };
  const peerOut = { name: 'peer-1', filters: ['bench-export-all'] };
  const feeder = source(1, 'peer-0', 65001);
  const sink = source(2, 'peer-1', 65002);
  const importer = new PeerImporter(feeder, ribs, interner, { localAs: 65000, allowLocalAs: 0, routerId: '10.10.1.1', clusterId: '' },
    importPolicyOf(pols.importPolicy(peerIn), interner, { peerName: 'peer-0', peerInternal: false }, pols.functions));
  const registry = new UpdateGroupRegistry();
  const member = registry.join('bench', { source: sink, wake: () => undefined }, rib, interner, () => new UpdateBuilder(IPV4_UNICAST, CTX), {
    source: sink, ibgp: false, localAs: 65000, localAddress: '10.10.2.1', localLinkLocal: '', nextHopMode: 'auto', clusterId: null,
    routerId: '10.10.1.1', policy: exportPolicyOf(pols.exportPolicy(peerOut), interner, { peerName: 'peer-1', peerInternal: false }, {}, pols.functions),
  });
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let maxSlice = 0;
  let sentBytes = 0;
  let sentMsgs = 0;
  let importMs = 0;
  let exportMs = 0;
  let next = 0;
  const vctx = { ibgp: false, localAs: 65000, peerAs: 65001, as4: true };
  while (next < msgs.length || !member.synced) {
    const a = performance.now();
    let n = 0;
    while (next < msgs.length && n < SLICE) {
      const [s, e] = msgs[next++];
      const m = decodeUpdate(feed, s, e, CTX);
      n += importer.apply(m, validateUpdate(m, vctx));
    }
    const b = performance.now();
    for (const out of member.take(SLICE)) {
      sentBytes += out.length;
      sentMsgs++;
    }
    const c = performance.now();
    importMs += b - a;
    exportMs += c - b;
    maxSlice = Math.max(maxSlice, b - a, c - b);
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const rssPeak = process.resourceUsage().maxRSS / 1024;
  gc?.();
  const heap = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
  const st = rib.stats();
  process.stdout.write(
    `rib-path: ${prefixes} prefixes, ${attrSets} attr sets: wall ${wall.toFixed(0)} ms (import ${importMs.toFixed(0)}, export ${exportMs.toFixed(0)}), ` +
      `CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms, longest slice ${maxSlice.toFixed(1)} ms, ` +
      `heap retained ${gc ? heap.toFixed(1) : 'n/a (run with --expose-gc)'} MB, peak RSS ${rssPeak.toFixed(0)} MB; ` +
      `Loc-RIB ${st.prefixes} prefixes, Adj-RIB-Out ${member.group.exporter.adjRibOut.size}, sent ${sentMsgs} UPDATEs / ${sentBytes} octets; ` +
      `interned ${JSON.stringify(interner.stats())}\n`,
  );
  if (snapshotPath) process.stdout.write(`heap snapshot: ${writeHeapSnapshot(snapshotPath)} (Loc-RIB ${rib.size} prefixes live)\n`);
}

main();
