import type { Connection } from 'mongoose';
import { pushSubscriptionModel } from './push-subscription.js';

export type { PushSubscriptionRow } from './push-subscription.js';

/** Models of the `notifications` database, with their indexes built. */
export async function notificationsModels(conn: Connection) {
  const models = { PushSubscription: pushSubscriptionModel(conn) };
  await Promise.all(Object.values(models).map((m) => m.init()));
  return models;
}
export type NotificationsModels = Awaited<ReturnType<typeof notificationsModels>>;
