/**
 * DOC: validation of a `RouterSpec` before any renderer turns it into daemon config text. Rejecting bad
 * input here (with `ConfigError` naming the field) keeps injected text out of config files and gives a clear
 * message instead of a daemon's parse error.
 */
import { isIP } from 'node:net';
import { ConfigError } from '../../src/util/errors.js';
import type { RouterSpec } from './types.js';

function checkAs(asn: number, field: string): void {
  if (!Number.isInteger(asn) || asn < 1 || asn > 0xffffffff) throw new ConfigError(`bad AS number ${asn}`, { field });
}

/** Checks `p` is `addr/len` with a valid address and length. */
export function checkPrefix(p: string, field: string): void {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(p);
  const v = m ? isIP(m[1]!) : 0;
  if (!m || v === 0 || Number(m[2]) > (v === 4 ? 32 : 128)) throw new ConfigError(`bad prefix '${p}'`, { field });
}

/** Throws ConfigError on the first invalid field of `spec`. */
export function checkSpec(spec: RouterSpec): void {
  if (!/^[A-Za-z][A-Za-z0-9-]{0,40}$/.test(spec.name)) throw new ConfigError(`bad name '${spec.name}'`, { field: 'name' });
  if (isIP(spec.routerId) !== 4) throw new ConfigError(`router id must be IPv4: '${spec.routerId}'`, { field: 'routerId' });
  checkAs(spec.localAs, 'localAs');
  spec.neighbors.forEach((n, i) => {
    if (isIP(n.address) === 0) throw new ConfigError(`bad address '${n.address}'`, { field: `neighbors[${i}].address` });
    checkAs(n.remoteAs, `neighbors[${i}].remoteAs`);
    for (const k of ['holdTime', 'keepaliveTime', 'connectRetryTime'] as const) {
      const v = n[k];
      if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 65535)) throw new ConfigError(`bad ${k} ${v}`, { field: `neighbors[${i}].${k}` });
    }
  });
  (spec.networks ?? []).forEach((p, i) => checkPrefix(p, `networks[${i}]`));
}
