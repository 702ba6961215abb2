import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Bus } from '@chat/bus';
import { createLogger } from '@chat/core';
import {
  chatModels,
  connectDb,
  usersModels,
  type ChatModels,
  type Connection,
  type UsersModels,
} from '@chat/db';
import { MAX_GROUP_MEMBERS, type ConversationUpdatedEvent, type Group } from '@chat/api';
import { TestSystem, type TestUser } from '../support/system.js';
import { rejectsWith } from '../support/errors.js';
import { sleep, waitFor } from '../support/wait.js';

const log = createLogger({ service: 'test', level: 'silent' });

/** An id in ObjectId format that names nothing. */
const unknownId = () => randomBytes(12).toString('hex');

type Users<N extends number, T extends TestUser[] = []> = T['length'] extends N
  ? T
  : Users<N, [...T, TestUser]>;

const roles = (g: Group) => Object.fromEntries(g.members.map((m) => [m.userId, m.role]));
const memberIds = (g: Group) => g.members.map((m) => m.userId);

describe('group', () => {
  let system: TestSystem;
  let bus: Bus;
  let chatConn: Connection;
  let usersConn: Connection;
  let chat: ChatModels;
  let users: UsersModels;
  /** Every `conversation.updated` the chat worker published, in order of arrival. */
  const events: ConversationUpdatedEvent[] = [];

  before(async () => {
    system = await TestSystem.start({ workers: ['auth', 'user', 'chat'] });
    bus = await system.connectBus();
    // The notification worker's queue (not running here; the system's clean-up deletes it).
    await bus.subscribe({
      queue: 'notification.chat_events',
      exchange: 'chat_events',
      routingKeys: ['conversation.updated'],
      handler: (event) => {
        events.push(event.data as ConversationUpdatedEvent);
        return Promise.resolve();
      },
    });
    chatConn = await connectDb({
      url: system.env.MONGO_URL!,
      dbName: `${system.dbPrefix}chat`,
      log,
    });
    usersConn = await connectDb({
      url: system.env.MONGO_URL!,
      dbName: `${system.dbPrefix}users`,
      log,
    });
    chat = await chatModels(chatConn);
    users = await usersModels(usersConn);
  });
  after(async () => {
    await bus?.close();
    await chatConn?.close();
    await usersConn?.close();
    await system?.stop();
  });

  /** What the store holds of a conversation: its document and its members in join order. */
  async function stored(conversationId: string) {
    const conv = await chat.Conversation.findById(conversationId).lean();
    const members = await chat.Member.find({ conversationId }).sort({ joinedAt: 1, _id: 1 }).lean();
    return { conv, members, participants: members.map((m) => m.userId) };
  }

  /** `n` fresh signed-in users. */
  const users$ = <N extends number>(n: N) =>
    Promise.all(Array.from({ length: n }, () => system.user())) as Promise<Users<N>>;

  /** The next `conversation.updated` for `conversationId` that satisfies `match`. */
  const eventFor = (conversationId: string, match: (e: ConversationUpdatedEvent) => boolean) =>
    waitFor(`conversation.updated for ${conversationId}`, () =>
      events.find((e) => e.conversation.id === conversationId && match(e)),
    );

  /** Registers `n` profiles straight in the user database (cheap users for the size limits). */
  async function bulkUserIds(n: number): Promise<string[]> {
    const now = new Date();
    const rows = Array.from({ length: n }, () => {
      const name = `bulk_${randomBytes(6).toString('hex')}`;
      return {
        _id: randomBytes(12).toString('hex'),
        username: name,
        usernameLower: name,
        displayName: name,
        displayNameLower: name,
        email: `${name}@example.test`,
        createdAt: now,
        updatedAt: now,
      };
    });
    await users.Profile.insertMany(rows);
    return rows.map((r) => r._id);
  }

  describe('create', () => {
    test('the caller becomes owner; the others members, in order; the conversation follows', async () => {
      const [owner, a, b] = await users$(3);
      const before = Date.now();
      const group = await owner.client.api.group.create.mutate({
        name: '  Book club  ',
        memberIds: [a.id, b.id],
      });
      assert.equal(group.name, 'Book club', 'the name is trimmed');
      assert.equal(group.description, '');
      assert.equal(group.avatar, null);
      assert.equal(group.creatorId, owner.id);
      assert.match(group.id, /^[0-9a-f]{24}$/);
      assert.match(group.conversationId, /^[0-9a-f]{24}$/);
      assert.deepEqual(
        group.members.map(({ userId, role }) => ({ userId, role })),
        [
          { userId: owner.id, role: 'owner' },
          { userId: a.id, role: 'member' },
          { userId: b.id, role: 'member' },
        ],
      );
      for (const m of group.members) assert.ok(Date.parse(m.joinedAt) >= before - 1000);
      assert.ok(Date.parse(group.createdAt) >= before - 1000);

      // Every member sees the same group; the stored conversation lists them all.
      for (const u of [owner, a, b])
        assert.deepEqual(await u.client.api.group.get.query({ groupId: group.id }), group);
      const { conv, members, participants } = await stored(group.conversationId);
      assert.ok(conv);
      assert.equal(conv.type, 'group');
      assert.equal(conv.key, `group:${group.id}`);
      assert.equal(conv._id.toString(), group.id, 'a group is its conversation');
      assert.deepEqual(participants, [owner.id, a.id, b.id]);
      assert.equal(conv.name, 'Book club');
      assert.equal(conv.memberCount, 3);
      assert.equal(conv.lastSeq, 0);
      for (const m of members) {
        assert.equal(m.readSeq, 0, 'nothing unread');
        assert.deepEqual(m.ownUnread, []);
      }

      const event = await eventFor(group.conversationId, (e) => e.reason === 'created');
      assert.equal(event.actorId, owner.id);
      assert.deepEqual(event.addedUserIds.sort(), [a.id, b.id].sort());
      assert.deepEqual(event.audience.sort(), [owner.id, a.id, b.id].sort());
      assert.deepEqual(event.conversation.group, { id: group.id, name: 'Book club', avatar: null });
      assert.deepEqual(event.unread, {}, 'nobody has anything unread');
    });

    test('description and https avatar are kept; a 100-character name is fine', async () => {
      const [owner, a] = await users$(2);
      const name = 'n'.repeat(100);
      const group = await owner.client.api.group.create.mutate({
        name,
        description: 'About books',
        avatar: 'https://cdn.example.test/club.png',
        memberIds: [a.id],
      });
      assert.equal(group.name, name);
      assert.equal(group.description, 'About books');
      assert.equal(group.avatar, 'https://cdn.example.test/club.png');
    });

    test('duplicate ids and the caller in memberIds are dropped', async () => {
      const [owner, a, b] = await users$(3);
      const group = await owner.client.api.group.create.mutate({
        name: 'dups',
        memberIds: [a.id, owner.id, b.id, a.id, b.id],
      });
      assert.deepEqual(memberIds(group), [owner.id, a.id, b.id]);
      assert.equal(roles(group)[owner.id], 'owner');
    });

    test('the conversation shows up for every member through chat.conversation', async () => {
      const [owner, a] = await users$(2);
      const group = await owner.client.api.group.create.mutate({
        name: 'visible',
        avatar: 'https://cdn.example.test/v.png',
        memberIds: [a.id],
      });
      for (const u of [owner, a]) {
        const conv = await u.client.api.chat.conversation.query({
          conversationId: group.conversationId,
        });
        assert.equal(conv.id, group.conversationId);
        assert.equal(conv.type, 'group');
        assert.deepEqual(conv.participants, [owner.id, a.id]);
        assert.deepEqual(conv.group, {
          id: group.id,
          name: 'visible',
          avatar: 'https://cdn.example.test/v.png',
        });
        assert.equal(conv.lastMessage, null);
        assert.equal(conv.unreadCount, 0);
      }
    });

    test('two creates with the same name and members are two groups', async () => {
      const [owner, a] = await users$(2);
      const input = { name: 'same', memberIds: [a.id] };
      // Sequential: calls batched into one HTTP request share a request id (see groups.ts).
      const g1 = await owner.client.api.group.create.mutate(input);
      const g2 = await owner.client.api.group.create.mutate(input);
      assert.notEqual(g1.id, g2.id);
      assert.notEqual(g1.conversationId, g2.conversationId);
    });

    test('a redelivered create RPC (same request id) returns the first group, not a second', async () => {
      const [owner, a] = await users$(2);
      const input = { name: `retry-${randomUUID()}`, memberIds: [a.id] };
      const meta = { requestId: `retry-${randomUUID()}`, userId: owner.id };
      const shared = { service: 'chat', partition: null };
      const first = (await bus.call(shared, 'group.create', input, meta, 5000)) as Group;
      const second = (await bus.call(shared, 'group.create', input, meta, 5000)) as Group;
      assert.deepEqual(second, first);
      assert.equal(await chat.Conversation.countDocuments({ name: input.name }), 1);
      assert.equal(await chat.Conversation.countDocuments({ key: `group:${first.id}` }), 1);
    });

    test('unknown member ids: NOT_FOUND naming how many', async () => {
      const [owner, a] = await users$(2);
      const one = await rejectsWith(
        owner.client.api.group.create.mutate({ name: 'x', memberIds: [a.id, unknownId()] }),
        'NOT_FOUND',
      );
      assert.match(one.message, /\b1\b/);
      const two = await rejectsWith(
        owner.client.api.group.create.mutate({
          name: 'x',
          memberIds: [unknownId(), a.id, unknownId()],
        }),
        'NOT_FOUND',
      );
      assert.match(two.message, /\b2\b/);
      assert.equal(await chat.Conversation.countDocuments({ creatorId: owner.id }), 0);
    });

    test('only the caller in memberIds: BAD_REQUEST (a group needs someone else)', async () => {
      const owner = await system.user();
      await rejectsWith(
        owner.client.api.group.create.mutate({ name: 'alone', memberIds: [owner.id] }),
        'BAD_REQUEST',
      );
    });

    test('255 other members (256 in all) is the maximum', async () => {
      const owner = await system.user();
      const ids = await bulkUserIds(255);
      const group = await owner.client.api.group.create.mutate({ name: 'big', memberIds: ids });
      assert.equal(group.members.length, 256);
    });

    test('invalid input: BAD_REQUEST with zodError', async () => {
      const [owner, a] = await users$(2);
      const cases: [string, unknown][] = [
        ['empty name', { name: '', memberIds: [a.id] }],
        ['blank name', { name: '   ', memberIds: [a.id] }],
        ['101-character name', { name: 'n'.repeat(101), memberIds: [a.id] }],
        [
          '501-character description',
          { name: 'x', description: 'd'.repeat(501), memberIds: [a.id] },
        ],
        ['no memberIds', { name: 'x' }],
        ['empty memberIds', { name: 'x', memberIds: [] }],
        ['256 memberIds', { name: 'x', memberIds: Array.from({ length: 256 }, () => unknownId()) }],
        ['http avatar', { name: 'x', avatar: 'http://cdn.example.test/a.png', memberIds: [a.id] }],
        ['not a URL avatar', { name: 'x', avatar: 'club.png', memberIds: [a.id] }],
        ['malformed member id', { name: 'x', memberIds: ['../etc'] }],
        ['unknown key', { name: 'x', memberIds: [a.id], ownerId: a.id }],
      ];
      for (const [what, input] of cases) {
        const err = await rejectsWith(
          owner.client.api.group.create.mutate(input as never),
          'BAD_REQUEST',
        );
        assert.ok(err.data.zodError, `${what}: zodError present`);
      }
    });

    test('without a token: UNAUTHORIZED', async () => {
      await rejectsWith(
        system.client().api.group.create.mutate({ name: 'x', memberIds: [unknownId()] }),
        'UNAUTHORIZED',
      );
    });
  });

  /** A group of owner + admin + member, and an outsider. */
  async function fixture() {
    const [owner, admin, member, outsider] = await users$(4);
    const created = await owner.client.api.group.create.mutate({
      name: 'fixture',
      memberIds: [admin.id, member.id],
    });
    const group = await owner.client.api.group.setRole.mutate({
      groupId: created.id,
      userId: admin.id,
      role: 'admin',
    });
    return { owner, admin, member, outsider, group };
  }

  describe('get', () => {
    test('an outsider, an unknown id and a non-ObjectId id: NOT_FOUND', async () => {
      const { outsider, owner, group } = await fixture();
      await rejectsWith(outsider.client.api.group.get.query({ groupId: group.id }), 'NOT_FOUND');
      await rejectsWith(owner.client.api.group.get.query({ groupId: unknownId() }), 'NOT_FOUND');
      await rejectsWith(owner.client.api.group.get.query({ groupId: 'a'.repeat(64) }), 'NOT_FOUND');
    });

    test('bad input: BAD_REQUEST; without a token: UNAUTHORIZED', async () => {
      const { owner, group } = await fixture();
      await rejectsWith(owner.client.api.group.get.query({ groupId: '' }), 'BAD_REQUEST');
      await rejectsWith(
        owner.client.api.group.get.query({ groupId: group.id, extra: 1 } as never),
        'BAD_REQUEST',
      );
      await rejectsWith(system.client().api.group.get.query({ groupId: group.id }), 'UNAUTHORIZED');
    });
  });

  describe('update', () => {
    test('the owner changes name, description and avatar; members and the conversation see it', async () => {
      const { owner, member, group } = await fixture();
      const updated = await owner.client.api.group.update.mutate({
        groupId: group.id,
        name: 'Renamed',
        description: 'New description',
        avatar: 'https://cdn.example.test/new.png',
      });
      assert.deepEqual(updated, {
        ...group,
        name: 'Renamed',
        description: 'New description',
        avatar: 'https://cdn.example.test/new.png',
      });
      assert.deepEqual(await member.client.api.group.get.query({ groupId: group.id }), updated);
      const conv = await chat.Conversation.findById(group.conversationId).lean();
      assert.equal(conv?.name, 'Renamed');
      assert.equal(conv?.avatar, 'https://cdn.example.test/new.png');
      const event = await eventFor(group.conversationId, (e) => e.reason === 'group_updated');
      assert.equal(event.actorId, owner.id);
      assert.deepEqual(event.conversation.group, {
        id: group.id,
        name: 'Renamed',
        avatar: 'https://cdn.example.test/new.png',
      });
      assert.deepEqual(event.addedUserIds, []);
    });

    test('an admin may update; only given fields change; avatar null clears it', async () => {
      const { owner, admin, group } = await fixture();
      await owner.client.api.group.update.mutate({
        groupId: group.id,
        avatar: 'https://cdn.example.test/a.png',
      });
      const updated = await admin.client.api.group.update.mutate({
        groupId: group.id,
        description: 'by admin',
        avatar: null,
      });
      assert.equal(updated.name, 'fixture');
      assert.equal(updated.description, 'by admin');
      assert.equal(updated.avatar, null);
      const conv = await chat.Conversation.findById(group.conversationId).lean();
      assert.equal(conv?.avatar, null);
    });

    test('the conversation view follows the new name (chat.conversation)', async () => {
      const { owner, member, group } = await fixture();
      await owner.client.api.group.update.mutate({ groupId: group.id, name: 'Followed' });
      const conv = await member.client.api.chat.conversation.query({
        conversationId: group.conversationId,
      });
      assert.deepEqual(conv.group, { id: group.id, name: 'Followed', avatar: null });
    });

    test('a member: FORBIDDEN; an outsider or unknown group: NOT_FOUND', async () => {
      const { owner, member, outsider, group } = await fixture();
      await rejectsWith(
        member.client.api.group.update.mutate({ groupId: group.id, name: 'no' }),
        'FORBIDDEN',
      );
      await rejectsWith(
        outsider.client.api.group.update.mutate({ groupId: group.id, name: 'no' }),
        'NOT_FOUND',
      );
      await rejectsWith(
        owner.client.api.group.update.mutate({ groupId: unknownId(), name: 'no' }),
        'NOT_FOUND',
      );
      assert.equal((await owner.client.api.group.get.query({ groupId: group.id })).name, 'fixture');
    });

    test('invalid input: BAD_REQUEST; without a token: UNAUTHORIZED', async () => {
      const { owner, group } = await fixture();
      const inputs: Record<string, unknown>[] = [
        { groupId: group.id, name: '' },
        { groupId: group.id, name: 'n'.repeat(101) },
        { groupId: group.id, description: 'd'.repeat(501) },
        { groupId: group.id, avatar: 'http://cdn.example.test/a.png' },
        { groupId: group.id, creatorId: owner.id },
      ];
      for (const input of inputs)
        await rejectsWith(owner.client.api.group.update.mutate(input as never), 'BAD_REQUEST');
      await rejectsWith(
        system.client().api.group.update.mutate({ groupId: group.id, name: 'x' }),
        'UNAUTHORIZED',
      );
    });
  });

  describe('addMembers', () => {
    test('adds new members with role member; already-members and duplicates are ignored', async () => {
      const { owner, admin, member, group } = await fixture();
      const [c, d] = await users$(2);
      const before = Date.now();
      const updated = await admin.client.api.group.addMembers.mutate({
        groupId: group.id,
        userIds: [member.id, c.id, d.id, c.id, owner.id],
      });
      assert.deepEqual(memberIds(updated), [...memberIds(group), c.id, d.id]);
      assert.equal(roles(updated)[c.id], 'member');
      const joined = updated.members.find((m) => m.userId === c.id)!.joinedAt;
      assert.ok(Date.parse(joined) >= before - 1000);

      // The new member sees the group and its conversation, with nothing unread.
      assert.deepEqual(await c.client.api.group.get.query({ groupId: group.id }), updated);
      const { conv, members, participants } = await stored(group.conversationId);
      assert.deepEqual(participants, memberIds(updated));
      assert.equal(conv?.memberCount, memberIds(updated).length);
      const joinedAt = members.find((m) => m.userId === c.id)!;
      assert.equal(joinedAt.readSeq, conv?.lastSeq, 'everything so far counts as read');

      const event = await eventFor(group.conversationId, (e) => e.reason === 'members_added');
      assert.deepEqual(event.addedUserIds, [c.id, d.id]);
      assert.equal(event.actorId, admin.id);
      assert.deepEqual(event.audience.sort(), memberIds(updated).sort());
    });

    test('the new member can read and write in the conversation', async () => {
      const { owner, group } = await fixture();
      const newcomer = await system.user();
      await owner.client.api.group.addMembers.mutate({ groupId: group.id, userIds: [newcomer.id] });
      const conv = await newcomer.client.api.chat.conversation.query({
        conversationId: group.conversationId,
      });
      assert.equal(conv.unreadCount, 0);
      const sent = await newcomer.client.api.chat.send.mutate({
        conversationId: group.conversationId,
        clientId: randomUUID(),
        content: 'hello all',
      });
      assert.equal(sent.senderId, newcomer.id);
    });

    test('only already-members: the group unchanged', async () => {
      const { owner, member, group } = await fixture();
      const same = await owner.client.api.group.addMembers.mutate({
        groupId: group.id,
        userIds: [member.id],
      });
      assert.deepEqual(same, group);
    });

    test('unknown users: NOT_FOUND and nobody is added', async () => {
      const { owner, group } = await fixture();
      const c = await system.user();
      await rejectsWith(
        owner.client.api.group.addMembers.mutate({
          groupId: group.id,
          userIds: [c.id, unknownId()],
        }),
        'NOT_FOUND',
      );
      assert.deepEqual(await owner.client.api.group.get.query({ groupId: group.id }), group);
    });

    test('a group grows past 256, 255 ids a call, to 10,000 members; one more: BAD_REQUEST', async () => {
      const { owner, member, group } = await fixture(); // 3 members
      const ids = await bulkUserIds(MAX_GROUP_MEMBERS - 3);
      let current = group;
      for (let i = 0; i < ids.length; i += 255)
        current = await owner.client.api.group.addMembers.mutate({
          groupId: group.id,
          userIds: ids.slice(i, i + 255),
        });
      assert.equal(current.members.length, MAX_GROUP_MEMBERS);
      const [extra] = await bulkUserIds(1);
      await rejectsWith(
        owner.client.api.group.addMembers.mutate({ groupId: group.id, userIds: [extra!] }),
        'BAD_REQUEST',
      );
      // Everyone in it can still talk; the conversation lists every participant.
      const sent = await member.client.api.chat.send.mutate({
        conversationId: group.conversationId,
        clientId: randomUUID(),
        content: 'hello, ten thousand',
      });
      assert.equal(sent.status, 'sent');
      const conv = await owner.client.api.chat.conversation.query({
        conversationId: group.conversationId,
      });
      assert.equal(conv.participants.length, MAX_GROUP_MEMBERS);
      assert.equal(conv.unreadCount, 1);
    });

    test('a member: FORBIDDEN; an outsider: NOT_FOUND', async () => {
      const { member, outsider, group } = await fixture();
      const c = await system.user();
      await rejectsWith(
        member.client.api.group.addMembers.mutate({ groupId: group.id, userIds: [c.id] }),
        'FORBIDDEN',
      );
      await rejectsWith(
        outsider.client.api.group.addMembers.mutate({ groupId: group.id, userIds: [c.id] }),
        'NOT_FOUND',
      );
    });

    test('invalid input: BAD_REQUEST; without a token: UNAUTHORIZED', async () => {
      const { owner, group } = await fixture();
      await rejectsWith(
        owner.client.api.group.addMembers.mutate({ groupId: group.id, userIds: [] }),
        'BAD_REQUEST',
      );
      await rejectsWith(
        owner.client.api.group.addMembers.mutate({
          groupId: group.id,
          userIds: Array.from({ length: 256 }, () => unknownId()),
        }),
        'BAD_REQUEST',
      );
      await rejectsWith(
        system.client().api.group.addMembers.mutate({ groupId: group.id, userIds: [unknownId()] }),
        'UNAUTHORIZED',
      );
    });
  });

  describe('removeMember', () => {
    test('an admin removes a member; the removed one loses access at once', async () => {
      const { owner, admin, member, group } = await fixture();
      const sent = await owner.client.api.chat.send.mutate({
        conversationId: group.conversationId,
        clientId: randomUUID(),
        content: 'before removal',
      });
      const updated = await admin.client.api.group.removeMember.mutate({
        groupId: group.id,
        userId: member.id,
      });
      assert.deepEqual(memberIds(updated), [owner.id, admin.id]);

      await rejectsWith(member.client.api.group.get.query({ groupId: group.id }), 'NOT_FOUND');
      await rejectsWith(
        member.client.api.chat.conversation.query({ conversationId: group.conversationId }),
        'NOT_FOUND',
      );
      await rejectsWith(
        member.client.api.chat.messages.query({ conversationId: group.conversationId }),
        'NOT_FOUND',
      );
      await rejectsWith(
        member.client.api.chat.send.mutate({
          conversationId: group.conversationId,
          clientId: randomUUID(),
          content: 'still here?',
        }),
        'NOT_FOUND',
      );
      await rejectsWith(
        member.client.api.chat.markRead.mutate({
          conversationId: group.conversationId,
          upToMessageId: sent.id,
        }),
        'NOT_FOUND',
      );
      const { participants } = await stored(group.conversationId);
      assert.deepEqual(participants, [owner.id, admin.id], "the removed member's state is gone");

      const event = await eventFor(group.conversationId, (e) => e.reason === 'member_removed');
      assert.deepEqual(event.audience.sort(), [owner.id, admin.id, member.id].sort());
      assert.deepEqual(event.conversation.participants, [owner.id, admin.id]);
      assert.equal(event.actorId, admin.id);
    });

    test('the owner removes an admin', async () => {
      const { owner, admin, member, group } = await fixture();
      const updated = await owner.client.api.group.removeMember.mutate({
        groupId: group.id,
        userId: admin.id,
      });
      assert.deepEqual(memberIds(updated), [owner.id, member.id]);
    });

    test('nobody removes the owner: FORBIDDEN (neither an admin nor the owner)', async () => {
      const { owner, admin, group } = await fixture();
      await rejectsWith(
        admin.client.api.group.removeMember.mutate({ groupId: group.id, userId: owner.id }),
        'FORBIDDEN',
      );
      await rejectsWith(
        owner.client.api.group.removeMember.mutate({ groupId: group.id, userId: owner.id }),
        'FORBIDDEN',
      );
    });

    test('a target who is not a member: NOT_FOUND; a member caller: FORBIDDEN; an outsider: NOT_FOUND', async () => {
      const { owner, admin, member, outsider, group } = await fixture();
      await rejectsWith(
        owner.client.api.group.removeMember.mutate({ groupId: group.id, userId: outsider.id }),
        'NOT_FOUND',
      );
      await rejectsWith(
        member.client.api.group.removeMember.mutate({ groupId: group.id, userId: admin.id }),
        'FORBIDDEN',
      );
      await rejectsWith(
        outsider.client.api.group.removeMember.mutate({ groupId: group.id, userId: member.id }),
        'NOT_FOUND',
      );
    });

    test('invalid input: BAD_REQUEST; without a token: UNAUTHORIZED', async () => {
      const { owner, member, group } = await fixture();
      await rejectsWith(
        owner.client.api.group.removeMember.mutate({ groupId: group.id, userId: '' }),
        'BAD_REQUEST',
      );
      await rejectsWith(
        system.client().api.group.removeMember.mutate({ groupId: group.id, userId: member.id }),
        'UNAUTHORIZED',
      );
    });
  });

  describe('setRole', () => {
    test('the owner promotes and demotes', async () => {
      const { owner, member, group } = await fixture();
      const promoted = await owner.client.api.group.setRole.mutate({
        groupId: group.id,
        userId: member.id,
        role: 'admin',
      });
      assert.equal(roles(promoted)[member.id], 'admin');
      const event = await eventFor(group.conversationId, (e) => e.reason === 'role_changed');
      assert.equal(event.actorId, owner.id);
      const demoted = await owner.client.api.group.setRole.mutate({
        groupId: group.id,
        userId: member.id,
        role: 'member',
      });
      assert.equal(roles(demoted)[member.id], 'member');
      assert.deepEqual(memberIds(demoted), memberIds(group), 'order and membership unchanged');
    });

    test("the owner's own role can't be changed: FORBIDDEN", async () => {
      const { owner, group } = await fixture();
      await rejectsWith(
        owner.client.api.group.setRole.mutate({
          groupId: group.id,
          userId: owner.id,
          role: 'admin',
        }),
        'FORBIDDEN',
      );
      assert.equal(
        roles(await owner.client.api.group.get.query({ groupId: group.id }))[owner.id],
        'owner',
      );
    });

    test('an admin or member: FORBIDDEN; an outsider: NOT_FOUND; a non-member target: NOT_FOUND', async () => {
      const { owner, admin, member, outsider, group } = await fixture();
      await rejectsWith(
        admin.client.api.group.setRole.mutate({
          groupId: group.id,
          userId: member.id,
          role: 'admin',
        }),
        'FORBIDDEN',
      );
      await rejectsWith(
        member.client.api.group.setRole.mutate({
          groupId: group.id,
          userId: member.id,
          role: 'admin',
        }),
        'FORBIDDEN',
      );
      await rejectsWith(
        outsider.client.api.group.setRole.mutate({
          groupId: group.id,
          userId: member.id,
          role: 'admin',
        }),
        'NOT_FOUND',
      );
      await rejectsWith(
        owner.client.api.group.setRole.mutate({
          groupId: group.id,
          userId: outsider.id,
          role: 'admin',
        }),
        'NOT_FOUND',
      );
    });

    test("invalid input (role 'owner'): BAD_REQUEST; without a token: UNAUTHORIZED", async () => {
      const { owner, member, group } = await fixture();
      await rejectsWith(
        owner.client.api.group.setRole.mutate({
          groupId: group.id,
          userId: member.id,
          role: 'owner' as never,
        }),
        'BAD_REQUEST',
      );
      await rejectsWith(
        system
          .client()
          .api.group.setRole.mutate({ groupId: group.id, userId: member.id, role: 'admin' }),
        'UNAUTHORIZED',
      );
    });
  });

  describe('leave', () => {
    test('a member leaves: gone from the group and the conversation', async () => {
      const { owner, member, group } = await fixture();
      assert.deepEqual(await member.client.api.group.leave.mutate({ groupId: group.id }), {
        ok: true,
      });
      await rejectsWith(member.client.api.group.get.query({ groupId: group.id }), 'NOT_FOUND');
      const now = await owner.client.api.group.get.query({ groupId: group.id });
      assert.equal(
        now.members.some((m) => m.userId === member.id),
        false,
      );
      const { participants } = await stored(group.conversationId);
      assert.equal(participants.includes(member.id), false);
      const event = await eventFor(group.conversationId, (e) => e.reason === 'member_left');
      assert.equal(event.actorId, member.id);
      assert.ok(event.audience.includes(member.id), 'the leaver hears about it too');
    });

    test('the owner leaves: the longest-standing admin becomes owner (over older members)', async () => {
      const [owner, m1, m2, m3] = await users$(4);
      const g = await owner.client.api.group.create.mutate({ name: 'h', memberIds: [m1.id] });
      await owner.client.api.group.addMembers.mutate({ groupId: g.id, userIds: [m2.id] });
      await sleep(5);
      await owner.client.api.group.addMembers.mutate({ groupId: g.id, userIds: [m3.id] });
      // m3 was promoted first, but m2 joined earlier: m2 is the longest-standing admin.
      await owner.client.api.group.setRole.mutate({
        groupId: g.id,
        userId: m3.id,
        role: 'admin',
      });
      await owner.client.api.group.setRole.mutate({
        groupId: g.id,
        userId: m2.id,
        role: 'admin',
      });
      await owner.client.api.group.leave.mutate({ groupId: g.id });
      const after = await m1.client.api.group.get.query({ groupId: g.id });
      assert.deepEqual(roles(after), { [m1.id]: 'member', [m2.id]: 'owner', [m3.id]: 'admin' });
      // The new owner has the owner's powers.
      await m2.client.api.group.setRole.mutate({ groupId: g.id, userId: m1.id, role: 'admin' });
    });

    test('the owner leaves with no admin: the longest-standing member becomes owner', async () => {
      const [owner, m1, m2] = await users$(3);
      const g = await owner.client.api.group.create.mutate({ name: 'h', memberIds: [m1.id] });
      await sleep(5);
      await owner.client.api.group.addMembers.mutate({ groupId: g.id, userIds: [m2.id] });
      await owner.client.api.group.leave.mutate({ groupId: g.id });
      const after = await m2.client.api.group.get.query({ groupId: g.id });
      assert.deepEqual(roles(after), { [m1.id]: 'owner', [m2.id]: 'member' });
    });

    test('the last member leaving deletes the group, its conversation and its messages', async () => {
      const [owner, a] = await users$(2);
      const g = await owner.client.api.group.create.mutate({ name: 'end', memberIds: [a.id] });
      await owner.client.api.chat.send.mutate({
        conversationId: g.conversationId,
        clientId: randomUUID(),
        content: 'bye',
      });
      await a.client.api.group.leave.mutate({ groupId: g.id });
      await owner.client.api.group.leave.mutate({ groupId: g.id });
      await rejectsWith(owner.client.api.group.get.query({ groupId: g.id }), 'NOT_FOUND');
      assert.equal(await chat.Conversation.countDocuments({ _id: g.conversationId }), 0);
      assert.equal(await chat.Member.countDocuments({ conversationId: g.conversationId }), 0);
      assert.equal(await chat.Message.countDocuments({ conversationId: g.conversationId }), 0);
    });

    test('an outsider or unknown group: NOT_FOUND; leaving twice: NOT_FOUND', async () => {
      const { member, outsider, group } = await fixture();
      await rejectsWith(outsider.client.api.group.leave.mutate({ groupId: group.id }), 'NOT_FOUND');
      await rejectsWith(
        member.client.api.group.leave.mutate({ groupId: unknownId() }),
        'NOT_FOUND',
      );
      await member.client.api.group.leave.mutate({ groupId: group.id });
      await rejectsWith(member.client.api.group.leave.mutate({ groupId: group.id }), 'NOT_FOUND');
    });

    test('without a token: UNAUTHORIZED', async () => {
      await rejectsWith(
        system.client().api.group.leave.mutate({ groupId: unknownId() }),
        'UNAUTHORIZED',
      );
    });
  });

  describe('concurrency', () => {
    test('a removal racing sends: the removed member stays removed, every send lands', async () => {
      const { owner, admin, member, group } = await fixture();
      const sends = Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? owner : admin).client.api.chat.send.mutate({
          conversationId: group.conversationId,
          clientId: randomUUID(),
          content: `racing ${i}`,
        }),
      );
      const removal = owner.client.api.group.removeMember.mutate({
        groupId: group.id,
        userId: member.id,
      });
      await Promise.all([...sends, removal]);
      assert.deepEqual((await stored(group.conversationId)).participants, [owner.id, admin.id]);
      await rejectsWith(
        member.client.api.chat.messages.query({ conversationId: group.conversationId }),
        'NOT_FOUND',
      );
      const page = await owner.client.api.chat.messages.query({
        conversationId: group.conversationId,
      });
      assert.equal(page.items.length, 10);
    });

    test('concurrent member changes all land (optimistic retries), conversation in step', async () => {
      const { owner, admin, group } = await fixture();
      const newcomers = await users$(6);
      await Promise.all(
        newcomers.map((u, i) =>
          (i % 2 ? owner : admin).client.api.group.addMembers.mutate({
            groupId: group.id,
            userIds: [u.id],
          }),
        ),
      );
      const after = await owner.client.api.group.get.query({ groupId: group.id });
      assert.deepEqual(
        memberIds(after).sort(),
        [...memberIds(group), ...newcomers.map((u) => u.id)].sort(),
      );
      const { conv, participants } = await stored(group.conversationId);
      assert.deepEqual(participants, memberIds(after));
      assert.equal(conv?.memberCount, participants.length);
    });
  });
});
