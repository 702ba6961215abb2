import { Schema, type Connection, type InferSchemaType, type Types } from 'mongoose';

/**
 * One upload's record; the bytes live in the file store under `_id` (and `<_id>.thumb`).
 * `status` moves uploading → ready (bytes stored) and a message claims it by setting
 * `messageId` (with the sender's `clientId`, so a retried send re-claims its own files).
 * Unclaimed records older than a day are swept with their bytes.
 */
const attachmentSchema = new Schema(
  {
    conversationId: { type: String, required: true },
    uploaderId: { type: String, required: true },
    name: { type: String, required: true },
    status: { type: String, enum: ['uploading', 'ready'], required: true },
    size: { type: Number, default: 0 },
    mime: { type: String, default: 'application/octet-stream' },
    kind: { type: String, enum: ['image', 'audio', 'video', 'file'], default: 'file' },
    width: { type: Number, default: null },
    height: { type: Number, default: null },
    durationMs: { type: Number, default: null },
    thumbnail: { type: Boolean, default: false },
    messageId: { type: String, default: null },
    claimedBy: { type: String, default: null },
    createdAt: { type: Date, required: true },
  },
  { collection: 'attachments', versionKey: false },
);
// The sweeper's query: unclaimed and old.
attachmentSchema.index({ claimedBy: 1, createdAt: 1 });
// A message's files, when a deletion of it is repeated (see the chat worker's message-changes).
attachmentSchema.index({ messageId: 1 });

export type AttachmentDoc = InferSchemaType<typeof attachmentSchema>;
export type AttachmentRow = AttachmentDoc & { _id: Types.ObjectId };

export const attachmentModel = (conn: Connection) => conn.model('Attachment', attachmentSchema);
