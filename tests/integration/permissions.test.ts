import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Group, Message } from '@chat/api';
import { TestSystem, type TestUser } from '../support/system.js';
import { rejectsWith } from '../support/errors.js';

/**
 * Who may call what: every procedure that takes a conversation, message or group id,
 * for each kind of caller. Outsiders get NOT_FOUND (existence is never revealed);
 * members lacking a permission get FORBIDDEN.
 */

type Role = 'outsider' | 'member' | 'admin' | 'owner';
type Outcome = 'ok' | 'NOT_FOUND' | 'FORBIDDEN';

/** A group (owner, admin, member, plus `target`: a plain member to act on) and an outsider. */
interface GroupFixture {
  users: Record<Role, TestUser>;
  target: TestUser;
  /** Someone registered who is in no conversation yet (to add). */
  newcomer: TestUser;
  group: Group;
  /** A message from `target` in the group (others can mark it delivered/read). */
  message: Message;
  /** A message in a direct conversation between owner and member, not in this group. */
  foreign: Message;
}

/** One row's call: as `caller`, against the fixture. */
type Call = (caller: TestUser, f: GroupFixture) => Promise<unknown>;

const ROLES: Role[] = ['outsider', 'member', 'admin', 'owner'];

const groupRows: [string, Call, Record<Role, Outcome>][] = [
  [
    'chat.conversation',
    (u, f) => u.client.api.chat.conversation.query({ conversationId: f.group.conversationId }),
    { outsider: 'NOT_FOUND', member: 'ok', admin: 'ok', owner: 'ok' },
  ],
  [
    'chat.messages',
    (u, f) => u.client.api.chat.messages.query({ conversationId: f.group.conversationId }),
    { outsider: 'NOT_FOUND', member: 'ok', admin: 'ok', owner: 'ok' },
  ],
  [
    'chat.send',
    (u, f) =>
      u.client.api.chat.send.mutate({
        conversationId: f.group.conversationId,
        clientId: randomUUID(),
        content: 'hello',
      }),
    { outsider: 'NOT_FOUND', member: 'ok', admin: 'ok', owner: 'ok' },
  ],
  [
    'chat.markDelivered',
    (u, f) =>
      u.client.api.chat.markDelivered.mutate({
        conversationId: f.group.conversationId,
        messageIds: [f.message.id],
      }),
    { outsider: 'NOT_FOUND', member: 'ok', admin: 'ok', owner: 'ok' },
  ],
  [
    'chat.markDelivered with a message of another conversation',
    (u, f) =>
      u.client.api.chat.markDelivered.mutate({
        conversationId: f.group.conversationId,
        messageIds: [f.foreign.id],
      }),
    { outsider: 'NOT_FOUND', member: 'NOT_FOUND', admin: 'NOT_FOUND', owner: 'NOT_FOUND' },
  ],
  [
    'chat.markRead',
    (u, f) =>
      u.client.api.chat.markRead.mutate({
        conversationId: f.group.conversationId,
        upToMessageId: f.message.id,
      }),
    { outsider: 'NOT_FOUND', member: 'ok', admin: 'ok', owner: 'ok' },
  ],
  [
    'chat.markRead with a message of another conversation',
    (u, f) =>
      u.client.api.chat.markRead.mutate({
        conversationId: f.group.conversationId,
        upToMessageId: f.foreign.id,
      }),
    { outsider: 'NOT_FOUND', member: 'NOT_FOUND', admin: 'NOT_FOUND', owner: 'NOT_FOUND' },
  ],
  [
    'chat.deleteForMe',
    (u, f) => u.client.api.chat.deleteForMe.mutate({ messageId: f.message.id }),
    { outsider: 'NOT_FOUND', member: 'ok', admin: 'ok', owner: 'ok' },
  ],
  [
    'chat.typing',
    (u, f) =>
      u.client.api.chat.typing.mutate({ conversationId: f.group.conversationId, isTyping: true }),
    { outsider: 'NOT_FOUND', member: 'ok', admin: 'ok', owner: 'ok' },
  ],
  [
    'group.get',
    (u, f) => u.client.api.group.get.query({ groupId: f.group.id }),
    { outsider: 'NOT_FOUND', member: 'ok', admin: 'ok', owner: 'ok' },
  ],
  [
    'group.update',
    (u, f) => u.client.api.group.update.mutate({ groupId: f.group.id, name: 'renamed' }),
    { outsider: 'NOT_FOUND', member: 'FORBIDDEN', admin: 'ok', owner: 'ok' },
  ],
  [
    'group.addMembers',
    (u, f) =>
      u.client.api.group.addMembers.mutate({ groupId: f.group.id, userIds: [f.newcomer.id] }),
    { outsider: 'NOT_FOUND', member: 'FORBIDDEN', admin: 'ok', owner: 'ok' },
  ],
  [
    'group.removeMember (a member)',
    (u, f) => u.client.api.group.removeMember.mutate({ groupId: f.group.id, userId: f.target.id }),
    { outsider: 'NOT_FOUND', member: 'FORBIDDEN', admin: 'ok', owner: 'ok' },
  ],
  [
    'group.removeMember (an admin)',
    (u, f) =>
      u.client.api.group.removeMember.mutate({ groupId: f.group.id, userId: f.users.admin.id }),
    // The admin row removes itself: allowed (like leaving).
    { outsider: 'NOT_FOUND', member: 'FORBIDDEN', admin: 'ok', owner: 'ok' },
  ],
  [
    'group.removeMember (the owner)',
    (u, f) =>
      u.client.api.group.removeMember.mutate({ groupId: f.group.id, userId: f.users.owner.id }),
    { outsider: 'NOT_FOUND', member: 'FORBIDDEN', admin: 'FORBIDDEN', owner: 'FORBIDDEN' },
  ],
  [
    'group.setRole (a member → admin)',
    (u, f) =>
      u.client.api.group.setRole.mutate({
        groupId: f.group.id,
        userId: f.target.id,
        role: 'admin',
      }),
    { outsider: 'NOT_FOUND', member: 'FORBIDDEN', admin: 'FORBIDDEN', owner: 'ok' },
  ],
  [
    'group.setRole (the owner → member)',
    (u, f) =>
      u.client.api.group.setRole.mutate({
        groupId: f.group.id,
        userId: f.users.owner.id,
        role: 'member',
      }),
    { outsider: 'NOT_FOUND', member: 'FORBIDDEN', admin: 'FORBIDDEN', owner: 'FORBIDDEN' },
  ],
  [
    'group.leave',
    (u, f) => u.client.api.group.leave.mutate({ groupId: f.group.id }),
    { outsider: 'NOT_FOUND', member: 'ok', admin: 'ok', owner: 'ok' },
  ],
];

/** A direct conversation between two participants, and an outsider. */
interface DirectFixture {
  users: Record<'participant' | 'outsider', TestUser>;
  conversationId: string;
  /** A message from the other participant. */
  message: Message;
}

type DirectCall = (caller: TestUser, f: DirectFixture) => Promise<unknown>;

const directRows: [string, DirectCall][] = [
  [
    'chat.conversation',
    (u, f) => u.client.api.chat.conversation.query({ conversationId: f.conversationId }),
  ],
  [
    'chat.messages',
    (u, f) => u.client.api.chat.messages.query({ conversationId: f.conversationId }),
  ],
  [
    'chat.send',
    (u, f) =>
      u.client.api.chat.send.mutate({
        conversationId: f.conversationId,
        clientId: randomUUID(),
        content: 'hi',
      }),
  ],
  [
    'chat.markDelivered',
    (u, f) =>
      u.client.api.chat.markDelivered.mutate({
        conversationId: f.conversationId,
        messageIds: [f.message.id],
      }),
  ],
  [
    'chat.markRead',
    (u, f) =>
      u.client.api.chat.markRead.mutate({
        conversationId: f.conversationId,
        upToMessageId: f.message.id,
      }),
  ],
  ['chat.deleteForMe', (u, f) => u.client.api.chat.deleteForMe.mutate({ messageId: f.message.id })],
  [
    'chat.typing',
    (u, f) => u.client.api.chat.typing.mutate({ conversationId: f.conversationId, isTyping: true }),
  ],
];

async function expectOutcome(call: Promise<unknown>, expected: Outcome): Promise<void> {
  if (expected === 'ok') await call;
  else await rejectsWith(call, expected);
}

describe('permissions', () => {
  let system: TestSystem;
  before(async () => {
    system = await TestSystem.start({ workers: ['auth', 'user', 'chat'] });
  });
  after(() => system.stop());

  /** Fresh users and a fresh group for every row: many rows change the group. */
  async function groupFixture(): Promise<GroupFixture> {
    const [owner, admin, member, outsider, target, newcomer] = await Promise.all(
      Array.from({ length: 6 }, () => system.user()),
    );
    const created = await owner!.client.api.group.create.mutate({
      name: 'permissions',
      memberIds: [admin!.id, member!.id, target!.id],
    });
    const group = await owner!.client.api.group.setRole.mutate({
      groupId: created.id,
      userId: admin!.id,
      role: 'admin',
    });
    const message = await target!.client.api.chat.send.mutate({
      conversationId: group.conversationId,
      clientId: randomUUID(),
      content: 'from the target',
    });
    const direct = await owner!.client.api.chat.openDirect.mutate({ userId: member!.id });
    const foreign = await member!.client.api.chat.send.mutate({
      conversationId: direct.id,
      clientId: randomUUID(),
      content: 'elsewhere',
    });
    return {
      users: { owner: owner!, admin: admin!, member: member!, outsider: outsider! },
      target: target!,
      newcomer: newcomer!,
      group,
      message,
      foreign,
    };
  }

  async function directFixture(): Promise<DirectFixture> {
    const [participant, other, outsider] = await Promise.all(
      Array.from({ length: 3 }, () => system.user()),
    );
    const conversation = await participant!.client.api.chat.openDirect.mutate({
      userId: other!.id,
    });
    const message = await other!.client.api.chat.send.mutate({
      conversationId: conversation.id,
      clientId: randomUUID(),
      content: 'direct',
    });
    return {
      users: { participant: participant!, outsider: outsider! },
      conversationId: conversation.id,
      message,
    };
  }

  // Rows are independent (fresh fixtures), so they run side by side.
  describe('group conversation: procedure × caller role', { concurrency: 8 }, () => {
    for (const [procedure, call, expected] of groupRows) {
      for (const role of ROLES) {
        test(`${procedure} as ${role} → ${expected[role]}`, async () => {
          const f = await groupFixture();
          await expectOutcome(call(f.users[role], f), expected[role]);
        });
      }
    }

    test('a refused call changes nothing', async () => {
      const f = await groupFixture();
      const before = await f.users.owner.client.api.group.get.query({ groupId: f.group.id });
      for (const [, call, expected] of groupRows)
        for (const role of ROLES)
          if (expected[role] !== 'ok') await expectOutcome(call(f.users[role], f), expected[role]);
      assert.deepEqual(
        await f.users.owner.client.api.group.get.query({ groupId: f.group.id }),
        before,
      );
    });
  });

  describe('direct conversation: procedure × caller', { concurrency: 8 }, () => {
    for (const [procedure, call] of directRows) {
      test(`${procedure} as outsider → NOT_FOUND`, async () => {
        const f = await directFixture();
        await rejectsWith(call(f.users.outsider, f), 'NOT_FOUND');
      });
      test(`${procedure} as participant → ok`, async () => {
        const f = await directFixture();
        await call(f.users.participant, f);
      });
    }
  });

  describe('unknown ids', () => {
    const unknown = '0123456789abcdef01234567';
    test('every procedure answers NOT_FOUND for an id that names nothing', async () => {
      const u = await system.user();
      const api = u.client.api;
      await rejectsWith(api.chat.conversation.query({ conversationId: unknown }), 'NOT_FOUND');
      await rejectsWith(api.chat.messages.query({ conversationId: unknown }), 'NOT_FOUND');
      await rejectsWith(
        api.chat.send.mutate({ conversationId: unknown, clientId: randomUUID(), content: 'x' }),
        'NOT_FOUND',
      );
      await rejectsWith(
        api.chat.markDelivered.mutate({ conversationId: unknown, messageIds: [unknown] }),
        'NOT_FOUND',
      );
      await rejectsWith(
        api.chat.markRead.mutate({ conversationId: unknown, upToMessageId: unknown }),
        'NOT_FOUND',
      );
      await rejectsWith(api.chat.deleteForMe.mutate({ messageId: unknown }), 'NOT_FOUND');
      await rejectsWith(
        api.chat.typing.mutate({ conversationId: unknown, isTyping: true }),
        'NOT_FOUND',
      );
      await rejectsWith(api.group.get.query({ groupId: unknown }), 'NOT_FOUND');
      await rejectsWith(api.group.update.mutate({ groupId: unknown, name: 'x' }), 'NOT_FOUND');
      await rejectsWith(
        api.group.addMembers.mutate({ groupId: unknown, userIds: [unknown] }),
        'NOT_FOUND',
      );
      await rejectsWith(
        api.group.removeMember.mutate({ groupId: unknown, userId: u.id }),
        'NOT_FOUND',
      );
      await rejectsWith(
        api.group.setRole.mutate({ groupId: unknown, userId: u.id, role: 'admin' }),
        'NOT_FOUND',
      );
      await rejectsWith(api.group.leave.mutate({ groupId: unknown }), 'NOT_FOUND');
    });
  });
});
