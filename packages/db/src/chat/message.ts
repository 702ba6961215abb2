import { Schema, type Connection, type InferSchemaType, type Types } from 'mongoose';
import { messageTypeSchema } from '@chat/contract';

/** Messages per `chunk`: history and receipts read whole chunks by one equality filter. */
export const MESSAGE_CHUNK_SIZE = 64;

/** `<conversationId>:<n>`: the chunk of a message — an equality every store can index. */
export const chunkOf = (conversationId: string, seq: number): string =>
  `${conversationId}:${Math.floor(seq / MESSAGE_CHUNK_SIZE)}`;

/**
 * One message. The unique `{senderId, clientId}` index turns a retried send (or a
 * redelivered RPC after a crash) into a no-op that returns the first copy; the unique
 * `{conversationId, seq}` index keeps seqs gap-free and single even if two owners ever
 * overlap. Reads go by `_id` or by `chunk` (64 consecutive seqs): equality filters only, so
 * FerretDB's indexes serve them and latency stays flat as the collection grows.
 */
const messageSchema = new Schema(
  {
    conversationId: { type: String, required: true },
    seq: { type: Number, required: true },
    chunk: { type: String, required: true },
    senderId: { type: String, required: true },
    clientId: { type: String, required: true },
    // '' when the message is only attachments (mongoose's `required` refuses empty strings).
    content: { type: String, default: '' },
    type: { type: String, enum: messageTypeSchema.options, required: true },
    deletedFor: { type: [String], default: [] },
    /** Copies of the claimed uploads' records (immutable), so history needs no join. */
    attachments: {
      type: [
        new Schema(
          {
            id: { type: String, required: true },
            name: { type: String, required: true },
            size: { type: Number, required: true },
            mime: { type: String, required: true },
            kind: { type: String, enum: ['image', 'audio', 'video', 'file'], required: true },
            width: { type: Number, default: null },
            height: { type: Number, default: null },
            durationMs: { type: Number, default: null },
            thumbnail: { type: Boolean, required: true },
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    /** The quote of the message this one answers; `replyToId` finds replies to update it. */
    replyTo: {
      type: new Schema(
        {
          id: { type: String, required: true },
          senderId: { type: String, required: true },
          content: { type: String, default: '' },
          type: { type: String, enum: messageTypeSchema.options, required: true },
          deleted: { type: Boolean, default: false },
        },
        { _id: false },
      ),
      default: null,
    },
    replyToId: { type: String, default: null },
    /** In order of first use; count = userIds.length. */
    reactions: {
      type: [
        new Schema(
          { emoji: { type: String, required: true }, userIds: { type: [String], default: [] } },
          { _id: false },
        ),
      ],
      default: [],
    },
    editedAt: { type: Date, default: null },
    /** Deleted for everyone: content '' and no attachments, kept as a tombstone. */
    deleted: { type: Boolean, default: false },
    /** searchWords(content): what chat.search finds it by (a multikey index on MongoDB). */
    words: { type: [String], default: [] },
    createdAt: { type: Date, required: true },
  },
  { collection: 'messages', versionKey: false },
);
// clientId first: the dev store indexes a compound index's leading field (see README "The dev store").
messageSchema.index({ clientId: 1, senderId: 1 }, { unique: true });
messageSchema.index({ conversationId: 1, seq: -1 }, { unique: true });
messageSchema.index({ chunk: 1 });
messageSchema.index({ replyToId: 1 });
// chat.search: one word by equality (FerretDB pushes it down), newest first.
messageSchema.index({ words: 1, createdAt: -1 });

export type MessageDoc = InferSchemaType<typeof messageSchema>;
export type MessageRow = MessageDoc & { _id: Types.ObjectId };

export const messageModel = (conn: Connection) => conn.model('Message', messageSchema);
