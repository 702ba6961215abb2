import { Schema, type Connection, type InferSchemaType, type Types } from 'mongoose';
import { messageTypeSchema } from '@chat/contract';

/**
 * A direct chat or a group (a group *is* its conversation: one id, one document). Written
 * only by the conversation's owner (see the chat worker's owner/), so no two processes
 * update it at once. Members live in their own collection (member.ts): neither an index
 * nor this document grows with the group, and each send rewrites only this small document.
 *
 * `key` makes the one-per-pair rule a unique index (`direct:<a>:<b>`, sorted ids; groups:
 * `group:<id>`). `lastSeq` is the seq of the newest message, also the mark up to which
 * sends are applied here (members' own-message marks, lastMessage): a crash between the
 * message insert and this update is repaired when the owner next loads the conversation.
 */
const conversationSchema = new Schema(
  {
    type: { type: String, enum: ['direct', 'group'], required: true },
    key: { type: String, required: true },
    lastSeq: { type: Number, required: true, default: 0 },
    lastMessage: {
      type: new Schema(
        {
          id: { type: String, required: true },
          content: { type: String, default: '' },
          senderId: { type: String, required: true },
          type: { type: String, enum: messageTypeSchema.options, required: true },
          createdAt: { type: Date, required: true },
        },
        { _id: false },
      ),
      default: null,
    },
    memberCount: { type: Number, required: true, default: 0 },
    // Groups only (null for direct chats).
    name: { type: String, default: null },
    description: { type: String, default: null },
    avatar: { type: String, default: null },
    creatorId: { type: String, default: null },
    // Direct chats: whether `conversation.updated` (created) was published; re-published until set.
    announced: { type: Boolean, required: true, default: false },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'conversations', versionKey: false, minimize: false },
);
conversationSchema.index({ key: 1 }, { unique: true });

export type ConversationDoc = InferSchemaType<typeof conversationSchema>;
export type ConversationRow = ConversationDoc & { _id: Types.ObjectId };

export const conversationModel = (conn: Connection) =>
  conn.model('Conversation', conversationSchema);
