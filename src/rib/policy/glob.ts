/**
 * DOC: BIRD's shell-like pattern match (`lib/patmatch.c`): `*` matches any run of characters, `?` exactly one,
 * everything else itself. Used for `ifname ~ "cali*"` and BGPFilter `interface` globs.
 *
 * Compiled once per pattern into the cheapest test: equality, startsWith, endsWith, or (for anything with `?` or
 * inner stars) a hand-written backtracking matcher — a RegExp would need escaping and is no faster on names of
 * at most 15 characters.
 */

/** Compiles `pattern` into a predicate over interface names. */
export function compileGlob(pattern: string): (name: string) => boolean {
  const star = pattern.indexOf('*');
  const hasQ = pattern.includes('?');
  if (!hasQ) {
    if (star < 0) return (n) => n === pattern;
    const stars = pattern.split('*').length - 1;
    if (stars === 1 && star === pattern.length - 1) {
      const head = pattern.slice(0, -1);
      return (n) => n.startsWith(head);
    }
    if (stars === 1 && star === 0) {
      const tail = pattern.slice(1);
      return (n) => n.endsWith(tail);
    }
  }
  return (n) => globMatch(pattern, n);
}

/** Matches `name` against `pattern` (`*`, `?`), greedy with single backtrack point (linear for one star run). */
export function globMatch(pattern: string, name: string): boolean {
  let p = 0, n = 0, starP = -1, starN = 0;
  while (n < name.length) {
    const c = pattern.charCodeAt(p);
    if (p < pattern.length && (c === 63 /* ? */ || c === name.charCodeAt(n))) {
      p++;
      n++;
    } else if (p < pattern.length && c === 42 /* * */) {
      starP = p++;
      starN = n;
    } else if (starP >= 0) {
      p = starP + 1;
      n = ++starN;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern.charCodeAt(p) === 42) p++;
  return p === pattern.length;
}
