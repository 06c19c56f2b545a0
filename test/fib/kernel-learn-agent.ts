/**
 * DOC: a child process that runs a `KernelLearner` feeding real Loc-RIBs inside a network namespace (started as
 * `ip netns exec NS node kernel-learn-agent.js OPTIONS_JSON`). Each stdin line is a command; the answer is one
 * JSON line: `rib` → {routes: ["<prefix> <source> <ifname|-> <metric|->", ...] sorted, syncs, journal}.
 */
import { createInterface } from 'node:readline';
import { IPV4_UNICAST, IPV6_UNICAST } from '../../src/bgp/family';
import { KernelLearner, type KernelLearnerOptions } from '../../src/fib/kernel-learn';
import { AttrInterner } from '../../src/rib/attrs/intern';
import { DEFAULT_BEST_PATH_OPTIONS } from '../../src/rib/best-path';
import { LocRib } from '../../src/rib/loc-rib';
import { formatPrefixKey } from '../../src/util/prefix';

const interner = new AttrInterner();
const ribs = new Map([
  [IPV4_UNICAST, new LocRib(IPV4_UNICAST, interner, DEFAULT_BEST_PATH_OPTIONS)],
  [IPV6_UNICAST, new LocRib(IPV6_UNICAST, interner, DEFAULT_BEST_PATH_OPTIONS)],
]);
const learner = new KernelLearner({ ...(JSON.parse(process.argv[2] ?? '{}') as KernelLearnerOptions), resyncDelayMs: 20 });

function snapshot(): { routes: string[]; syncs: number; journal: number } {
  const out: string[] = [];
  let journal = 0;
  for (const rib of ribs.values()) {
    journal += rib.journal.retained;
    for (const [p, head] of rib.table) {
      for (let r: typeof head | null = head; r !== null; r = r.next) {
        out.push(`${formatPrefixKey(p)} ${r.source.name} ${learner.ifnameOf(r) ?? '-'} ${learner.krtMetricOf(r) ?? '-'}`);
      }
    }
  }
  return { routes: out.sort(), syncs: learner.syncs, journal };
}

const ready = learner.start({ ribs, interner });
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  void ready.then(
    () => process.stdout.write(`${JSON.stringify({ cmd: line, ...snapshot() })}\n`),
    (err: Error) => process.stdout.write(`${JSON.stringify({ error: err.message })}\n`),
  );
});
rl.on('close', () => {
  learner.stop();
  process.exit(0);
});
