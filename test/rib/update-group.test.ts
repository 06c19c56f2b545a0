/**
 * Update groups without sockets: members of one group receive the very same encoded Buffers; a member that stops
 * taking does not hold the others back and, past the lag limit, forks into its own group with its backlog and
 * converges; a member joining later gets the full table; split horizon follows the group size.
 */
import t from 'tap';
import { IPV4_UNICAST, type Family } from '../../src/bgp/family';
import { decodeUpdate } from '../../src/bgp/codec/update';
import { AttrInterner, emptyAttrFields } from '../../src/rib/attrs/intern';
import { LocRib } from '../../src/rib/loc-rib';
import { DEFAULT_BEST_PATH_OPTIONS } from '../../src/rib/best-path';
import { localSource, originate, retract } from '../../src/rib/local-routes';
import { SourceKind, type RouteSource } from '../../src/rib/types';
import { UpdateBuilder } from '../../src/rib/update-builder';
import { UpdateGroupRegistry, updateGroupKey, type GroupMember } from '../../src/rib/update-group';
import type { ExportPeer } from '../../src/rib/export-rules';
import { formatPrefixKey, type PrefixKey } from '../../src/util/prefix';

const CTX = { as4: true, addPath: new Set<Family>(), extendedMessage: false };
let ids = 1000;

function peerSource(name: string): RouteSource {
  return { id: ids++, name, kind: SourceKind.Ebgp, address: '', routerId: 0, peerAs: 65002, rrClient: false, preference: 100 };
}

function setup(n: number, maxLag?: number) {
  const interner = new AttrInterner();
  const rib = new LocRib(IPV4_UNICAST, interner, DEFAULT_BEST_PATH_OPTIONS);
  const static1 = localSource('static1', SourceKind.Static);
  for (let i = 0; i < n; i++) originate(rib, interner, static1, prefixKey(i));
  const registry = new UpdateGroupRegistry(maxLag);
  const key = updateGroupKey({
    family: IPV4_UNICAST, policyKey: '', ibgp: false, rrClient: false, clusterId: null, nextHopMode: 'auto', localAddress: '192.0.2.1',
    localLinkLocal: '', localAs: 65001, routerId: '10.0.0.1', as4: true, addPathTx: false, extendedMessage: false, extendedNextHop: false,
  });
  const join = (source: RouteSource): Receiver => {
    const exportPeer: ExportPeer = {
      source, ibgp: false, localAs: 65001, localAddress: '192.0.2.1', localLinkLocal: '', nextHopMode: 'auto', clusterId: null, routerId: '10.0.0.1',
    };
    const r = new Receiver();
    r.member = registry.join(key, { source, wake: () => r.wakes++ }, rib, interner, () => new UpdateBuilder(IPV4_UNICAST, CTX), exportPeer);
    return r;
  };
  return { interner, rib, static1, registry, key, join };
}

function prefixKey(i: number): PrefixKey {
  return (((10 << 24) | ((i >> 8) << 16) | ((i & 255) << 8)) >>> 0) * 64 + 24;
}

/** Applies what a member takes to its view of the peer's Adj-RIB-In. */
class Receiver {
  member!: GroupMember;
  readonly state = new Map<PrefixKey, string>();
  readonly buffers: Buffer[] = [];
  wakes = 0;

  /** Takes one slice; returns how many messages. */
  step(budget = 2000): number {
    const msgs = this.member.take(budget);
    for (const m of msgs) {
      this.buffers.push(m);
      const u = decodeUpdate(m, 19, m.length, CTX);
      for (const k of u.withdrawn.keys) this.state.delete(k);
      const nh = u.attributes.find((a) => a.code === 3)?.value as string | undefined;
      for (const k of u.nlri.keys) this.state.set(k, nh ?? '');
    }
    return msgs.length;
  }

  drain(): void {
    for (let i = 0; i < 10000 && !this.member.synced; i++) this.step();
  }
}

t.test('prefix key helper matches the codec', async (t) => {
  t.equal(formatPrefixKey(prefixKey(258)), '10.1.2.0/24', 'key of prefix 258');
});

t.test('members share one encoded stream', async (t) => {
  const { join } = setup(3000);
  const a = join(peerSource('a'));
  const b = join(peerSource('b'));
  const c = join(peerSource('c'));
  t.equal(a.member.group, b.member.group, 'a and b in one group');
  t.equal(b.member.group, c.member.group, 'b and c in one group');
  for (let i = 0; i < 100; i++) [a, b, c].forEach((r) => r.step());
  for (const r of [a, b, c]) {
    t.equal(r.state.size, 3000, `${r.member.host.source.name} has every prefix`);
    t.equal(r.member.synced, true, `${r.member.host.source.name} synced`);
  }
  // b and c joined after a: each first replayed the (then empty) Adj-RIB-Out, then followed the queue.
  const shared = a.buffers.filter((m) => b.buffers.includes(m) && c.buffers.includes(m)).length;
  t.equal(shared, a.buffers.length, 'every message a sent is the same Buffer object b and c sent');
  t.equal(a.member.group.queuedBytes, 0, 'queue trimmed once everyone sent it');
});

t.test('a member that stops reading does not delay the others and forks past the lag limit', async (t) => {
  const { join, rib, static1, interner } = setup(20000, 48 * 1024);
  const a = join(peerSource('a'));
  const b = join(peerSource('b'));
  const slow = join(peerSource('slow'));
  const group = a.member.group;
  slow.step(100); // it takes a little, then stops reading
  for (let i = 0; i < 1000 && !(a.member.synced && b.member.synced); i++) {
    a.step();
    b.step();
  }
  t.equal(a.state.size, 20000, 'a has everything');
  t.equal(b.state.size, 20000, 'b has everything');
  t.not(slow.member.group, group, 'the slow member fell out into its own group');
  t.equal(group.members.size, 2, 'the group keeps the two others');
  t.ok(group.queuedBytes < 48 * 1024, `group queue bounded (${group.queuedBytes} octets)`);
  for (let i = 0; i < 100; i++) retract(rib, static1, prefixKey(i));
  originate(rib, interner, static1, prefixKey(30000), { ...emptyAttrFields(), med: 7 });
  for (let i = 0; i < 1000 && !(a.member.synced && b.member.synced); i++) {
    a.step();
    b.step();
  }
  slow.drain();
  t.equal(a.state.size, 19901, 'a converged after changes');
  t.equal(b.state.size, 19901, 'b converged after changes');
  t.equal(slow.state.size, 19901, 'the forked member converged to the same table');
  t.same([...slow.state.keys()].sort(), [...a.state.keys()].sort(), 'same prefixes');
  t.equal(slow.member.synced, true, 'forked member synced');
  slow.member.leave();
  a.member.leave();
  b.member.leave();
  t.equal(interner.stats().sets, 2, 'only the Loc-RIB\'s two attribute sets remain after every group closed');
});

t.test('a member joining later gets a full feed, then follows the stream', async (t) => {
  const { join, rib, static1, registry, key } = setup(5000);
  const a = join(peerSource('a'));
  a.drain();
  const late = join(peerSource('late'));
  t.equal(late.member.group, a.member.group, 'joined the existing group');
  late.drain();
  a.drain();
  t.equal(late.state.size, 5000, 'late member received every prefix');
  retract(rib, static1, prefixKey(1));
  a.drain();
  late.drain();
  t.equal(late.state.has(prefixKey(1)), false, 'later withdrawal reached it');
  t.equal(late.state.size, 4999, 'late member in step');
  a.member.leave();
  late.member.leave();
  t.equal(registry.groups.has(key), false, 'empty group removed from the registry');
});

t.test('split horizon: a sole member never gets its own routes; several members do (FRR rule)', async (t) => {
  const { join, rib, interner } = setup(0);
  const src = peerSource('a');
  const set = interner.internSet({ ...emptyAttrFields(), asPath: [{ type: 2, asns: [65002] }], nextHop: '192.0.2.9' });
  rib.upsert(prefixKey(1), src, 0, interner.ref(set), interner.ref(set), 100);
  interner.release(set);
  const a = join(src);
  a.drain();
  t.equal(a.state.size, 0, 'alone: its own route is not sent back');
  const b = join(peerSource('b'));
  a.drain();
  b.drain();
  t.equal(b.state.size, 1, 'b gets a\'s route');
  t.equal(a.state.size, 1, 'with two members a gets it too (receivers drop their own routes)');
  b.member.leave();
  a.drain();
  t.equal(a.state.size, 0, 'alone again: withdrawn from a');
});
