/**
 * DOC: the error classes every Petrel module throws.
 *
 * Owns the base `BgpdError` (a stable `code` string, undici style) and the two project-wide kinds that are not
 * BGP-protocol specific: `BugError` for broken invariants (never swallowed: crash and let the supervisor restart,
 * as OpenBGPD's fatalx) and `ConfigError` (names file, line and field). Protocol errors live in `src/bgp/errors.ts`.
 */

/** Base of every error Petrel throws on purpose. `code` is stable and machine-readable. */
export class BgpdError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A broken internal invariant: a bug in Petrel, never caused by input. */
export class BugError extends BgpdError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_BGP_BUG', message, options);
  }
}

/** Where in a configuration source a problem sits. */
export interface ConfigLocation {
  file?: string;
  line?: number;
  column?: number;
  /** Dotted path of the field, e.g. `BGPPeer[rack1-tor].spec.asNumber`. */
  field?: string;
}

/** An invalid configuration. The message names file, line and field when they are known. */
export class ConfigError extends BgpdError {
  readonly location: ConfigLocation;
  constructor(message: string, location: ConfigLocation = {}) {
    super('ERR_BGP_CONFIG', formatConfigMessage(message, location));
    this.location = location;
  }
}

function formatConfigMessage(message: string, loc: ConfigLocation): string {
  const where: string[] = [];
  if (loc.file) where.push(loc.line ? `${loc.file}:${loc.line}${loc.column ? `:${loc.column}` : ''}` : loc.file);
  if (loc.field) where.push(loc.field);
  return where.length ? `${where.join(': ')}: ${message}` : message;
}
