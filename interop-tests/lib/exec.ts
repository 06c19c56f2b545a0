/**
 * DOC: running commands and long-lived daemons for the interop harness.
 *
 * `run` executes one command to completion (no shell; arguments are passed as an array) and throws
 * `InteropError` with its output when it fails. `startDaemon` spawns a foreground daemon, optionally inside a
 * network namespace via `ip netns exec` (which execs the daemon, so the child pid is the daemon's pid), with
 * stdout/stderr appended to a log file. Invariant: every daemon spawned here is registered with exit-guard.ts
 * until it exits, so a crashed or timed-out test process SIGKILLs it on the way out.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { InteropError } from './errors.js';
import { onExitCleanup } from './exit-guard.js';

/** Output of a finished command. */
export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Options of {@link run}. */
export interface RunOptions {
  /** Kill the command after this long (default 15 s). */
  timeoutMs?: number;
  /** Network namespace to run the command in (via `ip netns exec`). */
  netns?: string;
}

/** Runs `cmd args...` to completion; resolves with its output or throws InteropError (exit code, stderr). */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const [file, argv] = opts.netns ? ['ip', ['netns', 'exec', opts.netns, cmd, ...args]] : [cmd, [...args]];
  return new Promise((resolve, reject) => {
    execFile(file, argv, { timeout: opts.timeoutMs ?? 15_000, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const detail = `${String(stderr).trim()} ${String(stdout).trim()}`.trim().slice(0, 2000);
        reject(new InteropError(`command failed: ${file} ${argv.join(' ')}: ${err.message.split('\n')[0]}${detail ? `: ${detail}` : ''}`, { cause: err }));
      } else {
        resolve({ stdout: String(stdout), stderr: String(stderr) });
      }
    });
  });
}

/** A spawned foreground daemon. */
export interface DaemonProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (or signal name) when the process has exited. */
  readonly exited: Promise<number | string>;
  /** True until the process has exited. */
  alive(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs` (default 3 s); resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
  /** The log file's content (empty when unreadable), for error messages. */
  log(): string;
}

/** Options of {@link startDaemon}. */
export interface DaemonOptions {
  /** Short name for messages, e.g. `bgpd@ns-a`. */
  name: string;
  /** File receiving stdout and stderr (appended). */
  logFile: string;
  netns?: string;
}

/** Spawns `cmd args...` in the foreground (optionally in a namespace) and tracks it. */
export function startDaemon(cmd: string, args: readonly string[], opts: DaemonOptions): DaemonProcess {
  const fd = openSync(opts.logFile, 'a');
  const [file, argv] = opts.netns ? ['ip', ['netns', 'exec', opts.netns, cmd, ...args]] : [cmd, [...args]];
  let child: ChildProcess;
  try {
    child = spawn(file, argv, { stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  if (child.pid === undefined) throw new InteropError(`could not spawn ${opts.name}: ${file} ${argv.join(' ')}`);
  const unregister = onExitCleanup(() => child.kill('SIGKILL'));
  let done = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      unregister();
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', () => {
      done = true;
      unregister();
      resolve('spawn-error');
    });
  });
  const pid = child.pid;
  return {
    name: opts.name,
    pid,
    logFile: opts.logFile,
    exited,
    alive: () => !done,
    log: () => {
      try {
        return readFileSync(opts.logFile, 'utf8');
      } catch {
        return '';
      }
    },
    async stop(graceMs = 3000) {
      if (done) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
