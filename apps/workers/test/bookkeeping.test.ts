import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unreadCountOf } from '@chat/api';
import { OWN_UNREAD_KEPT, afterOwnMessage, afterRead } from '../src/chat/owner/bookkeeping.js';
import type { Participant } from '../src/chat/views.js';

const member = (userId: string): Participant => ({
  docId: userId,
  userId,
  role: 'member',
  joinedAt: new Date(0),
  readSeq: 0,
  deliveredSeq: 0,
  readMarks: [],
  ownUnread: [],
  ownUnreadOlder: 0,
  hiddenUnread: [],
  mutedUntil: null,
  marksRev: 0,
});

/** A direct chat as the owner keeps it: who sent each seq, and both members' positions. */
function conversation() {
  const senders: string[] = [];
  const members = new Map([
    ['a', member('a')],
    ['b', member('b')],
  ]);
  return {
    members,
    send(userId: string) {
      const lastSeqBefore = senders.length;
      senders.push(userId);
      afterOwnMessage(members.get(userId)!, senders.length, lastSeqBefore);
    },
    /** Reads up to `seq` the way receipts do: counting own messages in the range read. */
    read(userId: string, seq: number) {
      const p = members.get(userId)!;
      const ownRead = senders.slice(p.readSeq, seq).filter((s) => s === userId).length;
      return afterRead(p, seq, new Date(), ownRead);
    },
    unread: (userId: string) => unreadCountOf(senders.length, members.get(userId)!),
    /** What the count must be: others' messages above the member's read position. */
    expected: (userId: string) =>
      senders.slice(members.get(userId)!.readSeq).filter((s) => s !== userId).length,
  };
}

test('a member who sends and never reads keeps at most OWN_UNREAD_KEPT own seqs, and the count stays exact', () => {
  const c = conversation();
  c.send('b');
  for (let i = 0; i < 500; i++) c.send('a');
  c.send('b');
  const a = c.members.get('a')!;
  assert.equal(a.ownUnread.length, OWN_UNREAD_KEPT);
  assert.equal(a.ownUnreadOlder, 500 - OWN_UNREAD_KEPT);
  assert.equal(c.unread('a'), 2, "b's two messages");
  // Read to a point older than every listed own seq: only the caller's count can settle it.
  c.read('a', 100);
  assert.equal(c.unread('a'), 1);
  assert.equal(a.ownUnread.length, OWN_UNREAD_KEPT, 'the listed ones are newer: all kept');
  assert.equal(a.ownUnreadOlder, 500 - OWN_UNREAD_KEPT - 99);
  c.read('a', 502);
  assert.deepEqual([a.ownUnread.length, a.ownUnreadOlder, c.unread('a')], [0, 0, 0]);
});

test('a send applied again (a repair after a crash) changes nothing, listed or not', () => {
  const c = conversation();
  c.send('b');
  for (let i = 0; i < 40; i++) c.send('a');
  const a = c.members.get('a')!;
  const before = structuredClone({ ownUnread: a.ownUnread, older: a.ownUnreadOlder });
  afterOwnMessage(a, 41, 40);
  afterOwnMessage(a, 5, 4);
  assert.deepEqual({ ownUnread: a.ownUnread, older: a.ownUnreadOlder }, before);
  assert.equal(c.unread('a'), 1);
});

test('random sends and reads on both sides: unread counts always match the history', () => {
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (let round = 0; round < 20; round++) {
    const c = conversation();
    let lastSeq = 0;
    for (let step = 0; step < 400; step++) {
      const who = random() < 0.5 ? 'a' : 'b';
      if (random() < 0.85) {
        c.send(who);
        lastSeq++;
      } else {
        const p = c.members.get(who)!;
        c.read(who, p.readSeq + Math.floor(random() * (lastSeq - p.readSeq + 1)));
      }
      for (const id of ['a', 'b']) {
        assert.equal(c.unread(id), c.expected(id), `round ${round}, step ${step}, ${id}`);
        assert.ok(c.members.get(id)!.ownUnread.length <= OWN_UNREAD_KEPT);
      }
    }
  }
});
