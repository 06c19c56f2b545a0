/**
 * DOC: starts the daemon's local control API on its socket (`--socket PATH`, default from src/api/paths.ts).
 * Kept apart from petreld.ts so the daemon itself runs (and is tested) without the API; see src/api/server.ts.
 */
import type { Logger } from 'pino';
import type { Daemon } from './daemon';
import { startApiServer } from '../api/server';
import { DEFAULT_SOCKET_PATH } from '../api/paths';

export interface ControlHandle {
  close(): Promise<void>;
}

export async function startControl(daemon: Daemon, socketPath: string | undefined, log: Logger): Promise<ControlHandle> {
  const path = socketPath ?? DEFAULT_SOCKET_PATH;
  const server = await startApiServer(daemon, path);
  log.info({ socket: path }, 'control API listening');
  return { close: () => server.close() };
}
