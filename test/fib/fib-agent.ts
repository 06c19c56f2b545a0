/**
 * DOC: a child process that runs a real `Fib` over two Loc-RIBs inside a network namespace, for the FIB tests
 * (Node cannot setns: the test starts it as `ip netns exec NS node fib-agent.js OPTIONS`).
 *
 * OPTIONS (JSON): {table, protocol, mergePaths?, scanTime?, convergenceTimeoutMs?, converged?: boolean,
 * policyV4?: PolicyDef}. With `converged: false` the FIB waits for first convergence until the `converge` command
 * (or the timeout). Commands, one JSON line each on stdin, answered by one JSON line {id, ...} on stdout:
 *   {op:'announce', prefix, nextHop?, source, kind?: 'ebgp'|'ibgp'|'static', localPref?}  (no nextHop: blackhole)
 *   {op:'announceMany', routes: [...]}   (one event-loop turn: an ECMP set arrives whole)
 *   {op:'withdraw', prefix, source}
 *   {op:'idle'}      → {counters} once nothing is pending
 *   {op:'converge'}  → marks first convergence
 *   {op:'scan'}      → runs a safety-net scan, then {counters}
 *   {op:'stop'}      → stops the FIB (routes stay) and exits
 */
import { createInterface } from 'node:readline';
import { Fib } from '../../src/fib/fib';
import { LocRib } from '../../src/rib/loc-rib';
import { AttrInterner, emptyAttrFields } from '../../src/rib/attrs/intern';
import { DEFAULT_BEST_PATH_OPTIONS } from '../../src/rib/best-path';
import { IPV4_UNICAST, IPV6_UNICAST } from '../../src/bgp/family';
import { SourceKind, type RouteSource } from '../../src/rib/types';
import { compilePolicy } from '../../src/rib/policy/policy';
import type { FibAgentOptions as Options } from './fib-agent-client';
import { parsePrefix } from '../../src/util/prefix';


interface Command {
  id: number;
  op: 'announce' | 'announceMany' | 'withdraw' | 'idle' | 'converge' | 'scan' | 'stop';
  routes?: Omit<Command, 'id' | 'op' | 'routes'>[];
  prefix?: string;
  nextHop?: string;
  source?: string;
  kind?: 'ebgp' | 'ibgp' | 'static';
  localPref?: number;
}

const opts = JSON.parse(process.argv[2] ?? '{}') as Options;
const interner = new AttrInterner();
const bp = { ...DEFAULT_BEST_PATH_OPTIONS, multipath: opts.mergePaths ?? true };
const ribs = new Map([
  [IPV4_UNICAST, new LocRib(IPV4_UNICAST, interner, bp)],
  [IPV6_UNICAST, new LocRib(IPV6_UNICAST, interner, bp)],
]);
const fib = new Fib(ribs, interner, {
  table: opts.table, protocol: opts.protocol, mergePaths: opts.mergePaths ?? true, scanTime: opts.scanTime ?? 0,
  convergenceTimeoutMs: opts.convergenceTimeoutMs ?? 60_000, converged: () => opts.converged ?? true,
  kernelPolicies: opts.policyV4 ? { v4: compilePolicy(opts.policyV4) } : {},
  writerThreads: opts.writerThreads,
  writerThreadBacklog: opts.writerThreadBacklog,
  writerThreadIdleMs: opts.writerThreadIdleMs,
  nexthopObjects: opts.nexthopObjects,
});
const sources = new Map<string, RouteSource>();
let nextId = 1;

function sourceOf(name: string, kind: Command['kind']): RouteSource {
  let s = sources.get(name);
  if (s === undefined) {
    const k = kind === 'static' ? SourceKind.Static : kind === 'ebgp' ? SourceKind.Ebgp : SourceKind.Ibgp;
    const id = nextId++;
    s = { id, name, kind: k, address: k === SourceKind.Static ? '' : `192.0.2.${id}`, routerId: id, peerAs: k === SourceKind.Ebgp ? 65000 : 64512, rrClient: false, preference: k === SourceKind.Static ? 200 : 100 };
    sources.set(name, s);
  }
  return s;
}

function reply(obj: unknown): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

function announce(cmd: Omit<Command, 'id' | 'op' | 'routes'>): void {
  const key = parsePrefix(cmd.prefix!)!;
  const rib = ribs.get(typeof key === 'number' ? IPV4_UNICAST : IPV6_UNICAST)!;
  const f = emptyAttrFields();
  f.nextHop = cmd.nextHop ?? '';
  if (cmd.kind === 'ebgp') f.asPath = [{ type: 2, asns: [65000] }];
  if (cmd.localPref !== undefined) f.localPref = cmd.localPref;
  const src = sourceOf(cmd.source!, cmd.kind ?? 'ibgp');
  const set = interner.internSet(f);
  rib.upsert(key, src, 0, set, interner.ref(set), src.preference);
}

async function handle(cmd: Command): Promise<void> {
  switch (cmd.op) {
    case 'announceMany':
      for (const r of cmd.routes!) announce(r);
      reply({ id: cmd.id });
      return;
    case 'announce':
      announce(cmd);
      reply({ id: cmd.id });
      return;
    case 'withdraw': {
      const key = parsePrefix(cmd.prefix!)!;
      ribs.get(typeof key === 'number' ? IPV4_UNICAST : IPV6_UNICAST)!.withdraw(key, sources.get(cmd.source!)!, 0);
      reply({ id: cmd.id });
      return;
    }
    case 'idle':
      await fib.whenIdle();
      reply({ id: cmd.id, counters: fib.counters });
      return;
    case 'converge':
      fib.markConverged();
      reply({ id: cmd.id });
      return;
    case 'scan':
      fib.requestScan();
      await fib.whenIdle();
      reply({ id: cmd.id, counters: fib.counters });
      return;
    case 'stop':
      fib.stop();
      reply({ id: cmd.id });
      setImmediate(() => process.exit(0));
      return;
  }
}

fib.start().then(
  () => {
    reply({ ready: true });
    const rl = createInterface({ input: process.stdin });
    rl.on('line', (line) => void handle(JSON.parse(line) as Command));
    rl.on('close', () => {
      fib.stop();
      process.exit(0);
    });
  },
  (e: unknown) => {
    process.stderr.write(`fib-agent: ${String(e)}\n`);
    process.exit(1);
  },
);
