/**
 * DOC: `npm run bench -- SCENARIO [options]`: the benchmark harness entry (performance.md). Needs root (network
 * namespaces). Scenarios: S1, S1-paths, S3 (propagation, FIB off and on), C1 (one node of a 200-peer Calico
 * mesh), F1 (netlink FIB install rate, wraps bench/fib.ts), M1 (UPDATE codec, wraps bench/codec.ts).
 *
 * Options:
 *   --dut petrel,bird2,bird1,frr,openbgpd   DUTs, in order (default: all); a missing one is reported, not skipped
 *   --prefixes N        S*: total prefixes (default 1,000,000); C1: peers (default 200)
 *   --attr-sets N       S*: distinct attribute sets (S1-paths default 100,000)
 *   --fib on|off|both   S*: FIB modes (default both)
 *   --hold SECONDS      hold time (default 90; keepalive = hold/3). `--hold 9` is the 3/9 s lag-check variant
 *   --cpu-prof DIR      run petreld under `node --cpu-prof` with profiles written to DIR
 *   --node-flags=FLAGS  more node flags for petreld, space-separated (e.g. --node-flags=--trace-gc; output in its log)
 *   --no-calibration    skip the tools-only run
 *   --seconds S         M1: seconds per case (default 1)
 *   --json PATH         also write the results JSON to this file
 *   --results-dir DIR   where the timestamped results JSON goes (default bench/results/)
 *   --log-dir DIR       keep each run's DUT log(s) in DIR (they are otherwise removed with the run's temp dir)
 * Prints one table per scenario with versions, the machine's core count and the bottleneck verdict.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DUT_KINDS, createDut, type DutKind } from './harness/duts/index';
import { machineInfo, writeResults } from './harness/report';
import { runPropagationScenario } from './scenarios/propagation-scenarios';
import { runMeshScenario } from './scenarios/mesh-scenario';
import { runFibScenario } from './scenarios/fib-scenario';
import { runCodecScenario } from './scenarios/codec-scenario';

const SCENARIOS = ['S1', 'S1-paths', 'S3', 'C1', 'F1', 'M1'] as const;
type Scenario = (typeof SCENARIOS)[number];

const USAGE = `usage: npm run bench -- ${SCENARIOS.join('|')} [--dut ${DUT_KINDS.join(',')}] [--prefixes N] [--attr-sets N]
       [--fib on|off|both] [--hold SECONDS] [--cpu-prof DIR] [--node-flags=FLAGS] [--no-calibration] [--seconds S] [--json PATH] [--results-dir DIR]
       [--log-dir DIR]`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dut: { type: 'string' }, prefixes: { type: 'string' }, 'attr-sets': { type: 'string' }, fib: { type: 'string' },
      hold: { type: 'string' }, 'cpu-prof': { type: 'string' }, 'node-flags': { type: 'string' }, 'no-calibration': { type: 'boolean' }, json: { type: 'string' },
      seconds: { type: 'string' }, 'results-dir': { type: 'string' }, 'log-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const scenario = positionals[0] as Scenario | undefined;
  if (values.help || !scenario || !SCENARIOS.includes(scenario)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const duts = (values.dut?.split(',').map((d) => d.trim()) ?? [...DUT_KINDS]) as DutKind[];
  const bad = duts.filter((d) => !DUT_KINDS.includes(d));
  if (bad.length) {
    process.stderr.write(`unknown DUT ${bad.join(', ')}\n${USAGE}\n`);
    return 2;
  }
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v.replace(/[_,]/g, '')));
  const hold = num(values.hold) ?? 90;
  const fibModes = values.fib === 'on' ? [true] : values.fib === 'off' ? [false] : [false, true];
  const nodeFlags = [...(values['cpu-prof'] ? ['--cpu-prof'] : []), ...(values['node-flags']?.split(/\s+/).filter((f) => f !== '') ?? [])];
  const dutOptions = {
    ...(nodeFlags.length > 0 ? { nodeFlags } : {}),
    ...(values['cpu-prof'] ? { profileDir: values['cpu-prof'] } : {}),
    ...(values['log-dir'] ? { logDir: values['log-dir'] } : {}),
  };
  const machine = machineInfo();
  const log = (l: string) => process.stderr.write(`${l}\n`);

  // A missing peer daemon is reported and left out of the runs, never silently.
  const missing: Record<string, string[]> = {};
  const runnable: DutKind[] = [];
  const versions: Record<string, string> = {};
  for (const d of duts) {
    const dut = createDut(d);
    const m = dut.missing();
    if (m.length) missing[d] = m;
    else {
      runnable.push(d);
      versions[d] = await dut.version();
    }
  }
  const header = [
    `Petrel benchmark ${scenario}: ${machine.cores} cores (${machine.cpu}), kernel ${machine.kernel}, node ${machine.node}`,
    `DUTs: ${runnable.map((d) => `${d} ${versions[d]}`).join(', ') || 'none'}`,
    ...Object.entries(missing).map(([d, m]) => `MISSING ${d}: ${m.join(', ')} not installed (see .ci/install-system-deps.sh)`),
  ];
  process.stdout.write(`${header.join('\n')}\n`);

  let data: { table: string; [k: string]: unknown };
  switch (scenario) {
    case 'S1':
    case 'S1-paths':
    case 'S3':
      data = { ...(await runPropagationScenario(scenario, {
        duts: runnable, prefixes: num(values.prefixes), attrSets: num(values['attr-sets']), fibModes, holdTime: hold,
        keepaliveTime: Math.max(1, Math.floor(hold / 3)), dutOptions, noCalibration: values['no-calibration'], log,
      })) };
      break;
    case 'C1':
      data = { ...(await runMeshScenario({ duts: runnable, peers: num(values.prefixes), holdTime: hold, keepaliveTime: Math.max(1, Math.floor(hold / 3)), dutOptions, log })) };
      break;
    case 'F1':
      data = { ...(await runFibScenario({ routes: num(values.prefixes) })) };
      break;
    case 'M1':
      data = { ...runCodecScenario({ seconds: num(values.seconds) }) };
      break;
  }
  process.stdout.write(`\n${data.table}\n`);
  const out = { scenario, machine, versions, missing, command: process.argv.slice(2), ...data };
  const path = writeResults(scenario, out, values['results-dir']);
  if (values.json) writeFileSync(values.json, `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`\nresults: ${path}\n`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}

export { main };
