import { AppError } from '@chat/core';
import { requireUserId, type MessageStatusUpdatedEvent, type RpcHandlers } from '@chat/api';
import type { ChatDeps } from './deps.js';
import { isObjectId, loadConversationMessage, loadMemberConversation } from './access.js';
import { publishMessageSent } from './events.js';
import { withConversationLock } from './lock.js';
import { advanceReadUpTo, recomputeUnread, repairPending } from './unread.js';

type Handlers = Pick<RpcHandlers<'chat'>, 'chat.markDelivered' | 'chat.markRead'>;

export const receiptHandlers = (deps: ChatDeps): Handlers => {
  const { models, bus } = deps;

  return {
    'chat.markDelivered': async (input, meta) => {
      const me = requireUserId(meta);
      const ids = [...new Set(input.messageIds)];
      const notFound = () => new AppError('NOT_FOUND', 'Message not found');
      const result = await withConversationLock(deps.redis, input.conversationId, async () => {
        const conversation = await loadMemberConversation(models, input.conversationId, me);
        const conversationId = conversation._id.toString();
        if (!ids.every(isObjectId)) throw notFound();
        const rows = await models.Message.find(
          { _id: { $in: ids }, conversationId },
          { _id: 1, senderId: 1, deliveredTo: 1 },
        ).lean<{ _id: { toString(): string }; senderId: string; deliveredTo?: string[] }[]>();
        // Every id must be a message of this conversation: no partial success, no probing.
        if (rows.length !== ids.length) throw notFound();
        const changing = rows
          .filter((r) => r.senderId !== me && !(r.deliveredTo ?? []).includes(me))
          .map((r) => r._id.toString());
        if (changing.length === 0) return { conversation, changing, updated: 0 };
        const res = await models.Message.updateMany(
          { _id: { $in: changing }, conversationId, deliveredTo: { $ne: me } },
          { $addToSet: { deliveredTo: me } },
        );
        return { conversation, changing, updated: res.modifiedCount };
      });
      if (result.updated > 0) {
        const event: MessageStatusUpdatedEvent = {
          conversationId: result.conversation._id.toString(),
          messageIds: result.changing,
          userId: me,
          status: 'delivered',
          at: new Date().toISOString(),
          participants: [...result.conversation.participants],
        };
        await bus.publish('chat_events', 'message.status.updated', event, meta);
      }
      return { updated: result.updated };
    },

    'chat.markRead': async (input, meta) => {
      const me = requireUserId(meta);
      const at = new Date();
      const result = await withConversationLock(deps.redis, input.conversationId, async () => {
        const conversation = await loadMemberConversation(models, input.conversationId, me);
        const conversationId = conversation._id.toString();
        const upTo = await loadConversationMessage(models, conversationId, input.upToMessageId);
        const repaired = await repairPending(models, conversation);
        const unread = {
          conversationId,
          seq: { $lte: upTo.seq },
          senderId: { $ne: me },
          readers: { $ne: me },
        };
        const ids = (
          await models.Message.find(unread, { _id: 1 }).lean<{ _id: { toString(): string } }[]>()
        ).map((r) => r._id.toString());
        let updated = 0;
        if (ids.length > 0) {
          // `readers: {$ne: me}` in the same update keeps `readBy` free of duplicates.
          const res = await models.Message.updateMany(
            { ...unread, _id: { $in: ids } },
            {
              $addToSet: { readers: me, deliveredTo: me },
              $push: { readBy: { userId: me, readAt: at } },
            },
          );
          updated = res.modifiedCount;
        }
        await advanceReadUpTo(models, conversationId, me, upTo.seq);
        await recomputeUnread(models, conversationId, me);
        return { conversation, ids, updated, repaired };
      });
      // Sends a crash interrupted, finished here: announce them (consumers dedupe by id).
      for (const m of result.repaired) await publishMessageSent(deps, result.conversation, m, meta);
      if (result.updated > 0) {
        const event: MessageStatusUpdatedEvent = {
          conversationId: result.conversation._id.toString(),
          messageIds: result.ids,
          userId: me,
          status: 'read',
          at: at.toISOString(),
          participants: [...result.conversation.participants],
        };
        await bus.publish('chat_events', 'message.status.updated', event, meta);
      }
      return { updated: result.updated };
    },
  };
};
