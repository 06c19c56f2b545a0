/**
 * DOC: `npm run demo`: builds the demo topology (interop-tests/lib/calico-demo-topology.ts: an FRR ToR and two
 * Petrel nodes configured from config/demo/), waits for the sessions, prints `petrel show peers` and the routes
 * each side learned (Petrel's tables and FRR's `show bgp ipv4 unicast`), then tears everything down.
 * `--keep` leaves it running until Ctrl-C, for poking at it with `ip netns exec` and `petrel --socket`.
 */
import { buildDemoTopology } from '../lib/calico-demo-topology.js';
import { waitFor } from '../lib/index.js';
import type { PeerInfo } from '../../src/api/types.js';

async function main(): Promise<void> {
  const keep = process.argv.includes('--keep');
  process.stdout.write('Building the demo: namespaces, an FRR ToR (AS 65000) and two Petrel nodes (AS 64512)...\n');
  const topo = await buildDemoTopology();
  try {
    for (const n of topo.nodes) {
      await waitFor(async () => {
        const peers = await n.petrel.query<PeerInfo[]>('show', 'peers');
        return peers.length > 0 && peers.every((p) => p.state === 'Established');
      }, 60000, `${n.name}: sessions Established`);
    }
    await waitFor(async () => (await topo.frr.getRoutes('ipv4')).filter((r) => r.prefix.startsWith('10.244.')).length >= 2, 30000, 'FRR learns both blocks');
    for (const n of topo.nodes) {
      await waitFor(async () => (await n.petrel.query<unknown[]>('show', 'routes')).length >= 3, 30000, `${n.name}: both blocks and the ToR network`);
    }
    for (const n of topo.nodes) {
      process.stdout.write(`\n=== ${n.name} (${n.ip}): petrel show peers\n${await n.petrel.table('show', 'peers')}`);
      process.stdout.write(`\n=== ${n.name}: petrel show routes\n${await n.petrel.table('show', 'routes')}`);
    }
    const frr = await topo.frr.getRoutes('ipv4');
    process.stdout.write('\n=== FRR ToR (10.99.0.1): show bgp ipv4 unicast\n');
    for (const r of frr) process.stdout.write(`${r.best ? '*>' : '* '} ${r.prefix.padEnd(18)} via ${r.nextHop.padEnd(12)} path ${r.asPath.join(' ') || '(local)'}\n`);
    if (keep) {
      process.stdout.write(`\nRunning. Namespaces: ${[topo.tor.name, ...topo.nodes.map((n) => n.ns.name)].join(', ')}. Ctrl-C to stop.\n`);
      for (const n of topo.nodes) process.stdout.write(`  node ${n.name}: node dist/src/cli/petrel.js --socket ${n.petrel.socket} show peers\n`);
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
  } finally {
    await topo.stop();
  }
  process.stdout.write('\nDemo done; namespaces and daemons removed.\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
