import { AppError, type RequestMeta } from '@chat/core';
import { isDuplicateKeyError } from '@chat/db';
import { requireUserId, type ConversationUpdatedEvent, type RpcHandlers } from '@chat/api';
import type { ChatDeps } from './deps.js';
import { loadMemberConversation } from './access.js';
import { withConversationLock } from './lock.js';
import { decodeActivityCursor, encodeActivityCursor } from './cursors.js';
import { conversationState, toConversation, type ConversationRow } from './views.js';

type Handlers = Pick<
  RpcHandlers<'chat'>,
  'chat.openDirect' | 'chat.conversations' | 'chat.conversation' | 'chat.contactsOf'
>;

/** The unique key of the direct conversation of two users, whoever asks. */
export const directKey = (a: string, b: string): string => `direct:${[a, b].sort().join(':')}`;

export const conversationHandlers = (deps: ChatDeps): Handlers => {
  const { models, bus, env } = deps;

  async function assertUserExists(userId: string, meta: RequestMeta): Promise<void> {
    const out = (await bus.call(
      'user',
      'user.existing',
      { userIds: [userId] },
      meta,
      env.RPC_TIMEOUT_MS,
    )) as { userIds: string[] };
    if (!out.userIds.includes(userId)) throw new AppError('NOT_FOUND', 'User not found');
  }

  return {
    'chat.openDirect': async (input, meta) => {
      const me = requireUserId(meta);
      if (input.userId === me)
        throw new AppError('BAD_REQUEST', 'A direct conversation needs another user');
      await assertUserExists(input.userId, meta);
      const key = directKey(me, input.userId);
      let row = await models.Conversation.findOne({ key }).lean<ConversationRow>();
      if (!row) {
        const now = new Date();
        try {
          // One document per pair: the unique `key` turns concurrent opens into one insert.
          await models.Conversation.updateOne(
            { key },
            {
              $setOnInsert: {
                type: 'direct',
                key,
                participants: [me, input.userId].sort(),
                groupId: null,
                groupName: null,
                groupAvatar: null,
                seq: 0,
                lastSeq: 0,
                lastMessage: null,
                unread: {},
                readUpTo: {},
                pendingSeqs: [],
                announced: false,
                createdAt: now,
                updatedAt: now,
              },
            },
            { upsert: true },
          );
        } catch (err) {
          // The concurrent open inserted it: the same conversation, so success.
          if (!isDuplicateKeyError(err)) throw err;
        }
        row = await models.Conversation.findOne({ key }).lean<ConversationRow>();
        if (!row) throw new Error(`conversation ${key} missing after upsert`);
      }
      if (row.announced === false) {
        const conversation = row;
        // Published until recorded, so a crash between the two re-announces on the next open.
        const event: ConversationUpdatedEvent = {
          conversation: conversationState(conversation),
          audience: [...conversation.participants],
          reason: 'created',
          addedUserIds: [],
          actorId: me,
        };
        await bus.publish('chat_events', 'conversation.updated', event, meta);
        await withConversationLock(deps.redis, conversation._id.toString(), () =>
          models.Conversation.updateOne(
            { _id: conversation._id, announced: false },
            { $set: { announced: true } },
          ),
        );
      }
      return toConversation(row, me);
    },

    'chat.conversations': async (input, meta) => {
      const me = requireUserId(meta);
      const after = input.cursor === undefined ? null : decodeActivityCursor(input.cursor);
      const rows = await models.Conversation.find({
        participants: me,
        ...(after
          ? {
              $or: [
                { updatedAt: { $lt: after.updatedAt } },
                { updatedAt: after.updatedAt, _id: { $lt: after.id } },
              ],
            }
          : {}),
      })
        .sort({ updatedAt: -1, _id: -1 })
        .limit(input.limit + 1)
        .lean<ConversationRow[]>();
      const page = rows.slice(0, input.limit);
      const last = page.at(-1);
      return {
        items: page.map((r) => toConversation(r, me)),
        nextCursor:
          rows.length > input.limit && last
            ? encodeActivityCursor(last.updatedAt, last._id.toString())
            : null,
      };
    },

    'chat.conversation': async (input, meta) => {
      const me = requireUserId(meta);
      return toConversation(await loadMemberConversation(models, input.conversationId, me), me);
    },

    'chat.contactsOf': async (input) => {
      const rows = await models.Conversation.find(
        { participants: input.userId },
        { participants: 1 },
      ).lean<{ participants: string[] }[]>();
      const contacts = new Set(rows.flatMap((r) => r.participants));
      contacts.delete(input.userId);
      return { userIds: [...contacts] };
    },
  };
};
