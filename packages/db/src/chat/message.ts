import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * One message. The unique `{senderId, clientId}` index turns a retried send (or a
 * redelivered RPC after a crash) into a no-op that returns the first copy.
 */
const messageSchema = new Schema(
  {
    conversationId: { type: String, required: true },
    seq: { type: Number, required: true },
    senderId: { type: String, required: true },
    clientId: { type: String, required: true },
    content: { type: String, required: true },
    type: { type: String, enum: ['text', 'image', 'file', 'audio', 'video'], required: true },
    // Plain id arrays so `$addToSet` / `{ field: { $ne: id } }` work the same on FerretDB and MongoDB.
    deliveredTo: { type: [String], default: [] },
    readers: { type: [String], default: [] },
    readBy: { type: [new Schema({ userId: String, readAt: Date }, { _id: false })], default: [] },
    deletedFor: { type: [String], default: [] },
    createdAt: { type: Date, required: true },
  },
  { collection: 'messages', versionKey: false },
);
messageSchema.index({ senderId: 1, clientId: 1 }, { unique: true });
// Unique: a seq names one message, whatever a racing writer did (history pages by seq).
messageSchema.index({ conversationId: 1, seq: -1 }, { unique: true });

export type MessageDoc = InferSchemaType<typeof messageSchema>;

export const messageModel = (conn: Connection) => conn.model('Message', messageSchema);
