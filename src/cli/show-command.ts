/**
 * DOC: `petrel show status|peers|routes`: argument parsing, one API call, table or `--json` output.
 *
 *   show status [--json]
 *   show peers [NAME] [--json]
 *   show routes [PREFIX] [--peer NAME] [--in|--out] [--family ipv4|ipv6] [--longest] [--json]
 *
 * PREFIX with a length (`10.0.5.0/24`) is an exact lookup; a bare address (`10.0.5.7`) or `--longest` finds the
 * longest matching prefix (BIRD's `show route for`). `--in` lists the Adj-RIB-In (as received, filtered paths
 * included), `--out` what is advertised to `--peer`; the default is the Loc-RIB. Exit codes: 0 done, 1 the
 * daemon could not be reached or refused the request (one `petrel: ...` line on stderr), 2 usage error.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ApiCallError, ApiUnreachableError, PetrelClient } from '../api/client';
import type { RouteDirection } from '../api/types';
import { formatPeers, formatRoutes, formatStatus } from './show-format';

export const SHOW_USAGE = `  show status [--json]
  show peers [NAME] [--json]
  show routes [PREFIX] [--peer NAME] [--in|--out] [--family ipv4|ipv6] [--longest] [--json]
      Ask the running petreld (over --socket PATH) for its status, its peers or its routes.
`;

/** Where `runShow` writes (process streams by default; tests capture). */
export interface ShowIo {
  stdout(text: string): void;
  stderr(text: string): void;
  now(): number;
}

const PROCESS_IO: ShowIo = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  now: () => Date.now(),
};

class UsageError extends Error {}

/** Runs `show ...` against the daemon at `socketPath`; resolves to the exit code. Never throws for expected failures. */
export async function runShow(argv: string[], socketPath: string, io: ShowIo = PROCESS_IO): Promise<number> {
  const [what, ...rest] = argv;
  let client: PetrelClient | undefined;
  try {
    const run = parseShow(what, rest);
    client = await PetrelClient.connect(socketPath);
    const out = await run(client, io.now);
    io.stdout(out);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`petrel: ${e.message}\nusage:\n${SHOW_USAGE}`);
      return 2;
    }
    if (e instanceof ApiUnreachableError || e instanceof ApiCallError) {
      io.stderr(`petrel: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    client?.close();
  }
}

type ShowRun = (c: PetrelClient, now: () => number) => Promise<string>;

const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, maxPositionals: number) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true as const, strict: true as const });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (parsed.positionals.length > maxPositionals) throw new UsageError(`unexpected argument '${parsed.positionals[maxPositionals]}'`);
  return parsed;
}

/** Validates the arguments before anything connects, and returns the call to make. */
function parseShow(what: string | undefined, args: string[]): ShowRun {
  switch (what) {
    case 'status': {
      const { values } = parse(args, { json: { type: 'boolean' } }, 0);
      return async (c, now) => {
        const s = await c.getStatus();
        return values.json ? json(s) : formatStatus(s, now());
      };
    }
    case 'peers':
    case 'peer': {
      const { values, positionals } = parse(args, { json: { type: 'boolean' } }, 1);
      return async (c, now) => {
        const peers = await c.listPeers(positionals[0] ?? '');
        return values.json ? json(peers) : formatPeers(peers, now());
      };
    }
    case 'routes':
    case 'route': {
      const { values, positionals } = parse(args, {
        json: { type: 'boolean' }, peer: { type: 'string' }, in: { type: 'boolean' }, out: { type: 'boolean' },
        family: { type: 'string' }, longest: { type: 'boolean' },
      }, 1);
      if (values.in && values.out) throw new UsageError('--in and --out exclude each other');
      if (values.out && !values.peer) throw new UsageError('--out needs --peer NAME');
      const direction: RouteDirection = values.in ? 'adj-in' : values.out ? 'adj-out' : 'loc';
      const prefix = positionals[0] ?? '';
      const query = {
        family: values.family ?? '', prefix, peer: values.peer ?? '', direction,
        longestMatch: prefix !== '' && (values.longest === true || !prefix.includes('/')),
      };
      return async (c) => {
        const routes = await c.listRoutes(query);
        return values.json ? json(routes) : formatRoutes(routes);
      };
    }
    case undefined:
      throw new UsageError('show what? (status, peers, routes)');
    default:
      throw new UsageError(`unknown show target '${what}' (status, peers, routes)`);
  }
}
