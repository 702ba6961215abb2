import { Schema, type Connection, type InferSchemaType, type Types } from 'mongoose';

/**
 * One participant of one conversation, with what is personal to them: role, read and
 * delivery positions, mute. Receipts are positions, not per-message lists: a message is
 * delivered to / read by a member when their `deliveredSeq` / `readSeq` reaches its seq, so
 * marking a thousand messages read is one small write.
 *
 * Unread count = (conversation.lastSeq − readSeq) − |ownUnread| − ownUnreadOlder −
 * |hiddenUnread| − hiddenUnreadOlder: the seqs above `readSeq` of the member's own messages
 * and of messages they deleted for themselves (pruned when `readSeq` passes them). Only the
 * newest of each are listed (a member who sends and never reads, like a bot, or who hides
 * message after message, would grow a list forever); the `…Older` counts hold the rest, all
 * older than the listed ones. Sending never marks others' messages
 * read; when nothing was unread, a send simply moves `readSeq` to its own seq — written in
 * the conversation document's `senderMarks`, which win over this document's positions while
 * their rev is above `marksRev` (conversation.ts).
 */
const memberSchema = new Schema(
  {
    conversationId: { type: String, required: true },
    userId: { type: String, required: true },
    /** Groups: owner/admin/member. Direct chats: member. */
    role: { type: String, enum: ['owner', 'admin', 'member'], required: true },
    joinedAt: { type: Date, required: true },
    readSeq: { type: Number, required: true, default: 0 },
    /** Recent read positions with their time, oldest first: `readAt` of each message. */
    readMarks: {
      type: [new Schema({ seq: Number, at: Date }, { _id: false })],
      default: [],
    },
    deliveredSeq: { type: Number, required: true, default: 0 },
    ownUnread: { type: [Number], default: [] },
    ownUnreadOlder: { type: Number, default: 0 },
    hiddenUnread: { type: [Number], default: [] },
    hiddenUnreadOlder: { type: Number, default: 0 },
    /** The per-conversation rev of the last write of these positions (see `senderMarks`). */
    marksRev: { type: Number, default: 0 },
    mutedUntil: { type: Date, default: null },
  },
  { collection: 'members', versionKey: false, minimize: false },
);
memberSchema.index({ conversationId: 1, userId: 1 }, { unique: true });
memberSchema.index({ userId: 1 });

export type MemberDoc = InferSchemaType<typeof memberSchema>;
export type MemberRow = MemberDoc & { _id: Types.ObjectId };

export const memberModel = (conn: Connection) => conn.model('Member', memberSchema);
