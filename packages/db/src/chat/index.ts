import type { Connection } from 'mongoose';
import { conversationModel } from './conversation.js';
import { groupModel } from './group.js';
import { messageModel } from './message.js';

export type { ConversationDoc } from './conversation.js';
export type { GroupDoc } from './group.js';
export type { MessageDoc } from './message.js';

/** Models of the `chat` database, with their indexes built. */
export async function chatModels(conn: Connection) {
  const models = {
    Conversation: conversationModel(conn),
    Message: messageModel(conn),
    Group: groupModel(conn),
  };
  await Promise.all(Object.values(models).map((m) => m.init()));
  return models;
}
export type ChatModels = Awaited<ReturnType<typeof chatModels>>;
