import t from 'tap';
import { compileGlob, globMatch } from '../../../src/rib/policy/glob';

t.test('BIRD patmatch: * and ? wildcards', async (t) => {
  const cases: [string, string, boolean][] = [
    ['cali*', 'cali1234', true], ['cali*', 'cali', true], ['cali*', 'eth0', false],
    ['*.cali', 'wireguard.cali', true], ['*.cali', 'bpf.calico', false], ['*.calico', 'vxlan.calico', true],
    ['bpf*.cali', 'bpfin.cali', true], ['bpf*.cali', 'bpf.cali', true], ['bpf*.cali', 'bpfout.calico', false],
    ['tunl0', 'tunl0', true], ['tunl0', 'tunl01', false], ['eth?', 'eth1', true], ['eth?', 'eth10', false],
    ['*', '', true], ['*', 'x', true], ['a*b*c', 'aXbYc', true], ['a*b*c', 'aXbY', false], ['**x', 'x', true],
    ['?', '', false],
  ];
  for (const [p, n, want] of cases) {
    t.equal(compileGlob(p)(n), want, `${JSON.stringify(p)} ~ ${JSON.stringify(n)}`);
    t.equal(globMatch(p, n), want, `globMatch ${JSON.stringify(p)} ~ ${JSON.stringify(n)}`);
  }
});
