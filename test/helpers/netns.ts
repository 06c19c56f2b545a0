/**
 * DOC: network-namespace fixtures for tests that touch a real kernel (needs root and iproute2).
 *
 * `createNetns` makes a uniquely named namespace (prefix, pid, counter, random suffix) with `lo` up and registers
 * its deletion on the tap test's teardown; a process 'exit' hook deletes any that a crashed test left behind.
 * Everything else runs `ip` against a namespace by name, so no address outside the namespaces we made is touched.
 */
import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** The part of a tap `Test` this helper needs. */
export interface TeardownHost {
  teardown(fn: () => void | Promise<void>): void;
}

/** A command run in a namespace exited non-zero. */
export class NetnsExecError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`${command} exited ${exitCode}: ${stderr.trim()}`);
    this.name = 'NetnsExecError';
  }
}

const live = new Set<string>();
let counter = 0;
let exitHookInstalled = false;

function deleteNow(ns: string): void {
  try {
    execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  } catch {
    // already gone
  }
  live.delete(ns);
}

/** Creates a namespace named `<prefix>-<pid>-<n>-<rand>` (at most 40 chars), brings `lo` up, deletes it on teardown. */
export async function createNetns(t: TeardownHost, prefix: string): Promise<string> {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const ns of [...live]) deleteNow(ns);
    });
  }
  const name = `${prefix.slice(0, 16)}-${process.pid}-${counter++}-${randomBytes(3).toString('hex')}`;
  await run('ip', ['netns', 'add', name]);
  live.add(name);
  t.teardown(async () => {
    await run('ip', ['netns', 'del', name]).catch(() => undefined);
    live.delete(name);
  });
  await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}

/** Runs a command; resolves with stdout, rejects with NetnsExecError on a non-zero exit. */
export function run(cmd: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new NetnsExecError([cmd, ...args].join(' '), typeof err.code === 'number' ? err.code : null, stdout, stderr));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Runs `cmd args` inside namespace `ns` (`ip netns exec`); resolves with stdout. */
export function exec(ns: string, cmd: string, args: readonly string[] = []): Promise<string> {
  return run('ip', ['netns', 'exec', ns, cmd, ...args]);
}

/** Like `exec` but never rejects: resolves with the exit code and both outputs. */
export async function tryExec(ns: string, cmd: string, args: readonly string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  try {
    return { code: 0, stdout: await exec(ns, cmd, args), stderr: '' };
  } catch (err) {
    if (err instanceof NetnsExecError) return { code: err.exitCode, stdout: err.stdout, stderr: err.stderr };
    throw err;
  }
}

/**
 * `ip ROUTE-ARGS` in `ns` (e.g. `['-4', 'route', 'show', 'table', '100']`), one line per route, whitespace
 * squeezed; [] when the table does not exist. `nhid N` is left out unless `keepNhid`: whether Petrel's FIB wrote a
 * route naming a kernel nexthop object depends on write timing (src/fib/nexthop-objects.ts).
 */
export async function ipRouteLines(ns: string, args: readonly string[], keepNhid = false): Promise<string[]> {
  const r = await tryExec(ns, 'ip', args);
  if (r.code !== 0 && r.stderr.includes('table does not exist')) return [];
  if (r.code !== 0) throw new Error(r.stderr);
  const lines = r.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => l.trim().replace(/\s+/g, ' '));
  return keepNhid ? lines : lines.map((l) => l.replace(/ nhid \d+/, ''));
}

/** Starts a long-running process inside `ns` (stdio piped); the caller kills it. */
export function spawnIn(ns: string, cmd: string, args: readonly string[] = []): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Creates a veth pair: `ifA` in `nsA`, `ifB` in `nsB` (the two may be the same namespace). Both stay down. */
export async function vethPair(nsA: string, ifA: string, nsB: string, ifB: string): Promise<void> {
  await run('ip', ['-n', nsA, 'link', 'add', ifA, 'type', 'veth', 'peer', 'name', ifB, 'netns', nsB]);
}

/** Adds `cidr` (e.g. `10.0.0.1/24`) to `ifname` in `ns`. */
export async function addAddress(ns: string, ifname: string, cidr: string): Promise<void> {
  await run('ip', ['-n', ns, 'addr', 'add', cidr, 'dev', ifname]);
}

/** Sets `ifname` up in `ns`. */
export async function linkUp(ns: string, ifname: string): Promise<void> {
  await run('ip', ['-n', ns, 'link', 'set', ifname, 'up']);
}

/** The ifindex of `ifname` in `ns`. */
export async function ifindex(ns: string, ifname: string): Promise<number> {
  const links = JSON.parse(await run('ip', ['-n', ns, '-j', 'link', 'show', 'dev', ifname])) as { ifindex: number }[];
  return links[0].ifindex;
}
