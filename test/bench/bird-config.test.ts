import t from 'tap';
import { renderBenchBirdConfig } from '../../bench/harness/duts/bird';

t.test('iBGP neighbours get `direct` (BIRD refuses `gateway direct` on multihop iBGP); eBGP ones do not', async (t) => {
  const spec = {
    localAs: 65000, routerId: '10.10.1.1', fib: true, holdTime: 9, keepaliveTime: 3,
    neighbors: [{ address: '10.10.1.2', remoteAs: 65000 }, { address: '10.10.2.2', remoteAs: 65002 }],
  };
  for (const major of [2, 1] as const) {
    const blocks = renderBenchBirdConfig(spec, major).split('\nprotocol bgp ').slice(1);
    t.same(blocks.map((b) => b.includes('\n  direct;\n')), [true, false], `BIRD ${major}`);
    t.ok(blocks.every((b) => b.includes('gateway direct') && b.includes('hold time 9;')), `BIRD ${major}: gateway direct and timers`);
  }
});
