import type { Connection } from 'mongoose';
import { profileModel } from './profile.js';

export type { Profile, ProfileRow } from './profile.js';

/** Models of the `users` database, with their indexes built. */
export async function usersModels(conn: Connection) {
  const models = { Profile: profileModel(conn) };
  await Promise.all(Object.values(models).map((m) => m.init()));
  return models;
}
export type UsersModels = Awaited<ReturnType<typeof usersModels>>;
