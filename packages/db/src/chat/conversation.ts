import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * A direct chat or a group's chat. `key` makes the one-per-pair rule a unique index
 * (`direct:<a>:<b>` with sorted ids) instead of a read-then-write race; groups use
 * `group:<groupId>`. `seq` numbers messages so history pages never skip or repeat.
 * `unread` maps userId → count (ids never contain '.' or '$').
 */
const conversationSchema = new Schema(
  {
    type: { type: String, enum: ['direct', 'group'], required: true },
    key: { type: String, required: true },
    participants: { type: [String], required: true },
    groupId: { type: String, default: null },
    // Snapshot of the group's name/avatar so conversation views need no second lookup.
    groupName: { type: String, default: null },
    groupAvatar: { type: String, default: null },
    // The group `version` the participants/snapshot above reflect: concurrent syncs only move forward.
    groupVersion: { type: Number, default: 0 },
    seq: { type: Number, required: true, default: 0 },
    // Seq of `lastMessage`: concurrent sends only move it forward.
    lastSeq: { type: Number, required: true, default: 0 },
    lastMessage: {
      type: new Schema(
        {
          id: String,
          content: String,
          senderId: String,
          type: { type: String },
          createdAt: Date,
        },
        { _id: false },
      ),
      default: null,
    },
    unread: { type: Schema.Types.Mixed, default: () => ({}) },
    // userId → highest seq that user has read.
    readUpTo: { type: Schema.Types.Mixed, default: () => ({}) },
    // Seqs of messages whose `unread` increment is still to be applied: a send pushes its seq
    // before inserting the message and pulls it in the same update that increments `unread`,
    // so a retried send (after a crash) applies the increment exactly once.
    pendingSeqs: { type: [Number], default: [] },
    // Direct chats: whether `conversation.updated` (created) was published; re-published until set.
    announced: { type: Boolean, default: false },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'conversations', versionKey: false, minimize: false },
);
conversationSchema.index({ key: 1 }, { unique: true });
// No index on `participants`: FerretDB 1.x indexes an array as one value (no multikey), so
// `{ participants: id }` can't use it, and a group's 256 ids (~7 KB) exceed PostgreSQL's
// 2,704-byte btree row limit — the insert fails. (On MongoDB a multikey index would help
// `chat.conversations`; a per-member collection would serve both.)

export type ConversationDoc = InferSchemaType<typeof conversationSchema>;

export const conversationModel = (conn: Connection) =>
  conn.model('Conversation', conversationSchema);
