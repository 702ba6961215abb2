import type { ChatModels } from '@chat/db';
import type { ConversationRow, MessageRow } from './views.js';

/**
 * Conversation bookkeeping of sends, and unread counters. Every function here writes the
 * conversation's documents, so callers hold `withConversationLock`.
 *
 * A user's unread count is the number of messages with `seq > readUpTo[user]`, not sent by
 * them and not deleted for them. A send increments the counters of the other participants
 * exactly once even when it is retried after a crash: it pushes its seq to `pendingSeqs`
 * before inserting the message, and the increment is the update that pulls that seq
 * (`applySend`). A seq still pending when the lock is next taken belongs to a crashed
 * send: `repairPending` finishes it (or drops it if its message was never stored).
 */

/** Reserves the next seq of the conversation and marks it pending. */
export async function reserveSeq(models: ChatModels, conversationId: string): Promise<number> {
  const row = await models.Conversation.findOneAndUpdate(
    { _id: conversationId },
    { $inc: { seq: 1 } },
    { new: true },
  ).lean<ConversationRow>();
  if (!row) throw new Error(`conversation ${conversationId} vanished`);
  await models.Conversation.updateOne({ _id: conversationId }, { $push: { pendingSeqs: row.seq } });
  return row.seq;
}

/** Forgets a reserved seq that got no message. */
export async function releaseSeq(
  models: ChatModels,
  conversationId: string,
  seq: number,
): Promise<void> {
  await models.Conversation.updateOne(
    { _id: conversationId, pendingSeqs: seq },
    { $pull: { pendingSeqs: seq } },
  );
}

/**
 * Applies a stored message to its conversation; safe to repeat. `lastMessage` only moves
 * forward (`lastSeq < seq`); the unread increment happens once (guarded by `pendingSeqs`).
 */
export async function applySend(
  models: ChatModels,
  conversation: ConversationRow,
  message: MessageRow,
): Promise<void> {
  const conversationId = conversation._id.toString();
  await models.Conversation.updateOne(
    { _id: conversationId, lastSeq: { $lt: message.seq } },
    {
      $set: {
        lastSeq: message.seq,
        lastMessage: {
          id: message._id.toString(),
          content: message.content,
          senderId: message.senderId,
          type: message.type,
          createdAt: message.createdAt,
        },
        updatedAt: message.createdAt,
      },
    },
  );
  const increments: Record<string, number> = {};
  for (const p of conversation.participants)
    if (p !== message.senderId) increments[`unread.${p}`] = 1;
  await models.Conversation.updateOne(
    { _id: conversationId, pendingSeqs: message.seq },
    { $pull: { pendingSeqs: message.seq }, $inc: increments },
  );
}

/** Finishes the sends a crash interrupted (see above); returns the messages it applied. */
export async function repairPending(
  models: ChatModels,
  conversation: ConversationRow,
): Promise<MessageRow[]> {
  const pending = conversation.pendingSeqs ?? [];
  if (pending.length === 0) return [];
  const conversationId = conversation._id.toString();
  const stored = await models.Message.find({
    conversationId,
    seq: { $in: pending },
  }).lean<MessageRow[]>();
  for (const message of stored.sort((a, b) => a.seq - b.seq))
    await applySend(models, conversation, message);
  for (const seq of pending)
    if (!stored.some((m) => m.seq === seq)) await releaseSeq(models, conversationId, seq);
  return stored;
}

/** Recounts `userId`'s unread messages in the conversation and stores the count. */
export async function recomputeUnread(
  models: ChatModels,
  conversationId: string,
  userId: string,
): Promise<void> {
  const row = await models.Conversation.findById(conversationId).lean<ConversationRow>();
  if (!row) return;
  const count = await models.Message.countDocuments({
    conversationId,
    // Pending messages are counted when their send is applied.
    seq: { $gt: row.readUpTo?.[userId] ?? 0, $lte: row.seq, $nin: row.pendingSeqs ?? [] },
    senderId: { $ne: userId },
    deletedFor: { $ne: userId },
  });
  await models.Conversation.updateOne(
    { _id: conversationId },
    { $set: { [`unread.${userId}`]: count } },
  );
}

/** Moves `readUpTo[userId]` forward to `seq` (never back). */
export async function advanceReadUpTo(
  models: ChatModels,
  conversationId: string,
  userId: string,
  seq: number,
): Promise<void> {
  const path = `readUpTo.${userId}`;
  await models.Conversation.updateOne(
    { _id: conversationId, $or: [{ [path]: { $exists: false } }, { [path]: { $lt: seq } }] },
    { $set: { [path]: seq } },
  );
}
