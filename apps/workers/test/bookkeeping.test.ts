import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unreadCountOf } from '@chat/api';
import {
  HIDDEN_UNREAD_KEPT,
  OWN_UNREAD_KEPT,
  afterHidden,
  afterOwnMessage,
  afterRead,
} from '../src/chat/owner/bookkeeping.js';
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
  hiddenUnreadOlder: 0,
  mutedUntil: null,
  marksRev: 0,
});

/**
 * A direct chat as the owner keeps it: who sent each seq, who hid it for themselves, and
 * both members' positions.
 */
function conversation() {
  const senders: string[] = [];
  const hiddenBy = new Map<number, Set<string>>();
  const isHidden = (seq: number, userId: string) => hiddenBy.get(seq)?.has(userId) ?? false;
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
    /** Reads up to `seq` the way receipts do: counting own and hidden messages in the range. */
    read(userId: string, seq: number) {
      const p = members.get(userId)!;
      const range = senders
        .slice(p.readSeq, seq)
        .map((sender, i) => ({ sender, seq: p.readSeq + i + 1 }));
      const ownRead = range.filter((m) => m.sender === userId).length;
      const hiddenRead = range.filter((m) => m.sender !== userId && isHidden(m.seq, userId)).length;
      return afterRead(p, seq, new Date(), ownRead, hiddenRead);
    },
    /** `chat.deleteForMe` of the message at `seq` by `userId`, as delete-for-me.ts calls it. */
    hide(userId: string, seq: number) {
      const wasHidden = isHidden(seq, userId);
      if (!hiddenBy.has(seq)) hiddenBy.set(seq, new Set());
      hiddenBy.get(seq)!.add(userId);
      return afterHidden(members.get(userId)!, seq, senders[seq - 1]!, wasHidden);
    },
    unread: (userId: string) => unreadCountOf(senders.length, members.get(userId)!),
    /** What the count must be: others' messages above the member's read position, not hidden. */
    expected: (userId: string) =>
      senders
        .map((sender, i) => ({ sender, seq: i + 1 }))
        .slice(members.get(userId)!.readSeq)
        .filter((m) => m.sender !== userId && !isHidden(m.seq, userId)).length,
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
      const dice = random();
      if (dice < 0.7) {
        c.send(who);
        lastSeq++;
      } else if (dice < 0.85 && lastSeq > 0) {
        // Hides any message, again or not, read or not, own or not: only others' unread count.
        c.hide(who, 1 + Math.floor(random() * lastSeq));
      } else {
        const p = c.members.get(who)!;
        c.read(who, p.readSeq + Math.floor(random() * (lastSeq - p.readSeq + 1)));
      }
      for (const id of ['a', 'b']) {
        assert.equal(c.unread(id), c.expected(id), `round ${round}, step ${step}, ${id}`);
        assert.ok(c.members.get(id)!.ownUnread.length <= OWN_UNREAD_KEPT);
        assert.ok(c.members.get(id)!.hiddenUnread.length <= HIDDEN_UNREAD_KEPT);
      }
    }
  }
});

test('a member who hides message after message keeps at most HIDDEN_UNREAD_KEPT seqs, and the count stays exact', () => {
  const c = conversation();
  for (let i = 0; i < 300; i++) c.send('b');
  const a = c.members.get('a')!;
  // Newest first, then oldest first, then each again: the list is full long before the end.
  for (let seq = 300; seq > 150; seq--) c.hide('a', seq);
  for (let seq = 1; seq <= 150; seq++) c.hide('a', seq);
  for (let seq = 1; seq <= 300; seq += 7) c.hide('a', seq);
  assert.equal(a.hiddenUnread.length, HIDDEN_UNREAD_KEPT);
  assert.equal(a.hiddenUnreadOlder, 300 - HIDDEN_UNREAD_KEPT);
  assert.equal(c.unread('a'), 0);
  c.send('b');
  assert.equal(c.unread('a'), 1);
  c.read('a', 100);
  assert.equal(a.hiddenUnreadOlder, 200 - HIDDEN_UNREAD_KEPT);
  assert.equal(c.unread('a'), 1);
  c.read('a', 301);
  assert.deepEqual([a.hiddenUnread.length, a.hiddenUnreadOlder, c.unread('a')], [0, 0, 0]);
});
