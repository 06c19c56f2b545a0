/**
 * DOC: where the control API lives on disk: the default socket path and the .proto file.
 *
 * The .proto is read at run time (proto-loader), not compiled in. The build (`tsc`) does not copy it to dist/, so
 * it is found relative to the compiled module: first `<dir>/proto/petrel.proto` (a packaging step may copy it next
 * to the JS), then the source tree, `<repo>/src/api/proto/petrel.proto`, reached from `dist/src/api/` as
 * `../../../src/api/proto/petrel.proto`. Both petreld and the `petrel` CLI run from dist/, so a checkout or an
 * image that ships `src/api/proto/` next to `dist/` works without a copy step.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BgpdError } from '../util/errors';

/** Where petreld listens and `petrel show` connects unless `--socket PATH` says otherwise. */
export const DEFAULT_SOCKET_PATH = '/var/run/petrel/petrel.sock';

/** Candidate locations of petrel.proto, most specific first. */
export function protoCandidates(dir: string = __dirname): string[] {
  return [join(dir, 'proto', 'petrel.proto'), resolve(dir, '..', '..', '..', 'src', 'api', 'proto', 'petrel.proto')];
}

/** The path of petrel.proto; throws `BgpdError` ERR_API_PROTO when no candidate exists. */
export function protoPath(): string {
  const found = protoCandidates().find((p) => existsSync(p));
  if (!found) throw new BgpdError('ERR_API_PROTO', `petrel.proto not found (looked in ${protoCandidates().join(', ')})`);
  return found;
}

let cachedVersion: string | undefined;

/** Petrel's version from `<repo>/package.json` (reached from dist/src/api/ or src/api/), or '0.0.0'. */
export function petrelVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  cachedVersion = '0.0.0';
  for (const p of [resolve(__dirname, '..', '..', '..', 'package.json'), resolve(__dirname, '..', '..', 'package.json')]) {
    try {
      const v = (JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string });
      if (v.name === 'petrel' && typeof v.version === 'string') {
        cachedVersion = v.version;
        break;
      }
    } catch {
      // not this candidate
    }
  }
  return cachedVersion;
}
