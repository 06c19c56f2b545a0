#!/usr/bin/env node
/**
 * DOC: the `petrel` command line: entry point and subcommand dispatch.
 *
 * `petrel decode HEX...` decodes BGP messages (see `decode-command.ts`). Later subcommands (`show`, `demo`) talk
 * to a running daemon over its control socket. Errors in usage print one line and exit 2; never a stack trace.
 */
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { decodeHex, parseAddPathList, DEFAULT_DECODE_OPTIONS, type DecodeOptions } from './decode-command';
import { BgpdError } from '../util/errors';
import { runShow, SHOW_USAGE } from './show-command';
import { DEFAULT_SOCKET_PATH } from '../api/paths';

const USAGE = `usage: petrel [--socket PATH] <command> [options]

  --socket PATH   petreld's control socket (default ${DEFAULT_SOCKET_PATH})

commands:
  decode [--as2] [--add-path ipv4,ipv6] [--ibgp] [--extended-message] [--local-as N] [--peer-as N] [HEX...]
      Decode BGP messages given as hex (or one per line on stdin) to one JSON object per message.
${SHOW_USAGE}`;

async function runDecode(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      as2: { type: 'boolean', default: false },
      'add-path': { type: 'string', default: '' },
      ibgp: { type: 'boolean', default: false },
      'extended-message': { type: 'boolean', default: false },
      'local-as': { type: 'string' },
      'peer-as': { type: 'string' },
    },
  });
  const opts: DecodeOptions = {
    ...DEFAULT_DECODE_OPTIONS,
    as2: values.as2 ?? false,
    addPath: parseAddPathList(values['add-path'] ?? ''),
    ibgp: values.ibgp ?? false,
    extendedMessage: values['extended-message'] ?? false,
    localAs: parseAsn(values['local-as'], '--local-as', DEFAULT_DECODE_OPTIONS.localAs),
    peerAs: parseAsn(values['peer-as'], '--peer-as', 0),
  };
  let failed = false;
  const emit = (line: string) => {
    for (const obj of decodeHex(line, opts)) {
      if ('error' in obj) failed = true;
      process.stdout.write(`${JSON.stringify(obj)}\n`);
    }
  };
  if (positionals.length) {
    for (const p of positionals) emit(p);
  } else {
    const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of rl) if (line.trim() && !line.trim().startsWith('#')) emit(line);
  }
  return failed ? 1 : 0;
}

function parseAsn(text: string | undefined, flag: string, dflt: number): number {
  if (text === undefined) return dflt;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 0xffffffff) throw new BgpdError('ERR_BGP_USAGE', `${flag}: not an AS number: '${text}'`);
  return n;
}

export async function main(argv: string[]): Promise<number> {
  let socketPath = DEFAULT_SOCKET_PATH;
  while (argv[0] === '--socket' || argv[0]?.startsWith('--socket=')) {
    const eq = argv[0].indexOf('=');
    const value = eq >= 0 ? argv[0].slice(eq + 1) : argv[1];
    if (!value) throw new BgpdError('ERR_BGP_USAGE', '--socket needs a path');
    socketPath = value;
    argv = argv.slice(eq >= 0 ? 1 : 2);
  }
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'decode':
      return runDecode(rest);
    case 'show':
      return runShow(rest, socketPath);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return cmd === undefined ? 2 : 0;
    default:
      process.stderr.write(`petrel: unknown command '${cmd}'\n${USAGE}`);
      return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (e: unknown) => {
      const msg = e instanceof Error ? e.message : String(e);
      process.stderr.write(`petrel: ${msg}\n`);
      process.exitCode = 2;
    },
  );
}
