/**
 * DOC: driver for ExaBGP 4.2 inside a network namespace, with the same query shapes as `PeerDriver`
 * (`RouteEntry`, `NeighborStatus`).
 *
 * ExaBGP keeps no RIB to query, so the driver runs one API process (`cat >> received.jsonl`) that gets every
 * received UPDATE and state change as ExaBGP's JSON, and rebuilds from that file the Adj-RIB-In (announce/withdraw
 * replayed per peer and prefix) and each neighbor's last state (the process is a script: ExaBGP splits `run` on
 * spaces). Originated networks are `static` routes with
 * `next-hop self`. ExaBGP runs in the foreground as root without its CLI pipes; it connects out only (no listen).
 * Owns a temp dir (`petrel-exabgp-*`) with the config, the JSON stream and the log; stop() removes it.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InteropError } from './errors.js';
import { startDaemon, type DaemonProcess } from './exec.js';
import { scratchDir, type ScratchDir } from './scratch-dir.js';
import { checkSpec } from './spec-check.js';
import { DEFAULT_TIMERS, familyOf, neighborFamilies, sortRoutes, type AddrFamily, type NeighborStatus, type RouteEntry, type RouterSpec } from './types.js';
import { waitFor } from './wait-for.js';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Renders exabgp.conf for `spec`; `receiver` is the API process (a script appending its stdin to the stream). ExaBGP needs each session's local
 * address: `localAddresses` maps the neighbor's family to it.
 */
export function renderExabgpConfig(spec: RouterSpec, receiver: string, localAddresses: Partial<Record<AddrFamily, string>>): string {
  checkSpec(spec);
  const out = ['process receive {', `  run ${receiver};`, '  encoder json;', '}', ''];
  for (const n of spec.neighbors) {
    const fams = neighborFamilies(n);
    out.push(
      `neighbor ${n.address} {`,
      `  router-id ${spec.routerId};`,
      `  local-address ${localAddresses[familyOf(n.address)] ?? ''};`,
      `  local-as ${spec.localAs};`,
      `  peer-as ${n.remoteAs};`,
      `  hold-time ${n.holdTime ?? DEFAULT_TIMERS.holdTime};`,
      ...(n.passive ? ['  passive true;'] : []),
      '  family {',
      ...fams.map((f) => `    ${f} unicast;`),
      '  }',
      '  static {',
      ...(spec.networks ?? []).filter((p) => fams.includes(familyOf(p))).map((p) => `    route ${p} next-hop self;`),
      '  }',
      '  api {',
      '    processes [ receive ];',
      '    neighbor-changes;',
      '    receive { parsed; update; }',
      '  }',
      '}',
      '',
    );
  }
  return out.join('\n');
}

/** What the JSON stream says: per peer address, its last state and its Adj-RIB-In. */
export interface ExabgpView {
  states: Map<string, string>;
  routes: RouteEntry[];
}

/** Replays ExaBGP's JSON stream (one object per line) into neighbor states and the Adj-RIB-In. */
export function parseExabgpStream(text: string): ExabgpView {
  const states = new Map<string, string>();
  const rib = new Map<string, RouteEntry>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    const m = JSON.parse(line) as Json;
    const nb = isObj(m['neighbor']) ? m['neighbor'] : {};
    const peer = isObj(nb['address']) ? String(nb['address']['peer']) : '';
    if (m['type'] === 'state') {
      states.set(peer, String(nb['state']));
      if (nb['state'] === 'down') for (const k of [...rib.keys()]) if (k.startsWith(`${peer} `)) rib.delete(k);
      continue;
    }
    if (m['type'] !== 'update') continue;
    const msg = isObj(nb['message']) && isObj(nb['message']['update']) ? nb['message']['update'] : {};
    const attr = isObj(msg['attribute']) ? msg['attribute'] : {};
    const asPath = Array.isArray(attr['as-path']) ? attr['as-path'].map(Number) : [];
    if (isObj(msg['withdraw'])) {
      for (const list of Object.values(msg['withdraw'])) {
        if (Array.isArray(list)) for (const x of list.filter(isObj)) rib.delete(`${peer} ${String(x['nlri'])}`);
      }
    }
    if (isObj(msg['announce'])) {
      for (const byNh of Object.values(msg['announce'])) {
        if (!isObj(byNh)) continue;
        for (const [nextHop, list] of Object.entries(byNh)) {
          if (!Array.isArray(list)) continue;
          for (const x of list.filter(isObj)) {
            const prefix = String(x['nlri']);
            const r: RouteEntry = { prefix, nextHop, asPath, best: true, learnedFrom: peer };
            if (typeof attr['med'] === 'number') r.med = attr['med'];
            rib.set(`${peer} ${prefix}`, r);
          }
        }
      }
    }
  }
  return { states, routes: sortRoutes([...rib.values()]) };
}

/** Drives ExaBGP in namespace `netns`. */
export class ExabgpDriver {
  readonly kind = 'exabgp' as const;
  readonly spec: RouterSpec;
  private dir: string | undefined;
  private scratch: ScratchDir | undefined;
  private proc: DaemonProcess | undefined;

  constructor(
    readonly netns: string,
    spec: RouterSpec,
    /** The daemon's own address per family, for `local-address`. */
    readonly localAddresses: Partial<Record<AddrFamily, string>>,
  ) {
    this.spec = { ...spec, networks: [...(spec.networks ?? [])] };
  }

  private get stream(): string {
    return join(this.dir!, 'received.jsonl');
  }

  async start(): Promise<void> {
    if (this.dir) throw new InteropError(`ExaBGP ${this.spec.name} already started`);
    renderExabgpConfig(this.spec, '/dev/null', this.localAddresses);
    this.scratch = await scratchDir('petrel-exabgp-');
    const dir = (this.dir = this.scratch.path);
    await writeFile(this.stream, '');
    // ExaBGP splits `run` on spaces (no shell quoting), so the receiver is a script of its own; no `exec`: ExaBGP
    // restarts a process whose stdout closes, so the shell keeps it open.
    const receiver = join(dir, 'receive.sh');
    await writeFile(receiver, `#!/bin/sh\ncat >> '${this.stream}'\n`, { mode: 0o755 });
    await writeFile(join(dir, 'exabgp.conf'), renderExabgpConfig(this.spec, receiver, this.localAddresses));
    // ExaBGP reads its settings from exabgp.* environment variables; `env` sets them for the exec'd daemon.
    const env = [
      'exabgp.daemon.daemonize=false',
      'exabgp.daemon.user=root',
      'exabgp.daemon.drop=false',
      'exabgp.api.cli=false',
      'exabgp.log.destination=stdout',
      'exabgp.log.level=INFO',
      'exabgp.tcp.bind=',
    ];
    this.proc = startDaemon('env', [...env, 'exabgp', join(dir, 'exabgp.conf')], {
      name: `exabgp@${this.netns}`,
      logFile: join(dir, 'exabgp.log'),
      netns: this.netns,
    });
  }

  /** States and Adj-RIB-In rebuilt from the received stream. */
  view(): ExabgpView {
    if (!this.dir) throw new InteropError(`ExaBGP ${this.spec.name} is not running`);
    if (!this.proc?.alive()) throw new InteropError(`ExaBGP ${this.spec.name} exited: ${this.log().slice(-1000)}`);
    return parseExabgpStream(readFileSync(this.stream, 'utf8'));
  }

  async stop(): Promise<void> {
    await this.proc?.stop();
    this.proc = undefined;
    await this.scratch?.remove();
    this.scratch = undefined;
    this.dir = undefined;
  }

  neighbors(): Promise<NeighborStatus[]> {
    const { states } = this.view();
    return Promise.resolve(
      this.spec.neighbors.map((n) => ({ address: n.address, remoteAs: n.remoteAs, state: states.get(n.address) === 'up' ? 'Established' : 'Idle' })),
    );
  }

  async waitEstablished(peerIp: string, timeoutMs: number): Promise<void> {
    await waitFor(
      async () => (await this.neighbors()).some((n) => n.address === peerIp && n.state === 'Established'),
      timeoutMs,
      `ExaBGP ${this.spec.name}: session with ${peerIp} up`,
    );
  }

  /** The Adj-RIB-In of one family (every received path counts as best: ExaBGP selects nothing). */
  getRoutes(family: AddrFamily): Promise<RouteEntry[]> {
    return Promise.resolve(this.view().routes.filter((r) => familyOf(r.prefix) === family));
  }

  log(): string {
    return this.proc?.log() ?? '';
  }

  pids(): number[] {
    return this.proc?.alive() ? [this.proc.pid] : [];
  }
}
