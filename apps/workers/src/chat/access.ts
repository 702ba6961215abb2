import { AppError } from '@chat/core';
import type { ChatModels } from '@chat/db';
import type { ConversationRow, MessageRow } from './views.js';

/** Whether `id` can be a document id (a 24-hex ObjectId); anything else names nothing. */
export const isObjectId = (id: string): boolean => /^[0-9a-f]{24}$/i.test(id);

const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);

/**
 * The conversation if `userId` is one of its participants, else NOT_FOUND — the same
 * answer as for an id that does not exist, so outsiders learn nothing.
 */
export async function loadMemberConversation(
  models: ChatModels,
  conversationId: string,
  userId: string,
): Promise<ConversationRow> {
  if (!isObjectId(conversationId)) throw notFound('Conversation');
  const row = await models.Conversation.findOne({
    _id: conversationId,
    participants: userId,
  }).lean<ConversationRow>();
  if (!row) throw notFound('Conversation');
  return row;
}

/** A message of `conversationId`, else NOT_FOUND. */
export async function loadConversationMessage(
  models: ChatModels,
  conversationId: string,
  messageId: string,
): Promise<MessageRow> {
  if (!isObjectId(messageId)) throw notFound('Message');
  const row = await models.Message.findOne({ _id: messageId, conversationId }).lean<MessageRow>();
  if (!row) throw notFound('Message');
  return row;
}
