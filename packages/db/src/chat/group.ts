import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * A group and its members. Member changes rewrite the whole `members` array guarded
 * by `version` (optimistic concurrency): FerretDB has no positional updates.
 */
const groupSchema = new Schema(
  {
    name: { type: String, required: true },
    description: { type: String, default: '' },
    avatar: { type: String, default: null },
    creatorId: { type: String, required: true },
    conversationId: { type: String, required: true },
    members: {
      type: [
        new Schema(
          {
            userId: String,
            role: { type: String, enum: ['owner', 'admin', 'member'] },
            joinedAt: Date,
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    version: { type: Number, required: true, default: 0 },
    createdAt: { type: Date, required: true },
  },
  { collection: 'groups', versionKey: false },
);
groupSchema.index({ conversationId: 1 }, { unique: true });

export type GroupDoc = InferSchemaType<typeof groupSchema>;

export const groupModel = (conn: Connection) => conn.model('Group', groupSchema);
