// The chaos suite's verdicts (tests/chaos): which gaps count as lost, which a resync excuses,
// what is a duplicate, and how event ids of unknown format are ordered.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyse, type StoredMessage } from '../chaos/analysis.js';
import { compareEventIds } from '../chaos/event-ids.js';
import { Ledger, type SendRecord } from '../chaos/ledger.js';

const CONVERSATION = 'c1';

/** A ledger with a baseline and one fault phase, and conversation c1 of a and b. */
function setUp(): Ledger {
  const ledger = new Ledger();
  ledger.conversations.set(CONVERSATION, ['a', 'b']);
  ledger.startPhase('baseline', 1_000);
  const fault = ledger.startPhase('fault', 2_000);
  fault.faultAt = 2_100;
  fault.restoredAt = 2_500;
  fault.recoveredAt = 3_000;
  return ledger;
}

function acked(ledger: Ledger, messageId: string, at: number, phase = 1): SendRecord {
  const send: SendRecord = {
    clientId: `client-${messageId}`,
    conversationId: CONVERSATION,
    senderId: 'a',
    phase,
    firstAttemptAt: at,
    attempts: 1,
    ackedAt: at + 10,
    messageId,
    rejected: null,
  };
  ledger.sends.push(send);
  return send;
}

const stored = (send: SendRecord, readBy: string[] = []): StoredMessage => ({
  id: send.messageId!,
  clientId: send.clientId,
  senderId: send.senderId,
  conversationId: send.conversationId,
  readBy: readBy.map((userId) => ({ userId })),
});

const message = (id: string) => ({ type: 'message.new', message: { id } });

void test('a message one participant never received, with no resync, is lost', () => {
  const ledger = setUp();
  const send = acked(ledger, 'm1', 2_200);
  ledger.event('a', '1-0', message('m1'), 2_300);
  const result = analyse(ledger, new Map([[CONVERSATION, [stored(send)]]]), []);
  assert.equal(result.rows[1]!.lost, 1);
  assert.equal(result.rows[1]!.acked, 1);
  assert.match(result.failures.join(), /1 deliveries lost/);
});

void test('a gap announced by a resync after the send is not lost', () => {
  const ledger = setUp();
  const send = acked(ledger, 'm1', 2_200);
  ledger.event('a', '1-0', message('m1'), 2_300);
  ledger.event('b', '2-0', { type: 'resync' }, 2_600);
  const result = analyse(ledger, new Map([[CONVERSATION, [stored(send)]]]), []);
  assert.equal(result.rows[1]!.lost, 0);
  assert.equal(result.rows[1]!.coveredByResync, 1);
  assert.equal(result.rows[1]!.resyncs, 1);
  assert.deepEqual(result.failures, []);
});

void test('a resync before the message was sent does not excuse missing it', () => {
  const ledger = setUp();
  ledger.event('b', '1-0', { type: 'resync' }, 2_050);
  const send = acked(ledger, 'm1', 2_200);
  ledger.event('a', '2-0', message('m1'), 2_300);
  const result = analyse(ledger, new Map([[CONVERSATION, [stored(send)]]]), []);
  assert.equal(result.rows[1]!.lost, 1);
});

void test('an acknowledged message absent from history is missing', () => {
  const ledger = setUp();
  acked(ledger, 'm1', 2_200);
  ledger.event('a', '1-0', message('m1'));
  ledger.event('b', '1-0', message('m1'));
  const result = analyse(ledger, new Map([[CONVERSATION, []]]), []);
  assert.equal(result.rows[1]!.missing, 1);
  assert.equal(result.rows[1]!.lost, 0);
});

void test('delivered twice without a resync between is a duplicate; after a resync it is not', () => {
  const ledger = setUp();
  const send = acked(ledger, 'm1', 2_200);
  ledger.event('a', '1-0', message('m1'), 2_300);
  ledger.event('b', '1-0', message('m1'), 2_300);
  ledger.event('b', '2-0', message('m1'), 2_400);
  ledger.event('a', '3-0', { type: 'resync' }, 2_500);
  ledger.event('a', '4-0', message('m1'), 2_600);
  const result = analyse(ledger, new Map([[CONVERSATION, [stored(send)]]]), []);
  assert.equal(result.rows[1]!.duplicated, 1);
});

void test('two stored messages for one clientId are a duplicate', () => {
  const ledger = setUp();
  const send = acked(ledger, 'm1', 2_200);
  ledger.event('a', '1-0', message('m1'));
  ledger.event('b', '1-0', message('m1'));
  const copy = { ...stored(send), id: 'm1-copy' };
  const result = analyse(ledger, new Map([[CONVERSATION, [stored(send), copy]]]), []);
  assert.equal(result.rows[1]!.duplicated, 1);
});

void test('an event id not above the last one, the resync included, is a regression', () => {
  const ledger = setUp();
  ledger.event('b', '1700000000005-0', message('m0'), 2_200);
  ledger.event('b', '1700000000004-0', { type: 'resync' }, 2_300);
  ledger.event('b', '1700000000005-0', message('m2'), 2_400);
  ledger.event('b', '1700000000006-0', message('m3'), 2_500);
  const result = analyse(ledger, new Map(), []);
  assert.equal(result.rows[1]!.regressions, 2);
});

void test('an unread count that disagrees with the history is drift', () => {
  const ledger = setUp();
  const read = acked(ledger, 'm1', 2_200);
  const unread = acked(ledger, 'm2', 2_300);
  for (const user of ['a', 'b']) {
    ledger.event(user, '1-0', message('m1'));
    ledger.event(user, '2-0', message('m2'));
  }
  const history = new Map([[CONVERSATION, [stored(unread), stored(read, ['b'])]]]);
  const right = analyse(ledger, history, [
    { userId: 'b', conversationId: CONVERSATION, unreadCount: 1 },
    { userId: 'a', conversationId: CONVERSATION, unreadCount: 0 },
  ]);
  assert.deepEqual(right.unreadDrift, []);
  const wrong = analyse(ledger, history, [
    { userId: 'b', conversationId: CONVERSATION, unreadCount: 2 },
  ]);
  assert.equal(wrong.unreadDrift[0]?.expected, 1);
  assert.match(wrong.failures.join(), /unread/);
});

void test('a phase that never recovered fails the run', () => {
  const ledger = setUp();
  ledger.phases[1]!.recoveredAt = null;
  const result = analyse(ledger, new Map(), []);
  assert.equal(result.rows[1]!.recovered, false);
  assert.match(result.failures.join(), /no recovery after fault/);
});

void test('event ids compare by their numbers, whatever the separators or an epoch prefix', () => {
  assert.equal(compareEventIds('1700000000000-2', '1700000000000-10'), -1);
  assert.equal(compareEventIds('1700000000001-0', '1700000000000-99'), 1);
  assert.equal(compareEventIds('1700000000000-0', '1700000000000-0'), 0);
  assert.equal(compareEventIds('2:1600000000000-0', '1:1700000000000-0'), 1);
  assert.equal(compareEventIds('99999999999999999999-1', '99999999999999999999-2'), -1);
});

void test('a message received after a later one of its conversation is out of order', () => {
  const ledger = setUp();
  const first = acked(ledger, 'm1', 2_200);
  const second = acked(ledger, 'm2', 2_210);
  // a gets them in order, b the later one first (history is newest first).
  ledger.event('a', '1-0', message('m1'), 2_300);
  ledger.event('a', '1-1', message('m2'), 2_301);
  ledger.event('b', '2-0', message('m2'), 2_300);
  ledger.event('b', '2-1', message('m1'), 2_301);
  const result = analyse(ledger, new Map([[CONVERSATION, [stored(second), stored(first)]]]), []);
  assert.equal(result.rows[1]!.reordered, 1);
  assert.equal(result.rows[1]!.lost, 0);
  assert.match(result.failures.join(), /1 messages received after a later one/);
});
