/**
 * DOC: minimal network-namespace plumbing for the interop harness (iproute2 commands).
 *
 * Owns namespaces it creates: names are `<prefix>-<pid>-<n>` so parallel test processes never collide, and
 * `destroy()` first SIGKILLs any process still inside (`ip netns pids`) and then deletes the namespace.
 * veth pairs are created directly inside their two namespaces (`ip link add A netns X type veth peer name B
 * netns Y`), so interface names only need to be unique per namespace and nothing is ever added to the root
 * namespace. Addresses are only ever configured inside namespaces made here. IPv6 addresses are added with
 * `nodad` so they are usable at once. With a tap test passed in, `destroy` is registered as a teardown; a
 * namespace still present when the process exits is deleted by exit-guard.ts.
 */
import { execFileSync } from 'node:child_process';
import { run, type RunOptions, type RunResult } from './exec.js';
import { onExitCleanup } from './exit-guard.js';

/** The part of a tap test used here. */
export interface Teardownable {
  teardown(fn: () => unknown): void;
}

/** A network namespace created by {@link createNetns}. */
export interface Netns {
  readonly name: string;
  /** Runs a command inside the namespace. */
  exec(cmd: string, args: readonly string[], opts?: Omit<RunOptions, 'netns'>): Promise<RunResult>;
  /** Kills what still runs inside and deletes the namespace; safe to call twice. */
  destroy(): Promise<void>;
}

let counter = 0;

/** Lists the names of all namespaces known to `ip netns`. */
export async function listNetns(): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list']);
  return stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter((n): n is string => !!n);
}

/** Pids of processes running inside namespace `name`. */
export async function netnsPids(name: string): Promise<number[]> {
  const { stdout } = await run('ip', ['netns', 'pids', name]);
  return stdout
    .split(/\s+/)
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
}

/** Creates a namespace named `<prefix>-<pid>-<n>` with `lo` up; registers its destruction on `t` if given. */
export async function createNetns(t: Teardownable | undefined, prefix: string): Promise<Netns> {
  const name = `${prefix}-${process.pid}-${++counter}`;
  await run('ip', ['netns', 'add', name]);
  const unregister = onExitCleanup(() => execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' }));
  let destroyed = false;
  const ns: Netns = {
    name,
    exec: (cmd, args, opts = {}) => run(cmd, args, { ...opts, netns: name }),
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      for (const pid of await netnsPids(name).catch(() => [])) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await run('ip', ['netns', 'del', name]);
      unregister();
    },
  };
  t?.teardown(() => ns.destroy());
  await linkUp(ns, 'lo');
  return ns;
}

/** Creates veth `aIf` in `a` paired with `bIf` in `b`, both up. */
export async function vethPair(a: Netns, aIf: string, b: Netns, bIf: string): Promise<void> {
  await run('ip', ['link', 'add', 'name', aIf, 'netns', a.name, 'type', 'veth', 'peer', 'name', bIf, 'netns', b.name]);
  await linkUp(a, aIf);
  await linkUp(b, bIf);
}

/** Adds `cidr` (e.g. `10.0.0.1/30`, `fd00::1/64`) to `ifname` inside `ns`. */
export async function addAddress(ns: Netns, ifname: string, cidr: string): Promise<void> {
  const extra = cidr.includes(':') ? ['nodad'] : [];
  await run('ip', ['-n', ns.name, 'addr', 'add', cidr, 'dev', ifname, ...extra]);
}

/** Sets `ifname` up inside `ns`. */
export async function linkUp(ns: Netns, ifname: string): Promise<void> {
  await run('ip', ['-n', ns.name, 'link', 'set', 'dev', ifname, 'up']);
}
