import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ClientEvent, Conversation, Message } from '@chat/api';
import { applyEvent, type ChatState } from '../src/events/apply-event.js';

const ME = 'me';
const BOB = 'bob';
const CAROL = 'carol';

function message(id: string, senderId: string, at: number, extra: Partial<Message> = {}): Message {
  return {
    id,
    conversationId: 'c1',
    senderId,
    clientId: `client-${id}`,
    content: `text ${id}`,
    type: 'text',
    status: 'sent',
    deliveredTo: [],
    readBy: [],
    attachments: [],
    replyTo: null,
    reactions: [],
    editedAt: null,
    deleted: false,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, at)).toISOString(),
    ...extra,
  };
}

function conversation(
  id: string,
  participants: string[],
  at: number,
  unreadCount = 0,
): Conversation {
  return {
    id,
    type: participants.length > 2 ? 'group' : 'direct',
    participants,
    group: participants.length > 2 ? { id, name: `group ${id}`, avatar: null } : null,
    lastMessage: null,
    unreadCount,
    mutedUntil: null,
    updatedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, at)).toISOString(),
  };
}

function state(partial: Partial<ChatState> = {}): ChatState {
  return {
    meId: ME,
    conversations: [conversation('c1', [ME, BOB], 1), conversation('c2', [ME, CAROL], 2)],
    messages: { c1: [] },
    presence: {},
    typing: {},
    notifications: { items: [], unread: 0 },
    notificationLimit: 2,
    stale: false,
    ...partial,
  };
}

const applyAll = (s: ChatState, events: ClientEvent[]) =>
  events.reduce((a, e) => applyEvent(a, e), s);

describe('applyEvent', () => {
  test('message.new from someone else: newest first, conversation to the top, one more unread', () => {
    const before = state({ typing: { c1: [BOB] } });
    const after = applyEvent(before, { type: 'message.new', message: message('m1', BOB, 10) });
    assert.deepEqual(
      after.messages.c1?.map((m) => m.id),
      ['m1'],
    );
    assert.deepEqual(
      after.conversations.map((c) => c.id),
      ['c1', 'c2'],
    );
    assert.equal(after.conversations[0]?.unreadCount, 1);
    assert.equal(after.conversations[0]?.lastMessage?.id, 'm1');
    assert.deepEqual(after.typing.c1, [], 'a message ends its sender typing');
    assert.deepEqual(before.messages.c1, [], 'the input state is not changed');
  });

  test('a replayed message.new changes nothing twice; my own is not unread', () => {
    const once = applyEvent(state(), { type: 'message.new', message: message('m1', BOB, 10) });
    const twice = applyEvent(once, { type: 'message.new', message: message('m1', BOB, 10) });
    assert.equal(twice.messages.c1?.length, 1);
    assert.equal(twice.conversations[0]?.unreadCount, 1);
    const mine = applyEvent(twice, { type: 'message.new', message: message('m2', ME, 11) });
    assert.equal(mine.conversations[0]?.unreadCount, 1);
    assert.deepEqual(
      mine.messages.c1?.map((m) => m.id),
      ['m2', 'm1'],
    );
  });

  test('a message being read on screen is not unread', () => {
    const after = applyEvent(
      state(),
      { type: 'message.new', message: message('m1', BOB, 10) },
      { isBeingRead: (id) => id === 'c1' },
    );
    assert.equal(after.conversations[0]?.unreadCount, 0);
  });

  test('the server copy replaces the local echo with the same clientId', () => {
    const echo = message('local', ME, 10, { clientId: 'k' });
    const after = applyEvent(state({ messages: { c1: [echo] } }), {
      type: 'message.new',
      message: message('m1', ME, 10, { clientId: 'k' }),
    });
    assert.deepEqual(
      after.messages.c1?.map((m) => m.id),
      ['m1'],
    );
  });

  test('message.status: receipts, then the status by the API rule', () => {
    const groupState = state({
      conversations: [conversation('c1', [ME, BOB, CAROL], 1)],
      messages: { c1: [message('m1', ME, 10)] },
    });
    const receipt = (userId: string, status: 'delivered' | 'read'): ClientEvent => ({
      type: 'message.status',
      conversationId: 'c1',
      messageIds: ['m1'],
      userId,
      status,
      at: '2026-01-01T00:01:00.000Z',
    });
    const bobRead = applyEvent(groupState, receipt(BOB, 'read'));
    assert.equal(bobRead.messages.c1?.[0]?.status, 'sent', 'carol has not received it');
    assert.deepEqual(bobRead.messages.c1?.[0]?.deliveredTo, [BOB]);
    const carolGot = applyEvent(bobRead, receipt(CAROL, 'delivered'));
    assert.equal(carolGot.messages.c1?.[0]?.status, 'delivered');
    const carolRead = applyAll(carolGot, [receipt(CAROL, 'read'), receipt(CAROL, 'read')]);
    assert.equal(carolRead.messages.c1?.[0]?.status, 'read');
    assert.equal(carolRead.messages.c1?.[0]?.readBy.length, 2, 'a repeated receipt adds nothing');
  });

  test('my own read receipt lowers my unread count by the messages it newly covers', () => {
    const s = applyAll(state(), [
      { type: 'message.new', message: message('m1', BOB, 10) },
      { type: 'message.new', message: message('m2', BOB, 11) },
    ]);
    const read = (ids: string[]): ClientEvent => ({
      type: 'message.status',
      conversationId: 'c1',
      messageIds: ids,
      userId: ME,
      status: 'read',
      at: '2026-01-01T00:01:00.000Z',
    });
    const after = applyEvent(s, read(['m1']));
    assert.equal(after.conversations[0]?.unreadCount, 1);
    assert.equal(
      applyAll(after, [read(['m1']), read(['m1', 'm2'])]).conversations[0]?.unreadCount,
      0,
    );
  });

  test('message.deleted: gone, and an unread one no longer counts', () => {
    const s = applyAll(state(), [
      { type: 'message.new', message: message('m1', BOB, 10) },
      { type: 'message.new', message: message('m2', ME, 11) },
    ]);
    const after = applyAll(s, [
      { type: 'message.deleted', conversationId: 'c1', messageId: 'm1' },
      { type: 'message.deleted', conversationId: 'c1', messageId: 'm2' },
    ]);
    assert.deepEqual(after.messages.c1, []);
    assert.equal(after.conversations[0]?.unreadCount, 0);
  });

  test('conversation.updated: a new one takes its place by activity, a known one is replaced in place', () => {
    const added = applyEvent(state(), {
      type: 'conversation.updated',
      conversation: conversation('c3', [ME, BOB, CAROL], 5, 2),
    });
    assert.deepEqual(
      added.conversations.map((c) => c.id),
      ['c3', 'c2', 'c1'],
    );
    const renamed = applyEvent(added, {
      type: 'conversation.updated',
      conversation: {
        ...conversation('c3', [ME, BOB, CAROL], 5),
        group: { id: 'c3', name: 'new', avatar: null },
      },
    });
    assert.equal(renamed.conversations[0]?.group?.name, 'new');
    assert.equal(renamed.conversations[0]?.unreadCount, 0, 'the event carries my own count');
  });

  test('conversation.updated without me: the conversation and its messages are gone', () => {
    const s = applyEvent(state(), { type: 'message.new', message: message('m1', BOB, 10) });
    const after = applyEvent(s, {
      type: 'conversation.updated',
      conversation: conversation('c1', [BOB], 1),
    });
    assert.deepEqual(
      after.conversations.map((c) => c.id),
      ['c2'],
    );
    assert.equal(after.messages.c1, undefined);
  });

  test('a member leaves: receipts list current members, the status follows', () => {
    const m = message('m1', ME, 10, {
      deliveredTo: [BOB, CAROL],
      readBy: [{ userId: BOB, readAt: '2026-01-01T00:01:00.000Z' }],
      status: 'delivered',
    });
    const s = state({
      conversations: [conversation('c1', [ME, BOB, CAROL], 1)],
      messages: { c1: [m] },
    });
    const after = applyEvent(s, {
      type: 'conversation.updated',
      conversation: conversation('c1', [ME, BOB], 1),
    });
    assert.deepEqual(after.messages.c1?.[0]?.deliveredTo, [BOB]);
    assert.equal(after.messages.c1?.[0]?.status, 'read');
  });

  test('typing, presence, notifications and resync', () => {
    const note = (id: string) => ({
      id,
      kind: 'message' as const,
      title: 'Bob',
      body: 'hi',
      conversationId: 'c1',
      messageId: null,
      read: false,
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    const after = applyAll(state(), [
      { type: 'typing', conversationId: 'c1', userId: BOB, isTyping: true },
      { type: 'typing', conversationId: 'c1', userId: ME, isTyping: true },
      { type: 'presence', userId: BOB, status: 'away', lastSeen: null },
      { type: 'notification.new', notification: note('n1') },
      { type: 'notification.new', notification: note('n1') },
      { type: 'notification.new', notification: note('n2') },
      { type: 'notification.new', notification: note('n3') },
    ]);
    assert.deepEqual(after.typing.c1, [BOB]);
    assert.deepEqual(after.presence[BOB], { status: 'away', lastSeen: null });
    assert.deepEqual(
      after.notifications.items.map((n) => n.id),
      ['n3', 'n2'],
    );
    assert.equal(after.notifications.unread, 3);
    assert.equal(after.stale, false);
    assert.equal(applyEvent(after, { type: 'resync' }).stale, true);
  });

  test('an event that changes nothing returns the same state', () => {
    const s = state();
    assert.equal(
      applyEvent(s, { type: 'typing', conversationId: 'c1', userId: BOB, isTyping: false }),
      s,
    );
    assert.equal(
      applyEvent(s, { type: 'message.deleted', conversationId: 'c1', messageId: 'x' }),
      s,
    );
  });
});
