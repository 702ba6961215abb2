import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  applyEvent,
  eventOf,
  fetchChatState,
  ownReadReceipt,
  type ChatState,
  type Message,
  type StreamItem,
} from '@chat/sdk';
import { TestSystem, type TestUser } from '../support/system.js';
import { sleep, waitFor } from '../support/wait.js';

// Zulip's apply_events test, for this API: fetch a user's state, act as several users while
// the user's event stream runs, apply every event to the fetched state with the SDK's pure
// applyEvent, and compare with a fresh fetch after each step.

/** What a fetch can be compared with: typing is live only; own read times are the client's. */
function comparable(state: ChatState) {
  const messages = Object.fromEntries(
    Object.entries(state.messages).map(([id, items]) => [
      id,
      items.map((m) => ({
        ...m,
        readBy: m.readBy.map((r) => (r.userId === state.meId ? { ...r, readAt: 'own' } : r)),
      })),
    ]),
  );
  return { ...state, messages, typing: {} };
}

const send = async (user: TestUser, conversationId: string, content: string): Promise<Message> =>
  user.client.api.chat.send.mutate({ conversationId, clientId: randomUUID(), content });

describe('sdk applyEvent', () => {
  let system: TestSystem;
  before(async () => {
    system = await TestSystem.start();
  });
  after(() => system.stop());

  test('events applied to a fetched state give what a fresh fetch gives, step by step', async () => {
    const alice = await system.user();
    const [bob, carol, dave] = await Promise.all([system.user(), system.user(), system.user()]);
    const api = alice.client.api;
    const direct = await bob.client.api.chat.openDirect.mutate({ userId: alice.id });
    await send(bob, direct.id, 'from before the fetch');

    const items: StreamItem[] = [];
    const errors: unknown[] = [];
    const subscription = api.events.stream.subscribe(undefined, {
      onData: (item) => void items.push(item),
      onError: (err) => void errors.push(err),
    });
    // Live once bob's typing reaches alice (nothing else happens meanwhile).
    await waitFor('alice’s stream to go live', async () => {
      await bob.client.api.chat.typing.mutate({ conversationId: direct.id, isTyping: true });
      await sleep(150);
      return items.some((i) => eventOf(i).type === 'typing');
    });

    let state = await fetchChatState(api, { meId: alice.id });
    let applied = 0;
    /** Applies what arrived; people first met in an event are looked up, as a client does. */
    const catchUp = async () => {
      for (; applied < items.length; applied++) state = applyEvent(state, eventOf(items[applied]!));
      const known = new Set(Object.keys(state.presence));
      const unknown = [...new Set(state.conversations.flatMap((c) => c.participants))].filter(
        (id) => !known.has(id),
      );
      const users = await Promise.all(unknown.map((userId) => api.user.byId.query({ userId })));
      const presence = { ...state.presence };
      for (const u of users) presence[u.id] ??= { status: u.status, lastSeen: u.lastSeen };
      state = { ...state, presence };
    };
    /** Waits until the applied events leave the state equal to a fresh fetch. */
    const inStep = async (step: string) => {
      let difference = '';
      await waitFor(`the state after “${step}”`, async () => {
        await catchUp();
        const fresh = await fetchChatState(api, { meId: alice.id });
        try {
          assert.deepEqual(comparable(state), comparable(fresh));
          return true;
        } catch (err) {
          difference = (err as Error).message;
          return false;
        }
      }).catch(() => assert.fail(`after “${step}” the applied state differs:\n${difference}`));
    };
    const readOwn = async (upTo: Message) => {
      await api.chat.markRead.mutate({
        conversationId: upTo.conversationId,
        upToMessageId: upTo.id,
      });
      await catchUp();
      state = applyEvent(state, ownReadReceipt(state, upTo));
    };

    // Direct messages, receipts both ways, delete for me.
    const b1 = await send(bob, direct.id, 'hi alice');
    const a1 = await send(alice, direct.id, 'hi bob');
    await inStep('send');
    await bob.client.api.chat.markDelivered.mutate({
      conversationId: direct.id,
      messageIds: [a1.id],
    });
    await inStep('deliver');
    await bob.client.api.chat.markRead.mutate({ conversationId: direct.id, upToMessageId: a1.id });
    await readOwn(b1);
    await inStep('read');
    const b2 = await send(bob, direct.id, 'unread, then deleted');
    await send(bob, direct.id, 'unread');
    await inStep('more messages');
    await api.chat.deleteForMe.mutate({ messageId: b2.id });
    await api.chat.deleteForMe.mutate({ messageId: a1.id });
    await inStep('delete for me');

    // A group: created, talked in, members added, removed, renamed, one leaves.
    const group = await carol.client.api.group.create.mutate({
      name: 'apply events',
      memberIds: [alice.id, bob.id],
    });
    await send(carol, group.conversationId, 'welcome');
    await send(bob, group.conversationId, 'thanks');
    const a2 = await send(alice, group.conversationId, 'hello all');
    await inStep('group create and talk');
    await carol.client.api.chat.markRead.mutate({
      conversationId: group.conversationId,
      upToMessageId: a2.id,
    });
    await bob.client.api.chat.markDelivered.mutate({
      conversationId: group.conversationId,
      messageIds: [a2.id],
    });
    await inStep('group receipts');
    await carol.client.api.group.addMembers.mutate({ groupId: group.id, userIds: [dave.id] });
    await send(dave, group.conversationId, 'hi, new here');
    await inStep('group add');
    await carol.client.api.group.removeMember.mutate({ groupId: group.id, userId: bob.id });
    await inStep('group remove');
    await carol.client.api.group.update.mutate({ groupId: group.id, name: 'renamed' });
    await inStep('group update');
    await dave.client.api.group.leave.mutate({ groupId: group.id });
    const c1 = await send(carol, group.conversationId, 'just us');
    await readOwn(c1);
    await inStep('group leave');

    // Alice leaves one group and is removed from another: both disappear.
    const left = await bob.client.api.group.create.mutate({
      name: 'to leave',
      memberIds: [alice.id],
    });
    const removed = await carol.client.api.group.create.mutate({
      name: 'removed from',
      memberIds: [alice.id, dave.id],
    });
    await send(dave, removed.conversationId, 'before alice goes');
    await inStep('two more groups');
    await api.group.leave.mutate({ groupId: left.id });
    await carol.client.api.group.removeMember.mutate({ groupId: removed.id, userId: alice.id });
    await inStep('leave and be removed');

    // Profiles: a new name changes no state; a status is presence.
    await bob.client.api.user.updateProfile.mutate({ displayName: 'Robert' });
    await carol.client.api.user.setStatus.mutate({ status: 'busy' });
    await send(bob, direct.id, 'from Robert');
    await inStep('profile update');

    subscription.unsubscribe();
    assert.deepEqual(errors, []);
    const kinds = new Set(items.map((i) => eventOf(i).type));
    for (const kind of ['message.new', 'message.status', 'message.deleted', 'conversation.updated'])
      assert.ok(kinds.has(kind as never), `the series produced ${kind} events`);
    assert.equal(state.stale, false, 'no resync was needed');
  });
});
