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
 * sends are applied here (senders' own-message marks, lastMessage): a crash between the
 * message insert and this update is repaired when the owner next loads the conversation.
 *
 * `senderMarks`: a send moves its sender's `readSeq`/`ownUnread` (member.ts); rather than a
 * second write per message to the member document, the recent senders' positions ride in
 * this document's update. An entry counts only while its `rev` is above the member
 * document's `marksRev` (every write of a member's positions takes a higher rev from the
 * same per-conversation counter); readers merge them (views.ts `participantsOf`).
 */
const conversationSchema = new Schema(
  {
    type: { type: String, enum: ['direct', 'group'], required: true },
    key: { type: String, required: true },
    lastSeq: { type: Number, required: true, default: 0 },
    senderMarks: {
      type: [
        new Schema(
          {
            userId: String,
            readSeq: Number,
            ownUnread: [Number],
            ownUnreadOlder: Number,
            rev: Number,
          },
          { _id: false },
        ),
      ],
      default: [],
    },
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

/** One sender's positions as a send left them (see `senderMarks` above). */
export interface SenderMark {
  userId: string;
  readSeq: number;
  ownUnread: number[];
  /** Absent in marks written before the own-unread list was bounded: 0. */
  ownUnreadOlder?: number;
  rev: number;
}

export type ConversationDoc = Omit<InferSchemaType<typeof conversationSchema>, 'senderMarks'> & {
  /** Absent in documents written before sender marks existed. */
  senderMarks?: SenderMark[];
};
export type ConversationRow = ConversationDoc & { _id: Types.ObjectId };

export const conversationModel = (conn: Connection) =>
  conn.model('Conversation', conversationSchema);
