/**
 * DOC: Kubernetes Secrets in the native configuration set, and the resolution of BGP password secretKeyRefs.
 *
 * calico-node's confd reads `password.secretKeyRef` / `nodeMeshPassword.secretKeyRef` from Secrets in its own
 * namespace (contract §2.3, secret_watcher.go). Native mode reads YAML only, so a `kind: Secret` document
 * (apiVersion v1; `data` base64 and/or `stringData`, stringData winning per key as the API server merges them) in
 * the same configuration set plays that role. Secrets are kept apart from the Calico resources (`LoadedConfig.secrets`).
 * Resolution: by name; when Secrets of that name exist in several namespaces, env NAMESPACE picks one (else an
 * error). A missing Secret or key, an empty value or one longer than TCP_MD5SIG allows is a ConfigError at the
 * referencing field. Invariant: a resolved password's text is a non-enumerable property, so printing, JSON or
 * diffing a NodeBgpConfig never shows it; its SHA-256 digest stands in for it (a changed secret resets the peer).
 */
import { createHash } from 'node:crypto';
import { isMap, isScalar, type ParsedNode } from 'yaml';
import { ConfigError, type ConfigLocation } from '../util/errors';
import type { SecretKeyRef } from './resources';
import type { SchemaContext, Spec } from './schema';

/** A Kubernetes Secret from the configuration set: its keys decoded to text. */
export interface KubeSecret {
  name: string;
  namespace?: string;
  data: ReadonlyMap<string, string>;
  loc: ConfigLocation;
}

/** A password resolved from its Secret. `value` is non-enumerable (never printed); `digest` is SHA-256 hex. */
export interface ResolvedPassword {
  secretKeyRef: SecretKeyRef;
  resolved: true;
  digest: string;
  readonly value: string;
}

/** Longest TCP MD5 key (Linux TCP_MD5SIG_MAXKEYLEN 80, less BIRD's terminating NUL). */
const MAX_KEY_OCTETS = 79;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const SECRET: Spec = {
  obj: {
    apiVersion: 'string', kind: 'string', type: 'string', immutable: 'bool', data: 'labels', stringData: 'labels',
    metadata: { obj: { name: 'string', namespace: 'string', labels: 'labels', annotations: 'labels', uid: 'any', resourceVersion: 'any', creationTimestamp: 'any', managedFields: 'any' }, required: ['name'] },
  },
  required: ['metadata'],
};

/** Reads one `kind: Secret` document into `out`, reporting into `ctx`. */
export function readSecret(ctx: SchemaContext, node: ParsedNode, out: KubeSecret[]): void {
  if (!isMap(node)) return;
  const meta = node.get('metadata', true);
  const nameNode = isMap(meta) ? meta.get('name', true) : undefined;
  const where = `Secret[${isScalar(nameNode) ? String(nameNode.value) : '?'}]`;
  const api = node.get('apiVersion', true);
  if (!isScalar(api) || (api.value as unknown) !== 'v1') {
    ctx.error((api ?? node) as ParsedNode, `${where}.apiVersion`, 'must be v1 for kind Secret');
    return;
  }
  const before = ctx.errors.length;
  const v = ctx.check(node, SECRET, where) as { metadata: { name: string; namespace?: string }; data?: Record<string, string>; stringData?: Record<string, string> } | undefined;
  if (v === undefined || ctx.errors.length > before) return;
  const data = new Map<string, string>();
  for (const [k, b64] of Object.entries(v.data ?? {})) {
    const clean = b64.replace(/\s+/g, '');
    if (!BASE64.test(clean)) {
      const dataNode = node.get('data', true);
      ctx.error(isMap(dataNode) ? dataNode.get(k, true) as ParsedNode : node, `${where}.data.${k}`, 'is not base64');
      continue;
    }
    data.set(k, Buffer.from(clean, 'base64').toString('utf8'));
  }
  for (const [k, text] of Object.entries(v.stringData ?? {})) data.set(k, text);
  if (ctx.errors.length > before) return;
  out.push({ name: v.metadata.name, namespace: v.metadata.namespace, data, loc: ctx.loc(node, where) });
}

/** Duplicate (namespace, name) pairs, as errors. */
export function checkSecrets(secrets: readonly KubeSecret[]): ConfigError[] {
  const seen = new Map<string, KubeSecret>();
  const errors: ConfigError[] = [];
  for (const s of secrets) {
    const k = `${s.namespace ?? ''}/${s.name}`;
    const prev = seen.get(k);
    if (prev) errors.push(new ConfigError(`duplicate Secret "${s.name}" (first defined at ${prev.loc.file}:${prev.loc.line ?? '?'})`, s.loc));
    else seen.set(k, s);
  }
  return errors;
}

/** Resolves secretKeyRefs against the configuration's Secrets, collecting errors for the caller to throw. */
export class SecretResolver {
  readonly errors: ConfigError[] = [];

  constructor(private readonly secrets: readonly KubeSecret[], private readonly namespace?: string) {}

  /** The password for `ref`, or undefined after recording an error at `loc` (the referencing resource and field). */
  resolve(ref: SecretKeyRef, loc: ConfigLocation): ResolvedPassword | undefined {
    const fail = (message: string): undefined => {
      if (!this.errors.some((e) => e.message === new ConfigError(message, loc).message)) this.errors.push(new ConfigError(message, loc));
      return undefined;
    };
    let found = this.secrets.filter((s) => s.name === ref.name);
    if (this.namespace !== undefined && found.length > 1) found = found.filter((s) => s.namespace === undefined || s.namespace === this.namespace);
    if (found.length === 0) return fail(`Secret "${ref.name}" is not in the configuration (add a "kind: Secret" document, apiVersion v1)`);
    if (found.length > 1) return fail(`Secret "${ref.name}" exists in several namespaces (${found.map((s) => s.namespace ?? '(none)').join(', ')}): set NAMESPACE`);
    const value = found[0].data.get(ref.key);
    if (value === undefined) return fail(`Secret "${ref.name}" (${found[0].loc.file}:${found[0].loc.line ?? '?'}) has no key "${ref.key}"`);
    if (value === '') return fail(`Secret "${ref.name}" key "${ref.key}" is empty`);
    if (Buffer.byteLength(value) > MAX_KEY_OCTETS) return fail(`Secret "${ref.name}" key "${ref.key}" is longer than ${MAX_KEY_OCTETS} octets (the TCP MD5 key limit)`);
    const out = { secretKeyRef: { name: ref.name, key: ref.key }, resolved: true, digest: createHash('sha256').update(value).digest('hex') } as ResolvedPassword;
    Object.defineProperty(out, 'value', { value, enumerable: false });
    return out;
  }
}
