/**
 * DOC: a small declarative schema checker that walks the YAML syntax tree (not the converted JS value), so that
 * every error and warning names the file, line and dotted field path.
 *
 * Owns: the `Spec` vocabulary (scalars with Calico's value rules: AS numbers incl. asdot, CIDRs, IPs, Go
 * durations, selectors, enums, ranges; objects; arrays; label maps) and `SchemaContext`, which collects
 * ConfigErrors and warnings. Unknown object keys become "unsupported field" warnings, never silent.
 * A YAML `null` (an empty value) means "unset", as in Kubernetes. Invariant: `check` returns `undefined`
 * exactly when it reported an error for that node (or the node was null/absent).
 *
 * Hand-written instead of JSON Schema + ajv: ajv is not a dependency, and it cannot map paths back to YAML lines.
 */
import { isMap, isScalar, isSeq, type LineCounter, type Node, type ParsedNode } from 'yaml';
import { ConfigError, type ConfigLocation } from '../util/errors';
import { formatPrefixKey, parseIpv4, parseIpv6, formatIpv6, formatIpv4, parsePrefix } from '../util/prefix';
import type { ConfigWarning } from './resources';
import { parseSelector } from './selector';

/** What a field may hold. */
export type Spec =
  | 'string'
  | 'bool'
  | 'asn'
  | 'cidr'
  | 'ip'
  | 'ipv4'
  | 'duration'
  | 'selector'
  | 'community'
  | 'any'
  | { enum: readonly string[] }
  | { int: readonly [number, number] }
  | { obj: Readonly<Record<string, Spec>>; required?: readonly string[] }
  | { arr: Spec; max?: number }
  | 'labels';

/** Collects findings for one file; `field` paths are dotted (`BGPPeer[tor].spec.asNumber`). */
export class SchemaContext {
  readonly errors: ConfigError[] = [];
  readonly warnings: ConfigWarning[] = [];
  /** Line of each checked field path, for cross-field errors raised after the walk. */
  readonly lines = new Map<string, number>();

  constructor(readonly file: string, private readonly lc: LineCounter) {}

  /** The location of a node in this file. */
  loc(node: Node | null | undefined, field?: string): ConfigLocation {
    const off = node?.range?.[0];
    const loc: ConfigLocation = { file: this.file };
    if (off !== undefined) loc.line = this.lc.linePos(off).line;
    if (field !== undefined) loc.field = field;
    return loc;
  }

  locOfOffset(offset: number, field?: string): ConfigLocation {
    return { file: this.file, line: this.lc.linePos(offset).line, ...(field !== undefined ? { field } : {}) };
  }

  /** Location of a field already walked by `check` (falls back to the file). */
  fieldLoc(field: string): ConfigLocation {
    const line = this.lines.get(field);
    return line === undefined ? { file: this.file, field } : { file: this.file, line, field };
  }

  error(node: Node | null | undefined, field: string, message: string): undefined {
    this.errors.push(new ConfigError(message, this.loc(node, field)));
    return undefined;
  }

  errorAt(field: string, message: string): void {
    this.errors.push(new ConfigError(message, this.fieldLoc(field)));
  }

  warn(node: Node | null | undefined, field: string, message: string): void {
    const loc = this.loc(node, field);
    this.warnings.push({ message: `${message} at ${loc.file}:${loc.line ?? '?'}`, loc });
  }

  /** Checks `node` against `spec`; returns the plain JS value or undefined (error reported, or null). */
  check(node: ParsedNode | null | undefined, spec: Spec, field: string): unknown {
    if (node === null || node === undefined) return undefined;
    if (node.range) this.lines.set(field, this.lc.linePos(node.range[0]).line);
    if (isScalar(node) && node.value === null) return undefined;
    if (spec === 'any') return node.toJSON();
    if (typeof spec === 'object' && 'obj' in spec) return this.checkObj(node, spec, field);
    if (typeof spec === 'object' && 'arr' in spec) {
      if (!isSeq(node)) return this.error(node, field, 'must be a list');
      if (spec.max !== undefined && node.items.length > spec.max) {
        return this.error(node, field, `must have at most ${spec.max} entries`);
      }
      const out: unknown[] = [];
      let ok = true;
      node.items.forEach((item, i) => {
        const v = this.check(item as ParsedNode, spec.arr, `${field}[${i}]`);
        if (v === undefined) ok = false; else out.push(v);
      });
      return ok ? out : undefined;
    }
    if (spec === 'labels') {
      if (!isMap(node)) return this.error(node, field, 'must be a map of strings');
      const out: Record<string, string> = {};
      for (const pair of node.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : undefined;
        const v = pair.value;
        if (k === undefined || !isScalar(v) || typeof v.value !== 'string') {
          this.error((v ?? pair.key) as Node, `${field}.${k ?? '?'}`, 'label values must be strings');
          continue;
        }
        out[k] = v.value;
      }
      return out;
    }
    if (!isScalar(node)) return this.error(node, field, 'must be a scalar value');
    return this.checkScalar(node, node.value, spec, field);
  }

  private checkObj(node: ParsedNode, spec: { obj: Readonly<Record<string, Spec>>; required?: readonly string[] }, field: string): unknown {
    if (!isMap(node)) return this.error(node, field, 'must be a map');
    const out: Record<string, unknown> = {};
    const failed = new Set<string>();
    let ok = true;
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === undefined) { ok = false; this.error(pair.key as Node, field, 'keys must be plain strings'); continue; }
      const sub = field === '' ? key : `${field}.${key}`;
      const s = spec.obj[key];
      if (s === undefined) { this.warn(pair.key as Node, sub, `unsupported field ${sub}`); continue; }
      const before = this.errors.length;
      const v = this.check(pair.value as ParsedNode | null, s, sub);
      if (this.errors.length > before) { ok = false; failed.add(key); }
      else if (v !== undefined) out[key] = v;
    }
    for (const r of spec.required ?? []) {
      if (out[r] === undefined && !failed.has(r)) { ok = false; this.error(node, field === '' ? r : `${field}.${r}`, 'is required'); }
    }
    return ok ? out : undefined;
  }

  private checkScalar(node: Node, v: unknown, spec: Spec, field: string): unknown {
    const bad = (why: string) => this.error(node, field, `${why} (got ${JSON.stringify(v)})`);
    if (spec === 'bool') return typeof v === 'boolean' ? v : bad('must be true or false');
    if (typeof spec === 'object' && 'int' in spec) {
      if (typeof v !== 'number' || !Number.isInteger(v)) return bad('must be an integer');
      const [lo, hi] = spec.int;
      return v < lo || v > hi ? bad(`must be between ${lo} and ${hi}`) : v;
    }
    if (spec === 'asn') {
      const n = parseAsNumber(v);
      return n === undefined ? bad('is not a valid AS number (1..4294967295 or asdot X.Y)') : n;
    }
    if (typeof v !== 'string') return bad('must be a string');
    if (typeof spec === 'object' && 'enum' in spec) {
      return spec.enum.includes(v) ? v : bad(`must be one of ${spec.enum.join(', ')}`);
    }
    switch (spec) {
      case 'string': return v;
      case 'cidr': {
        const c = canonicalCidr(v);
        return c === undefined ? bad('is not a valid CIDR') : c;
      }
      case 'ip': {
        const ip = canonicalIp(v);
        return ip === undefined ? bad('is not a valid IP address') : ip;
      }
      case 'ipv4': return parseIpv4(v) === undefined ? bad('is not a valid IPv4 address') : v;
      case 'duration': {
        const s = parseDurationSeconds(v);
        return s === undefined ? bad('is not a valid duration (e.g. 120s, 2m, 1h30m)') : s;
      }
      case 'community': return isCommunity(v) ? v : bad('is not a community (aa:nn or aa:nn:mm)');
      case 'selector':
        try {
          return parseSelector(v);
        } catch (e) {
          return this.error(node, field, (e as Error).message);
        }
      default:
        return bad('has an unexpected type');
    }
  }
}

/** AS number: integer 1..2^32-1, a decimal string, or asdot `X.Y` (RFC 5396), as Calico's numorstring.ASNumber. */
export function parseAsNumber(v: unknown): number | undefined {
  let n: number | undefined;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^\d+$/.test(v)) n = Number(v);
  else if (typeof v === 'string' && /^\d+\.\d+$/.test(v)) {
    const [hi, lo] = v.split('.').map(Number);
    if (hi > 0xffff || lo > 0xffff) return undefined;
    n = hi * 65536 + lo;
  }
  if (n === undefined || !Number.isInteger(n) || n < 1 || n > 0xffffffff) return undefined;
  return n;
}

/** Canonical text of an IP address (RFC 5952 for IPv6), or undefined. */
export function canonicalIp(text: string): string | undefined {
  if (text.includes(':')) {
    const b = parseIpv6(text);
    return b ? formatIpv6(b) : undefined;
  }
  const a = parseIpv4(text);
  return a === undefined ? undefined : formatIpv4(a);
}

/** Canonical text of a CIDR (host bits cleared); a slash is required. */
export function canonicalCidr(text: string): string | undefined {
  if (!text.includes('/')) return undefined;
  const k = parsePrefix(text);
  return k === undefined ? undefined : formatPrefixKey(k);
}

/** Whether a string is a standard (`aa:nn`, 16-bit parts) or large (`aa:nn:mm`, 32-bit parts) community. */
export function isCommunity(v: string): boolean {
  const parts = v.split(':');
  if (!parts.every((p) => /^\d+$/.test(p))) return false;
  if (parts.length === 2) return parts.every((p) => Number(p) <= 0xffff);
  if (parts.length === 3) return parts.every((p) => Number(p) <= 0xffffffff);
  return false;
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/**
 * Parses a Go duration (`metav1.Duration`: `120s`, `1m30s`, `1.5h`, `0`) and rounds to whole seconds the way
 * confd does (`math.Round(d.Seconds())`).
 */
export function parseDurationSeconds(text: string): number | undefined {
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    total += Number(m[1]) * DURATION_UNITS[m[2]];
    pos = re.lastIndex;
  }
  if (pos !== text.length || pos === 0) return undefined;
  return Math.round(total);
}
