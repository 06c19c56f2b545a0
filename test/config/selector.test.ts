import t from 'tap';
import { matchSelector, parseSelector } from '../../src/config';
import { ConfigError } from '../../src/util/errors';
import { thrown } from './fixtures';

const labels = { role: 'worker', zone: 'z1', 'topology.kubernetes.io/region': 'eu-west', empty: '' };
const m = (s: string, l: Record<string, string> = labels) => matchSelector(parseSelector(s), l);

t.test('equality, inequality and has()', (t) => {
  t.equal(m("role == 'worker'"), true);
  t.equal(m('role == "edge"'), false);
  t.equal(m("role != 'edge'"), true);
  t.equal(m("missing != 'x'"), true, '!= is true when the label is absent (Calico semantics)');
  t.equal(m("missing == ''"), false, '== needs the label');
  t.equal(m("empty == ''"), true);
  t.equal(m('has(zone)'), true);
  t.equal(m('has(missing)'), false);
  t.equal(m('!has(missing)'), true);
  t.equal(m("topology.kubernetes.io/region == 'eu-west'"), true, 'prefixed keys with dots and slashes');
  t.end();
});

t.test('set membership and string operators', (t) => {
  t.equal(m("zone in {'z1', 'z2'}"), true);
  t.equal(m("zone in {'z2'}"), false);
  t.equal(m("missing in {'z1'}"), false);
  t.equal(m("zone not in {'z2', 'z3'}"), true);
  t.equal(m("missing not in {'z1'}"), true);
  t.equal(m('zone in {}'), false);
  t.equal(m("role contains 'ork'"), true);
  t.equal(m("role starts with 'wor'"), true);
  t.equal(m("role ends with 'ker'"), true);
  t.equal(m("role ends with 'wor'"), false);
  t.end();
});

t.test('all(), global(), boolean operators, precedence and parentheses', (t) => {
  t.equal(m('all()'), true);
  t.equal(m('all()', {}), true);
  t.equal(m('global()'), true);
  t.equal(m("role == 'edge' || zone == 'z1' && has(role)"), true, '&& binds tighter than ||');
  t.equal(m("(role == 'edge' || zone == 'z1') && has(missing)"), false);
  t.equal(m("role == 'edge' || (zone == 'z1' && has(missing))"), false);
  t.equal(m("!(role == 'worker')"), false);
  t.equal(m("!!has(role)"), true);
  t.same(parseSelector("a == 'x' && b == 'y' && has(c)"), {
    op: 'and', args: [{ op: 'eq', key: 'a', value: 'x' }, { op: 'eq', key: 'b', value: 'y' }, { op: 'has', key: 'c' }],
  });
  t.end();
});

t.test('syntax errors name the offset', (t) => {
  const cases: [string, string][] = [
    ["role == worker", 'selector: expected a quoted string at offset 8'],
    ["role = 'x'", "selector: unexpected character '=' at offset 5"],
    ["(role == 'x'", "selector: expected ')' at offset 12"],
    ["role == 'x' &&", 'selector: expected a label, all(), has() or ( at offset 14'],
    ["role == 'x", 'selector: unterminated string at offset 8'],
    ['role', "selector: expected an operator after label 'role' at offset 4"],
    ["zone in {'a' 'b'}", "selector: expected '}' at offset 13"],
    ["role not 'x'", "selector: expected 'in' after 'not' at offset 9"],
    ['', 'selector: empty selector (use all() to match everything)'],
  ];
  for (const [src, msg] of cases) {
    const e = thrown(() => parseSelector(src));
    t.ok(e instanceof ConfigError, `${src}: ConfigError`);
    t.equal(e?.message, msg, src);
  }
  t.end();
});
