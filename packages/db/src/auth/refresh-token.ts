import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * One issued refresh token. Tokens of one login share a `familyId`; rotation marks
 * the old one used and issues a child. Presenting a used token revokes the family.
 * Expiry is enforced in code (no TTL index: FerretDB has none); old rows are pruned.
 */
const refreshTokenSchema = new Schema(
  {
    _id: { type: String, required: true }, // the JWT's jti
    familyId: { type: String, required: true },
    userId: { type: String, required: true },
    // The token this one replaced (`root:<jti>` for the first of a login); unique, so one
    // token can be rotated only once even when two refreshes race.
    parentId: { type: String, required: true },
    tokenHash: { type: String, required: true }, // sha256 of the token: a DB leak yields no usable tokens
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
  },
  { collection: 'refresh_tokens', versionKey: false },
);
refreshTokenSchema.index({ familyId: 1 });
refreshTokenSchema.index({ userId: 1 });
refreshTokenSchema.index({ parentId: 1 }, { unique: true });

export type RefreshTokenDoc = InferSchemaType<typeof refreshTokenSchema>;

export const refreshTokenModel = (conn: Connection) =>
  conn.model('RefreshToken', refreshTokenSchema);
