import type { Connection } from 'mongoose';
import { attachmentModel } from './attachment.js';
import { conversationModel } from './conversation.js';
import { memberModel } from './member.js';
import { messageModel } from './message.js';

export type { AttachmentRow } from './attachment.js';
export type { ConversationRow, SenderMark } from './conversation.js';
export type { MemberRow } from './member.js';
export type { MessageRow } from './message.js';
export { chunkOf, MESSAGE_CHUNK_SIZE } from './message.js';

/** Models of the `chat` database, with their indexes built. */
export async function chatModels(conn: Connection) {
  const models = {
    Conversation: conversationModel(conn),
    Member: memberModel(conn),
    Message: messageModel(conn),
    Attachment: attachmentModel(conn),
  };
  await Promise.all(Object.values(models).map((m) => m.init()));
  return models;
}
export type ChatModels = Awaited<ReturnType<typeof chatModels>>;
