/**
 * DOC: Calico label selectors (BGPPeer.nodeSelector / peerSelector, IPPool.nodeSelector): parser and evaluator.
 *
 * Owns the selector grammar of libcalico-go `lib/selector/parser` as far as BGP configuration uses it:
 *   expr    := or
 *   or      := and ('||' and)*
 *   and     := unary ('&&' unary)*
 *   unary   := '!' unary | '(' expr ')' | 'all()' | 'global()' | 'has(' key ')'
 *            | key ('==' | '!=') str | key ['not'] 'in' '{' [str (',' str)*] '}'
 *            | key ('contains' | 'starts with' | 'ends with') str
 * Strings take single or double quotes. Calico's semantics are kept: `k != 'v'` and `k not in {...}` are also
 * true when the label is absent; `==`, `in` and the string operators need the label present. An empty
 * selector text means "not set" and is the caller's business (parseSelector rejects it).
 *
 * Written by hand: the grammar is tiny and no maintained npm package implements Calico's dialect.
 * Invariant: a parsed Selector is immutable and evaluating it never throws.
 */
import { ConfigError } from '../util/errors';

/** A parsed selector: an AST node. */
export type Selector =
  | { op: 'all' }
  | { op: 'has'; key: string }
  | { op: 'eq' | 'ne' | 'contains' | 'startsWith' | 'endsWith'; key: string; value: string }
  | { op: 'in' | 'notIn'; key: string; values: readonly string[] }
  | { op: 'not'; arg: Selector }
  | { op: 'and' | 'or'; args: readonly Selector[] };

/** Labels of a node (or any resource): key → value. */
export type Labels = Readonly<Record<string, string>>;

type Tok =
  | { k: 'op'; v: string; at: number }
  | { k: 'id'; v: string; at: number }
  | { k: 'str'; v: string; at: number }
  | { k: 'end'; at: number };

const KEY_RE = /^[A-Za-z0-9_./-]+/;

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue; }
    const two = src.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '&&' || two === '||') { out.push({ k: 'op', v: two, at: i }); i += 2; continue; }
    if ('!(){},'.includes(c)) { out.push({ k: 'op', v: c, at: i }); i++; continue; }
    if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new ConfigError(`selector: unterminated string at offset ${i}`);
      out.push({ k: 'str', v: src.slice(i + 1, end), at: i });
      i = end + 1;
      continue;
    }
    const m = KEY_RE.exec(src.slice(i));
    if (!m) throw new ConfigError(`selector: unexpected character '${c}' at offset ${i}`);
    out.push({ k: 'id', v: m[0], at: i });
    i += m[0].length;
  }
  out.push({ k: 'end', at: src.length });
  return out;
}

class Parser {
  private pos = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok { return this.toks[this.pos]; }
  private next(): Tok { return this.toks[this.pos++]; }
  private fail(msg: string, t: Tok = this.peek()): never {
    throw new ConfigError(`selector: ${msg} at offset ${t.at}`);
  }
  private isOp(v: string, t: Tok = this.peek()): boolean { return t.k === 'op' && t.v === v; }
  private expectOp(v: string): void {
    if (!this.isOp(v)) this.fail(`expected '${v}'`);
    this.pos++;
  }
  private expectStr(): string {
    const t = this.next();
    if (t.k !== 'str') this.fail('expected a quoted string', t);
    return t.v;
  }

  parseAll(): Selector {
    const e = this.parseOr();
    if (this.peek().k !== 'end') this.fail('unexpected trailing input');
    return e;
  }

  private parseOr(): Selector {
    const args = [this.parseAnd()];
    while (this.isOp('||')) { this.pos++; args.push(this.parseAnd()); }
    return args.length === 1 ? args[0] : { op: 'or', args };
  }

  private parseAnd(): Selector {
    const args = [this.parseUnary()];
    while (this.isOp('&&')) { this.pos++; args.push(this.parseUnary()); }
    return args.length === 1 ? args[0] : { op: 'and', args };
  }

  private parseUnary(): Selector {
    const t = this.peek();
    if (this.isOp('!')) { this.pos++; return { op: 'not', arg: this.parseUnary() }; }
    if (this.isOp('(')) { this.pos++; const e = this.parseOr(); this.expectOp(')'); return e; }
    if (t.k !== 'id') this.fail('expected a label, all(), has() or (');
    this.pos++;
    // Function forms: all(), global() (matches everything), has(key).
    if (this.isOp('(') && (t.v === 'all' || t.v === 'global' || t.v === 'has')) {
      this.pos++;
      if (t.v === 'has') {
        const k = this.next();
        if (k.k !== 'id') this.fail('expected a label key in has()', k);
        this.expectOp(')');
        return { op: 'has', key: k.v };
      }
      this.expectOp(')');
      return { op: 'all' };
    }
    const key = t.v;
    const o = this.peek();
    if (this.isOp('==')) { this.pos++; return { op: 'eq', key, value: this.expectStr() }; }
    if (this.isOp('!=')) { this.pos++; return { op: 'ne', key, value: this.expectStr() }; }
    if (o.k === 'id') {
      if (o.v === 'in') { this.pos++; return { op: 'in', key, values: this.parseSet() }; }
      if (o.v === 'not') {
        this.pos++;
        const n = this.next();
        if (n.k !== 'id' || n.v !== 'in') this.fail("expected 'in' after 'not'", n);
        return { op: 'notIn', key, values: this.parseSet() };
      }
      if (o.v === 'contains') { this.pos++; return { op: 'contains', key, value: this.expectStr() }; }
      if (o.v === 'starts' || o.v === 'ends') {
        this.pos++;
        const w = this.next();
        if (w.k !== 'id' || w.v !== 'with') this.fail(`expected 'with' after '${o.v}'`, w);
        return { op: o.v === 'starts' ? 'startsWith' : 'endsWith', key, value: this.expectStr() };
      }
    }
    return this.fail(`expected an operator after label '${key}'`, o);
  }

  private parseSet(): string[] {
    this.expectOp('{');
    const vals: string[] = [];
    if (this.isOp('}')) { this.pos++; return vals; }
    for (;;) {
      vals.push(this.expectStr());
      if (this.isOp(',')) { this.pos++; continue; }
      this.expectOp('}');
      return vals;
    }
  }
}

/**
 * Parses a Calico selector expression.
 * @throws ConfigError naming the offset of the first syntax error (the caller adds file/line/field).
 */
export function parseSelector(text: string): Selector {
  if (text.trim() === '') throw new ConfigError('selector: empty selector (use all() to match everything)');
  return new Parser(tokenize(text)).parseAll();
}

/** Evaluates a parsed selector against a label set. */
export function matchSelector(sel: Selector, labels: Labels): boolean {
  switch (sel.op) {
    case 'all': return true;
    case 'has': return Object.prototype.hasOwnProperty.call(labels, sel.key);
    case 'eq': return labelOf(labels, sel.key) === sel.value;
    case 'ne': return labelOf(labels, sel.key) !== sel.value;
    case 'contains': { const v = labelOf(labels, sel.key); return v !== undefined && v.includes(sel.value); }
    case 'startsWith': { const v = labelOf(labels, sel.key); return v !== undefined && v.startsWith(sel.value); }
    case 'endsWith': { const v = labelOf(labels, sel.key); return v !== undefined && v.endsWith(sel.value); }
    case 'in': { const v = labelOf(labels, sel.key); return v !== undefined && sel.values.includes(v); }
    case 'notIn': { const v = labelOf(labels, sel.key); return v === undefined || !sel.values.includes(v); }
    case 'not': return !matchSelector(sel.arg, labels);
    case 'and': return sel.args.every((a) => matchSelector(a, labels));
    case 'or': return sel.args.some((a) => matchSelector(a, labels));
  }
}

function labelOf(labels: Labels, key: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(labels, key) ? labels[key] : undefined;
}
