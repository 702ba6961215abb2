import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/** Credentials, owned by the auth worker. Profiles live in the users database. */
const userSchema = new Schema(
  {
    username: { type: String, required: true },
    email: { type: String, required: true },
    passwordHash: { type: String, required: true },
    createdAt: { type: Date, required: true, default: () => new Date() },
    // Outbox flag: null until `user.created` is confirmed by the broker; a sweeper retries.
    createdEventPublishedAt: { type: Date, default: null },
  },
  { collection: 'users', versionKey: false },
);
userSchema.index({ username: 1 }, { unique: true });
userSchema.index({ email: 1 }, { unique: true });
userSchema.index({ createdEventPublishedAt: 1 });

export type AuthUser = InferSchemaType<typeof userSchema>;

export const authUserModel = (conn: Connection) => conn.model('User', userSchema);
