import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { redisKeys, type ClientEvent, type Notification } from '@chat/api';
import { directPair, sendText } from '../support/direct-chat.js';
import { TestSystem, type TestUser } from '../support/system.js';
import { rejectsWith } from '../support/errors.js';
import { waitFor } from '../support/wait.js';

describe('notifications', () => {
  let system: TestSystem;
  let redis: Redis;
  before(async () => {
    system = await TestSystem.start({
      workers: ['auth', 'user', 'chat', 'notification'],
      env: { RATE_SEND_PER_USER: '100000' },
    });
    redis = new Redis(system.env.REDIS_URL!);
  });
  after(async () => {
    redis?.disconnect();
    await system.stop();
  });

  const pair = () => directPair(system);
  const send = sendText;

  /** `u`'s notifications once `ready` holds for them. */
  const listWhen = (
    u: TestUser,
    what: string,
    ready: (items: Notification[]) => boolean,
    limit = 100,
  ) =>
    waitFor(what, async () => {
      const list = await u.client.api.notification.list.query({ limit });
      return ready(list.items) && list;
    });

  /** The stored events of a user's log. */
  async function storedEvents(userId: string): Promise<ClientEvent[]> {
    const entries = await redis.xrange(redisKeys.eventLog(userId), '-', '+');
    return entries.map(([, f]) => JSON.parse(f[f.indexOf('e') + 1]!) as ClientEvent);
  }

  test('direct messages: one per message to the recipient, newest first, with the unread count', async () => {
    const { a, b, conversation } = await pair();
    await a.client.api.user.updateProfile.mutate({ displayName: 'Alice Sender' });
    const sent = [];
    for (const text of ['one', 'two', 'three']) sent.push(await send(a, conversation.id, text));
    const list = await listWhen(b, 'three notifications', (items) => items.length >= 3);
    assert.equal(list.unread, 3);
    assert.deepEqual(
      list.items.map((n) => n.messageId),
      sent.map((m) => m.id).reverse(),
      'newest first',
    );
    const [newest] = list.items;
    assert.deepEqual(newest, {
      id: newest!.id,
      kind: 'message',
      title: 'Alice Sender',
      body: 'three',
      conversationId: conversation.id,
      messageId: sent[2]!.id,
      read: false,
      createdAt: sent[2]!.createdAt,
    });
    assert.match(newest.id, /^[A-Za-z0-9_-]{1,64}$/, 'ids are valid inputs of markRead');

    // Each is also a notification.new event in the recipient's log.
    const events = await storedEvents(b.id);
    assert.deepEqual(
      events.flatMap((e) => (e.type === 'notification.new' ? [e.notification.id] : [])),
      list.items.map((n) => n.id).reverse(),
    );
    // The sender gets none for their own messages.
    const own = await a.client.api.notification.list.query({});
    assert.deepEqual(own, { items: [], unread: 0 });

    const two = await b.client.api.notification.list.query({ limit: 2 });
    assert.deepEqual(
      two.items.map((n) => n.id),
      list.items.slice(0, 2).map((n) => n.id),
    );
    assert.equal(two.unread, 3, 'unread counts everything, not just the page');
  });

  test('markRead: specific ids (unknown or foreign ones ignored), then all', async () => {
    const { a, b, conversation } = await pair();
    for (const text of ['x', 'y', 'z']) await send(a, conversation.id, text);
    const { items } = await listWhen(b, 'three notifications', (i) => i.length >= 3);
    const [z, y, x] = items.map((n) => n.id) as [string, string, string];

    assert.deepEqual(await b.client.api.notification.markRead.mutate({ ids: [y] }), { unread: 2 });
    const afterOne = await b.client.api.notification.list.query({});
    assert.deepEqual(
      afterOne.items.map((n) => [n.id, n.read]),
      [
        [z, false],
        [y, true],
        [x, false],
      ],
    );
    assert.equal(afterOne.unread, 2);

    // Again, plus ids that are not b's: nothing else changes.
    const unknown = randomBytes(8).toString('hex');
    assert.deepEqual(await b.client.api.notification.markRead.mutate({ ids: [y, unknown] }), {
      unread: 2,
    });
    const stranger = await system.user();
    assert.deepEqual(await stranger.client.api.notification.markRead.mutate({ ids: [x, z] }), {
      unread: 0,
    });
    assert.equal(
      (await b.client.api.notification.list.query({})).unread,
      2,
      'only b can mark them',
    );

    assert.deepEqual(await b.client.api.notification.markRead.mutate({}), { unread: 0 });
    const all = await b.client.api.notification.list.query({});
    assert.deepEqual(
      all.items.map((n) => n.read),
      [true, true, true],
    );
    assert.deepEqual(await b.client.api.notification.markRead.mutate({ ids: [] }), { unread: 0 });

    // New ones after "all" are unread again.
    await send(a, conversation.id, 'later');
    const later = await listWhen(b, 'the fourth', (i) => i.length >= 4);
    assert.equal(later.unread, 1);
    assert.equal(later.items[0]!.read, false);
  });

  test('a login makes a login notification (and a notification.new event)', async () => {
    const u = await system.user();
    const other = system.client();
    await other.login({ identifier: u.username, password: u.password });
    const list = await listWhen(u, 'the login notification', (items) =>
      items.some((n) => n.kind === 'login'),
    );
    const note = list.items.find((n) => n.kind === 'login')!;
    assert.equal(note.title, 'New sign-in');
    assert.match(note.body, /^Signed in from /);
    assert.deepEqual([note.conversationId, note.messageId, note.read], [null, null, false]);
    assert.equal(list.unread, 1);
    const events = await storedEvents(u.id);
    assert.ok(
      events.some((e) => e.type === 'notification.new' && e.notification.id === note.id),
      'appended as notification.new',
    );
  });

  test('groups: group_added for added members, group_message for the other members', async () => {
    const [owner, m1, m2, late] = await Promise.all([
      system.user(),
      system.user(),
      system.user(),
      system.user(),
    ]);
    await owner.client.api.user.updateProfile.mutate({ displayName: 'Olive Owner' });
    const group = await owner.client.api.group.create.mutate({
      name: 'Book club',
      memberIds: [m1.id, m2.id],
    });
    for (const member of [m1, m2]) {
      const list = await listWhen(member, 'group_added', (i) =>
        i.some((n) => n.kind === 'group_added'),
      );
      const added = list.items.find((n) => n.kind === 'group_added')!;
      assert.equal(added.title, 'Added to Book club');
      assert.equal(added.body, 'Olive Owner added you to Book club');
      assert.equal(added.conversationId, group.conversationId);
      assert.equal(added.messageId, null);
    }
    const message = await send(owner, group.conversationId, 'chapter 3 tonight');
    for (const member of [m1, m2]) {
      const list = await listWhen(member, 'group_message', (i) =>
        i.some((n) => n.kind === 'group_message'),
      );
      const note = list.items.find((n) => n.kind === 'group_message')!;
      assert.equal(note.title, 'Olive Owner in Book club');
      assert.equal(note.body, 'chapter 3 tonight');
      assert.equal(note.messageId, message.id);
      assert.equal(note.conversationId, group.conversationId);
    }
    const own = await owner.client.api.notification.list.query({});
    assert.equal(own.items.length, 0, 'the owner gets none for their own actions');

    await owner.client.api.group.addMembers.mutate({ groupId: group.id, userIds: [late.id] });
    await listWhen(late, 'group_added for a later member', (i) =>
      i.some((n) => n.kind === 'group_added' && n.conversationId === group.conversationId),
    );
  });

  test('invalid input: BAD_REQUEST; without a token: UNAUTHORIZED', async () => {
    const u = await system.user();
    for (const input of [{ limit: 0 }, { limit: 101 }, { limit: 1.5 }, { extra: 1 }])
      await rejectsWith(u.client.api.notification.list.query(input), 'BAD_REQUEST');
    for (const input of [{ ids: [''] }, { ids: ['../x'] }, { ids: 'all' }])
      await rejectsWith(u.client.api.notification.markRead.mutate(input as never), 'BAD_REQUEST');
    const anonymous = system.client();
    await rejectsWith(anonymous.api.notification.list.query({}), 'UNAUTHORIZED');
    await rejectsWith(anonymous.api.notification.markRead.mutate({}), 'UNAUTHORIZED');
  });
});
