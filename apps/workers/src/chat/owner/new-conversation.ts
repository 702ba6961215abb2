import { isDuplicateKeyError, type ChatModels, type ConversationRow } from '@chat/db';

export type NewConversation = Omit<
  ConversationRow,
  'lastSeq' | 'lastMessage' | 'createdAt' | 'updatedAt' | 'senderMarks'
>;

/**
 * Inserts a conversation with nothing sent yet. One that exists already stays as it is: a
 * retried command (a redelivery, or a crash after the insert) finishes what it started.
 */
export async function insertNewConversation(
  models: ChatModels,
  row: NewConversation,
  now: Date,
): Promise<void> {
  try {
    await models.Conversation.collection.insertOne({
      ...row,
      lastSeq: 0,
      senderMarks: [],
      lastMessage: null,
      createdAt: now,
      updatedAt: now,
    });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
}
