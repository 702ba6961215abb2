import { AppError, type RequestMeta } from '@chat/core';
import { isDuplicateKeyError } from '@chat/db';
import {
  requireUserId,
  type MessageDeletedEvent,
  type RpcHandlers,
  type SendInput,
} from '@chat/api';
import type { ChatDeps } from './deps.js';
import { isObjectId, loadMemberConversation } from './access.js';
import { decodeSeqCursor, encodeSeqCursor } from './cursors.js';
import { publishMessageSent } from './events.js';
import { withConversationLock } from './lock.js';
import { applySend, recomputeUnread, releaseSeq, repairPending, reserveSeq } from './unread.js';
import { toMessage, type ConversationRow, type MessageRow } from './views.js';

type Handlers = Pick<RpcHandlers<'chat'>, 'chat.send' | 'chat.messages' | 'chat.deleteForMe'>;

export const messageHandlers = (deps: ChatDeps): Handlers => {
  const { models, bus } = deps;

  /** The message of this sender and clientId, creating it (with a fresh seq) if needed. */
  async function storeOnce(
    conversation: ConversationRow,
    senderId: string,
    input: SendInput,
  ): Promise<MessageRow> {
    const existing = await models.Message.findOne({
      senderId,
      clientId: input.clientId,
    }).lean<MessageRow>();
    if (existing) return existing;
    const conversationId = conversation._id.toString();
    const seq = await reserveSeq(models, conversationId);
    try {
      const created = await models.Message.create({
        conversationId,
        seq,
        senderId,
        clientId: input.clientId,
        content: input.content,
        type: input.type,
        createdAt: new Date(),
      });
      return created.toObject<MessageRow>();
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      // A concurrent copy of this send stored it first: that one is the message.
      await releaseSeq(models, conversationId, seq);
      const first = await models.Message.findOne({
        senderId,
        clientId: input.clientId,
      }).lean<MessageRow>();
      // Otherwise the seq was taken (a writer outlived its lock): safe to retry.
      if (!first) throw new AppError('SERVICE_UNAVAILABLE', 'Concurrent write, retry the send');
      return first;
    }
  }

  async function conversationOf(message: MessageRow): Promise<ConversationRow> {
    const row = await models.Conversation.findById(message.conversationId).lean<ConversationRow>();
    if (!row) throw new AppError('NOT_FOUND', 'Conversation not found');
    return row;
  }

  async function send(input: SendInput, meta: RequestMeta) {
    const me = requireUserId(meta);
    const conversationId = input.conversationId;
    const done = await withConversationLock(deps.redis, conversationId, async () => {
      const conversation = await loadMemberConversation(models, conversationId, me);
      const repaired = await repairPending(models, conversation);
      const message = await storeOnce(conversation, me, input);
      // A clientId reused for another conversation still names its first message, as is.
      if (message.conversationId !== conversation._id.toString())
        return { message, fresh: null, repaired };
      // Repeated on a retry: finishes what a crashed attempt left undone, changes nothing else.
      await applySend(models, conversation, message);
      const fresh =
        (await models.Conversation.findById(conversationId).lean<ConversationRow>()) ??
        conversation;
      return { message, fresh, repaired };
    });
    const { message, fresh, repaired } = done;
    // Sends a crash interrupted and this call finished: announce them (consumers dedupe by id).
    for (const m of repaired)
      if (m._id.toString() !== message._id.toString())
        await publishMessageSent(deps, fresh ?? (await conversationOf(m)), m, meta);
    if (!fresh) {
      const home = await models.Conversation.findById(
        message.conversationId,
      ).lean<ConversationRow>();
      return toMessage(message, home?.participants ?? [message.senderId]);
    }
    // Re-published on a retry too: consumers dedupe by message id.
    await publishMessageSent(deps, fresh, message, meta);
    return toMessage(message, fresh.participants);
  }

  return {
    'chat.send': send,

    'chat.messages': async (input, meta) => {
      const me = requireUserId(meta);
      const before = input.cursor === undefined ? null : decodeSeqCursor(input.cursor);
      const conversation = await loadMemberConversation(models, input.conversationId, me);
      const rows = await models.Message.find({
        conversationId: conversation._id.toString(),
        deletedFor: { $ne: me },
        ...(before === null ? {} : { seq: { $lt: before } }),
      })
        .sort({ seq: -1 })
        .limit(input.limit + 1)
        .lean<MessageRow[]>();
      const page = rows.slice(0, input.limit);
      const last = page.at(-1);
      return {
        items: page.map((r) => toMessage(r, conversation.participants)),
        nextCursor: rows.length > input.limit && last ? encodeSeqCursor(last.seq) : null,
      };
    },

    'chat.deleteForMe': async (input, meta) => {
      const me = requireUserId(meta);
      const message = isObjectId(input.messageId)
        ? await models.Message.findById(input.messageId).lean<MessageRow>()
        : null;
      if (!message) throw new AppError('NOT_FOUND', 'Message not found');
      const conversationId = message.conversationId;
      const repaired = await withConversationLock(deps.redis, conversationId, async () => {
        // Not a participant (any more): the message does not exist for them.
        const conversation = await loadMemberConversation(models, conversationId, me);
        const finished = await repairPending(models, conversation);
        await models.Message.updateOne({ _id: message._id }, { $addToSet: { deletedFor: me } });
        await recomputeUnread(models, conversationId, me);
        return finished;
      });
      if (repaired.length > 0) {
        const conversation = await conversationOf(message);
        for (const m of repaired) await publishMessageSent(deps, conversation, m, meta);
      }
      const event: MessageDeletedEvent = {
        userId: me,
        conversationId,
        messageId: message._id.toString(),
      };
      await bus.publish('chat_events', 'message.deleted', event, meta);
      return { ok: true as const };
    },
  };
};
