import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * A Web Push subscription (RFC 8030) of one browser, owned by the notification worker.
 * `_id` is a hash of the endpoint: endpoints run to 2 KB, too long for a comfortable key,
 * and one endpoint belongs to one user at a time (subscribing it again moves it).
 */
const pushSubscriptionSchema = new Schema(
  {
    _id: { type: String, required: true },
    endpoint: { type: String, required: true },
    userId: { type: String, required: true },
    // The browser's ECDH public key (P-256, base64url) and auth secret (RFC 8291).
    p256dh: { type: String, required: true },
    auth: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'push_subscriptions', versionKey: false },
);
// Pushing looks up a message's offline recipients' subscriptions; the cap counts a user's.
pushSubscriptionSchema.index({ userId: 1, createdAt: 1 });

export type PushSubscriptionRow = InferSchemaType<typeof pushSubscriptionSchema> & { _id: string };

export const pushSubscriptionModel = (conn: Connection) =>
  conn.model('PushSubscription', pushSubscriptionSchema);
