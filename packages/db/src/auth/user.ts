import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/** Credentials, owned by the auth worker. Profiles live in the users database. */
const userSchema = new Schema(
  {
    username: { type: String, required: true },
    email: { type: String, required: true },
    passwordHash: { type: String, required: true },
    createdAt: { type: Date, required: true, default: () => new Date() },
    // Outbox: `user.created` not confirmed by the broker yet (a sweeper retries); removed
    // once it is. A boolean, not `publishedAt: null`: the dev store (FerretDB) serves an
    // equality on a boolean from an index but scans the whole collection for one on null.
    createdEventPending: { type: Boolean, default: true },
    createdEventPublishedAt: { type: Date, default: null },
  },
  { collection: 'users', versionKey: false },
);
userSchema.index({ username: 1 }, { unique: true });
userSchema.index({ email: 1 }, { unique: true });
userSchema.index({ createdEventPending: 1 });

export type AuthUser = InferSchemaType<typeof userSchema>;

export const authUserModel = (conn: Connection) => conn.model('User', userSchema);
