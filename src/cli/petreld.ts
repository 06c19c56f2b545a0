#!/usr/bin/env node
/**
 * DOC: `petreld`, the daemon's command line: load Calico resources, derive this node's BGP configuration, run.
 *
 *   petreld --config PATH [--config PATH...] [--node NAME] [--socket PATH] [--log-level LEVEL]
 *   petreld check --config PATH [--node NAME]
 *
 * The node name comes from `--node`, else $NODENAME (as in calico-node), else the PetrelConfiguration. `check`
 * validates and exits non-zero listing every error with file, line and field. Signals: SIGHUP reloads (a config
 * that fails to load is rejected and the old one kept), SIGTERM/SIGINT send Cease to every peer and exit.
 * Logs are pino JSON on stdout, one child logger per peer.
 */
// First: tunes V8's young generation before anything else allocates (daemon-v8-flags.ts explains).
import './daemon-v8-flags';
import { parseArgs } from 'node:util';
import pino, { type Logger } from 'pino';
import { loadConfig, deriveNodeConfig, resolveNodeName, ConfigErrors, type LoadedConfig } from '../config/index';
import type { NodeBgpConfig } from '../config/node-config';
import { Daemon } from '../daemon/daemon';
import { BgpdError } from '../util/errors';
import { startControl, type ControlHandle } from '../daemon/control';
import { calicoHooks } from '../daemon/calico-hooks';

interface Args {
  command: 'run' | 'check';
  configs: string[];
  node?: string;
  socket?: string;
  logLevel?: string;
}

function parse(argv: string[]): Args {
  const command = argv[0] === 'check' ? 'check' : 'run';
  const rest = command === 'check' ? argv.slice(1) : argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c', multiple: true },
      node: { type: 'string' },
      socket: { type: 'string', short: 's' },
      'log-level': { type: 'string' },
    },
  });
  if (positionals.length) throw new BgpdError('ERR_BGP_USAGE', `unexpected argument '${positionals[0]}'`);
  if (!values.config?.length) throw new BgpdError('ERR_BGP_USAGE', '--config PATH is required');
  return { command, configs: values.config, node: values.node, socket: values.socket, logLevel: values['log-level'] };
}

async function loadNodeConfig(args: Args): Promise<{ loaded: LoadedConfig; node: NodeBgpConfig }> {
  const loaded = await loadConfig(args.configs);
  const env = { NODENAME: args.node ?? process.env.NODENAME, CALICO_ROUTER_ID: process.env.CALICO_ROUTER_ID, CALICO_ADVERTISE_CLUSTER_IPS: process.env.CALICO_ADVERTISE_CLUSTER_IPS };
  const name = resolveNodeName(loaded, env);
  if (!name) throw new BgpdError('ERR_BGP_USAGE', 'no node name: pass --node NAME, set NODENAME, or set nodeName in PetrelConfiguration');
  return { loaded, node: deriveNodeConfig(loaded, name, env) };
}

function printConfigErrors(e: unknown): boolean {
  if (e instanceof ConfigErrors) {
    for (const err of e.errors) process.stderr.write(`error: ${err.message}\n`);
    return true;
  }
  if (e instanceof BgpdError) {
    process.stderr.write(`error: ${e.message}\n`);
    return true;
  }
  return false;
}

async function check(args: Args): Promise<number> {
  try {
    const { loaded, node } = await loadNodeConfig(args);
    for (const w of loaded.warnings) process.stderr.write(`warning: ${w.message}\n`);
    process.stdout.write(`ok: node ${node.nodeName}, router id ${node.routerId}, AS ${node.localAs}, ${node.peers.length} peer(s)\n`);
    return 0;
  } catch (e) {
    if (printConfigErrors(e)) return 1;
    throw e;
  }
}

async function run(args: Args): Promise<number> {
  let current: NodeBgpConfig;
  let log: Logger;
  try {
    const { loaded, node } = await loadNodeConfig(args);
    current = node;
    log = pino({ level: args.logLevel ?? node.daemon.logLevel ?? 'info', base: { node: node.nodeName } });
    for (const w of loaded.warnings) log.warn(w.message);
  } catch (e) {
    if (printConfigErrors(e)) return 1;
    throw e;
  }
  const daemon = new Daemon(current, log, (interner, facts) => calicoHooks(interner, facts));
  await daemon.start();
  const control: ControlHandle = await startControl(daemon, args.socket, log);
  log.info({ routerId: current.routerId, as: current.localAs, peers: current.peers.length }, 'petreld started');

  let reloading = false;
  process.on('SIGHUP', () => {
    if (reloading) return;
    reloading = true;
    log.info('reconfiguration requested by SIGHUP');
    loadNodeConfig(args)
      .then(({ node }) => daemon.reconfigure(node))
      .catch((e: unknown) => log.error({ err: e instanceof Error ? e.message : String(e) }, 'reconfiguration failed: keeping the old configuration'))
      .finally(() => { reloading = false; });
  });
  return new Promise((resolve) => {
    const shutdown = (sig: string) => {
      log.info({ signal: sig }, 'shutting down: Cease to every peer');
      Promise.resolve()
        .then(() => control.close())
        .then(() => daemon.stop())
        .finally(() => resolve(0));
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}

export async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parse(argv);
  } catch (e) {
    process.stderr.write(`petreld: ${(e as Error).message}\nusage: petreld [check] --config PATH [--node NAME] [--socket PATH] [--log-level LEVEL]\n`);
    return 2;
  }
  return args.command === 'check' ? check(args) : run(args);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => { process.exit(code); },
    (e: unknown) => {
      process.stderr.write(`petreld: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
