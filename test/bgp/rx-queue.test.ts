/**
 * The receive queue and its round-robin scheduler with a fake handler (no sockets): per-slice prefix budgets,
 * interleaving of two busy peers, arrival order of UPDATEs and demarcations, blocking work started by a
 * demarcation, socket pause/resume at the high/low water marks, and a reset in the middle of a slice.
 */
import t from 'tap';
import { RxQueue, RxScheduler, type RxBudget, type RxHandler } from '../../src/bgp/rx-queue';

const BUDGET: RxBudget = { prefixBudget: 10, sliceMs: 1e9, turnMs: 1e9, highWater: 300, lowWater: 100 };

/** Each UPDATE's first octet is its prefix count, its second its sequence number. */
function msg(prefixes: number, seq: number, size = 100): Buffer {
  const b = Buffer.alloc(size);
  b[0] = prefixes;
  b[1] = seq;
  return b;
}

class FakeSocket {
  pauses = 0;
  resumes = 0;
  destroyed = false;
  pause(): void {
    this.pauses++;
  }
  resume(): void {
    this.resumes++;
  }
}

/** Lets the scheduler run turns until no queue has a backlog (turns are setImmediate callbacks, not timers). */
async function settle(sched: RxScheduler): Promise<void> {
  for (let i = 0; i < 1000 && sched.active > 0; i++) await new Promise((r) => setImmediate(r));
}

t.test('two busy peers are served one slice each per turn, in arrival order', async (t) => {
  const sched = new RxScheduler(BUDGET);
  const log: string[] = [];
  const handler = (name: string): RxHandler => ({
    rxUpdate: (buf, start) => {
      log.push(`${name}${buf[start + 1]}@${sched.turns}`);
      return buf[start];
    },
    rxRefresh: () => undefined,
    rxContinue: () => 0,
  });
  const a = new RxQueue(handler('a'), sched);
  const b = new RxQueue(handler('b'), sched);
  // a: six UPDATEs of 4 prefixes (each costs 5: one per message plus its prefixes); b: two of 1 prefix.
  for (let i = 0; i < 6; i++) a.push(msg(4, i), 0, 100);
  b.push(msg(1, 0), 0, 100);
  b.push(msg(1, 1), 0, 100);
  await settle(sched);
  t.same(log, ['a0@1', 'a1@1', 'b0@1', 'b1@1', 'a2@2', 'a3@2', 'a4@3', 'a5@3'],
    'a gets 10 units per turn, b is served in the first turn, order kept per peer');
  t.equal(sched.active, 0, 'nothing left in the ring');
});

t.test('a demarcation runs in order and its work completes before the next UPDATE', async (t) => {
  const sched = new RxScheduler(BUDGET);
  const log: string[] = [];
  let work = 0;
  const q = new RxQueue({
    rxUpdate: (buf, start) => {
      log.push(`u${buf[start + 1]}`);
      return 0;
    },
    rxRefresh: (afi, subtype, safi) => {
      log.push(`r${afi}/${subtype}/${safi}`);
      work = 25;
    },
    rxContinue: (budget) => {
      const n = Math.min(budget, work);
      work -= n;
      if (n) log.push(`w${n}@${sched.turns}`);
      return n;
    },
  }, sched);
  q.push(msg(0, 1), 0, 100);
  q.pushRefresh(1, 1, 1);
  q.push(msg(0, 2), 0, 100);
  await settle(sched);
  t.same(log, ['u1', 'r1/1/1', 'w8@1', 'w10@2', 'w7@3', 'u2'], 'UPDATE, BoRR, its work in budgeted slices, then the next UPDATE');
});

t.test('the socket pauses at the high-water mark and resumes below the low-water mark', async (t) => {
  const sched = new RxScheduler(BUDGET);
  const sock = new FakeSocket();
  let seen = 0;
  const q = new RxQueue({ rxUpdate: () => (seen++, 4), rxRefresh: () => undefined, rxContinue: () => 0 }, sched);
  q.attach(sock);
  q.push(msg(4, 0), 0, 100);
  q.push(msg(4, 1), 0, 100);
  t.equal(sock.pauses, 0, '200 octets: below high water');
  q.push(msg(4, 2), 0, 100);
  t.equal(sock.pauses, 1, '300 octets: paused');
  t.ok(q.isPaused);
  q.push(msg(4, 3), 0, 100);
  t.equal(sock.pauses, 1, 'paused once');
  t.equal(q.backlogBytes, 400);
  await new Promise((r) => setImmediate(r));
  t.equal(seen, 2, 'first turn: two UPDATEs (10 units)');
  t.equal(sock.resumes, 0, '200 octets left: still paused');
  await new Promise((r) => setImmediate(r));
  t.equal(seen, 4, 'second turn: the rest');
  t.equal(sock.resumes, 1, 'resumed once the backlog fell below low water');
  t.notOk(q.isPaused);
});

t.test('reset in the middle of a slice drops the backlog and resumes the socket', async (t) => {
  const sched = new RxScheduler({ ...BUDGET, prefixBudget: 1000 });
  const sock = new FakeSocket();
  const seen: number[] = [];
  const q: RxQueue = new RxQueue({
    rxUpdate: (buf, start) => {
      seen.push(buf[start + 1]);
      if (buf[start + 1] === 1) q.reset(); // e.g. a malformed UPDATE took the session down
      return 1;
    },
    rxRefresh: () => undefined,
    rxContinue: () => 0,
  }, sched);
  q.attach(sock);
  for (let i = 0; i < 5; i++) q.push(msg(1, i), 0, 100);
  t.equal(sock.pauses, 1);
  await settle(sched);
  t.same(seen, [0, 1], 'nothing handled after the reset');
  t.equal(q.backlogEntries, 0);
  t.equal(q.backlogBytes, 0);
  t.equal(sock.resumes, 1, 'socket resumed');
  t.equal(sched.active, 0);
  q.attach(sock);
  q.push(msg(1, 9), 0, 100);
  await settle(sched);
  t.same(seen, [0, 1, 9], 'the queue works again after a reset');
});
