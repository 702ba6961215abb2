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
    seq: { type: Number, required: true, default: 0 },
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
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'conversations', versionKey: false, minimize: false },
);
conversationSchema.index({ key: 1 }, { unique: true });
conversationSchema.index({ participants: 1, updatedAt: -1 });

export type ConversationDoc = InferSchemaType<typeof conversationSchema>;

export const conversationModel = (conn: Connection) =>
  conn.model('Conversation', conversationSchema);
