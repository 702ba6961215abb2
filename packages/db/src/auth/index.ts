import type { Connection } from 'mongoose';
import { authUserModel } from './user.js';
import { refreshTokenModel } from './refresh-token.js';

/** Models of the `auth` database, with their indexes built. */
export async function authModels(conn: Connection) {
  const models = { User: authUserModel(conn), RefreshToken: refreshTokenModel(conn) };
  await Promise.all(Object.values(models).map((m) => m.init()));
  return models;
}
export type AuthModels = Awaited<ReturnType<typeof authModels>>;
