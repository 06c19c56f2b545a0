/**
 * DOC: a child process that runs a `TunnelManager` inside a network namespace for the tests (Node cannot setns:
 * the test starts it as `ip netns exec NS node tunnel-agent.js`).
 *
 * Commands, one JSON line each on stdin, answered by one JSON line on stdout:
 *   {id, op:'start', plan, opts?} → {id, status}   (opts: TunnelManagerOptions without log)
 *   {id, op:'update', plan}       → {id, status}
 *   {id, op:'reconcile'}          → {id, status}
 *   {id, op:'status'}             → {id, status}
 * Log lines of the manager are relayed as {event:'log', level, obj, msg}. Closing stdin stops the manager.
 */
import { createInterface } from 'node:readline';
import type { TunnelPlan } from '../../../src/config/tunnels';
import { TunnelManager, type TunnelManagerOptions } from '../../../src/fib/tunnels/tunnel-manager';

interface Command {
  id: number;
  op: 'start' | 'update' | 'reconcile' | 'status';
  plan?: TunnelPlan;
  opts?: TunnelManagerOptions;
}

function reply(obj: unknown): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

const logAt = (level: string) => (obj: object, msg: string) => reply({ event: 'log', level, obj, msg });
const log = { debug: logAt('debug'), info: logAt('info'), warn: logAt('warn'), error: logAt('error') };
let mgr: TunnelManager | undefined;

async function handle(c: Command): Promise<void> {
  try {
    switch (c.op) {
      case 'start':
        mgr = new TunnelManager({ ...c.opts, log });
        await mgr.start(c.plan!);
        break;
      case 'update':
        await mgr!.update(c.plan!);
        break;
      case 'reconcile':
        await mgr!.reconcile();
        break;
      case 'status':
        break;
    }
    reply({ id: c.id, status: mgr?.status() });
  } catch (err) {
    reply({ id: c.id, error: String(err) });
  }
}

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => void handle(JSON.parse(line) as Command));
rl.on('close', () => {
  mgr?.stop();
  process.exit(0);
});
