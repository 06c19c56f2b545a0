/**
 * DOC: connection collision resolution (RFC 4271 §6.8, RFC 6286 §2.3, RFC 4724 §4.2) and its hand-off to the FSM.
 */
import t from 'tap';
import { compareBgpIds, dominantSide, parseBgpId, resolveCollision } from '../../../src/bgp/fsm/collision';
import type { CollisionInput } from '../../../src/bgp/fsm/collision';
import { step } from '../../../src/bgp/fsm/fsm';
import type { StateName } from '../../../src/bgp/fsm/types';
import { BugError } from '../../../src/util/errors';
import { CLOSE, CTX, RELEASE, cancel, idle, notify, openConfirm, sent } from './fixtures';

function input(over: Partial<CollisionInput>): CollisionInput {
  return {
    localId: '10.0.0.1',
    remoteId: '10.0.0.2',
    localAs: 64512,
    remoteAs: 64512,
    received: { initiator: 'remote' },
    other: { initiator: 'local', state: 'OpenConfirm' },
    ...over,
  };
}

t.test('BGP identifiers compare as unsigned 32-bit numbers', async (t) => {
  t.equal(parseBgpId('0.0.0.0'), 0);
  t.equal(parseBgpId('10.0.0.1'), 0x0a000001);
  t.equal(parseBgpId('255.255.255.255'), 4294967295);
  t.equal(compareBgpIds('128.0.0.1', '127.255.255.255'), 1, 'above 2^31 is not negative');
  t.equal(compareBgpIds('9.0.0.1', '10.0.0.1'), -1, 'numeric, not string, order');
  t.equal(compareBgpIds('10.0.0.1', '10.0.0.1'), 0);
  for (const bad of ['10.0.0', '10.0.0.256', '10.0.0.-1', 'a.b.c.d', '10.0.0.1.2', '']) {
    t.throws(() => parseBgpId(bad), BugError, `rejects ${JSON.stringify(bad)}`);
  }
});

t.test('the higher identifier is dominant, then the higher AS on equal identifiers', async (t) => {
  t.equal(dominantSide('10.0.0.1', '10.0.0.2', 1, 1), 'remote');
  t.equal(dominantSide('200.0.0.1', '100.0.0.1', 1, 1), 'local');
  t.equal(dominantSide('10.0.0.1', '10.0.0.1', 64512, 64513), 'remote');
  t.equal(dominantSide('10.0.0.1', '10.0.0.1', 65000, 64513), 'local');
  t.equal(dominantSide('10.0.0.1', '10.0.0.1', 64512, 64512), 'tie');
});

t.test('remote identifier higher: the connection the peer initiated survives', async (t) => {
  t.strictSame(resolveCollision(input({})), { close: 'other', event: 'CollisionDump' }, 'new one is the peer’s: drop ours');
  t.strictSame(
    resolveCollision(input({ received: { initiator: 'local' }, other: { initiator: 'remote', state: 'OpenConfirm' } })),
    { close: 'received', event: 'CollisionDump' },
    'new one is ours: drop it',
  );
});

t.test('local identifier higher: the connection we initiated survives', async (t) => {
  const base = { localId: '192.168.0.1', remoteId: '10.0.0.1' };
  t.strictSame(resolveCollision(input(base)), { close: 'received', event: 'CollisionDump' });
  t.strictSame(
    resolveCollision(input({ ...base, received: { initiator: 'local' }, other: { initiator: 'remote', state: 'OpenConfirm' } })),
    { close: 'other', event: 'CollisionDump' },
  );
  t.strictSame(resolveCollision(input({ localId: '200.0.0.1', remoteId: '100.0.0.1' })), { close: 'received', event: 'CollisionDump' },
    'unsigned comparison above 128.0.0.0');
});

t.test('equal identifiers: the higher AS is dominant (RFC 6286); a full tie keeps the older connection', async (t) => {
  const same = { localId: '10.0.0.9', remoteId: '10.0.0.9' };
  t.strictSame(resolveCollision(input({ ...same, localAs: 64512, remoteAs: 65001 })), { close: 'other', event: 'CollisionDump' });
  t.strictSame(resolveCollision(input({ ...same, localAs: 65001, remoteAs: 64512 })), { close: 'received', event: 'CollisionDump' });
  t.strictSame(resolveCollision(input({ ...same, localAs: 64512, remoteAs: 64512 })), { close: 'received', event: 'CollisionDump' });
});

t.test('two connections from the same side keep the older one', async (t) => {
  t.strictSame(resolveCollision(input({ other: { initiator: 'remote', state: 'OpenConfirm' } })), { close: 'received', event: 'CollisionDump' });
});

t.test('no collision while the other connection has not received an OPEN', async (t) => {
  for (const state of ['Idle', 'Connect', 'Active', 'OpenSent'] as StateName[]) {
    t.strictSame(resolveCollision(input({ other: { initiator: 'local', state } })), { close: 'none' }, state);
  }
});

t.test('against an Established session the new connection is dropped, unless the peer is graceful-restarting', async (t) => {
  const est = { other: { initiator: 'local' as const, state: 'Established' as const } };
  t.strictSame(resolveCollision(input(est)), { close: 'received', event: 'CollisionDump' });
  t.strictSame(resolveCollision(input({ ...est, localId: '192.168.0.1' })), { close: 'received', event: 'CollisionDump' });
  const restarted = { initiator: 'remote' as const, openedWhileEstablished: true };
  t.strictSame(resolveCollision(input({ ...est, otherGracefulRestart: true, received: restarted })), { close: 'other', event: 'TcpClosed' }, 'peer restarted');
  t.strictSame(
    resolveCollision(input({ ...est, otherGracefulRestart: true })),
    { close: 'received', event: 'CollisionDump' },
    'GR, but the connection predates Established: an ordinary collision, not a restart',
  );
  t.strictSame(
    resolveCollision(input({ ...est, otherGracefulRestart: true, received: { initiator: 'local', openedWhileEstablished: true } })),
    { close: 'received', event: 'CollisionDump' },
    'GR, but the connection is ours: the peer did not restart',
  );
  t.strictSame(resolveCollision(input({ ...est, received: restarted })), { close: 'received', event: 'CollisionDump' }, 'no GR: Cease 7 to the new one');
});

t.test('the losing OpenConfirm connection sends Cease 6/7 through its FSM and does not restart', async (t) => {
  const decision = resolveCollision(input({}));
  t.equal(decision.close, 'other');
  if (decision.close === 'none') return;
  const r = step(openConfirm(0), { type: decision.event }, CTX);
  t.strictSame(r.actions, [notify(6, 7), cancel('Hold'), cancel('Keepalive'), CLOSE, RELEASE]);
  t.strictSame(r.state, idle(0, false, sent(6, 7)));
});
