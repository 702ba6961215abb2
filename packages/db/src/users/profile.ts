import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/** Public profile, owned by the user worker; created from `user.created`. */
const profileSchema = new Schema(
  {
    _id: { type: String, required: true }, // the auth user id
    username: { type: String, required: true },
    email: { type: String, required: true },
    displayName: { type: String, required: true },
    // Lower-cased copies keep search case-insensitive without collations (FerretDB has none).
    usernameLower: { type: String, required: true },
    displayNameLower: { type: String, required: true },
    avatar: { type: String, default: null },
    bio: { type: String, default: '' },
    // The status the user chose (user.setStatus); 'offline' = invisible. What others see is
    // 'offline' while `connected` is false, else this (see the user worker's presence).
    status: { type: String, enum: ['online', 'offline', 'away', 'busy'], default: 'online' },
    // Whether the user has at least one live socket on some gateway (presence).
    connected: { type: Boolean, default: false },
    // When the public status last turned 'offline'.
    lastSeen: { type: Date, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'profiles', versionKey: false },
);
profileSchema.index({ username: 1 }, { unique: true });
// The presence sweeper looks up connected users.
profileSchema.index({ connected: 1 });

export type Profile = InferSchemaType<typeof profileSchema>;
export type ProfileRow = Profile & { _id: string };

export const profileModel = (conn: Connection) => conn.model('Profile', profileSchema);
