import { createHash } from 'node:crypto';
import type { NotificationsModels, PushSubscriptionRow } from '@chat/db';

export interface StoredSubscription {
  endpoint: string;
  userId: string;
  keys: { p256dh: string; auth: string };
}

/** The key of an endpoint's document: one endpoint, one document, one owner. */
const idOf = (endpoint: string) => createHash('sha256').update(endpoint).digest('base64url');

const toSubscription = (row: PushSubscriptionRow): StoredSubscription => ({
  endpoint: row.endpoint,
  userId: row.userId,
  keys: { p256dh: row.p256dh, auth: row.auth },
});

/** Users' Web Push subscriptions in MongoDB (durable: a browser subscribes once). */
/** Recipients up to which subscriptions are looked up user by user. */
const PER_USER_LOOKUPS_MAX = 32;

export class PushSubscriptions {
  constructor(
    private readonly models: NotificationsModels,
    private readonly maxPerUser: number,
  ) {}

  /**
   * Stores (or refreshes) a subscription for the user. An endpoint another user had moves to
   * this one (the same browser, a different account); beyond the cap the oldest go.
   */
  async subscribe(userId: string, sub: Omit<StoredSubscription, 'userId'>): Promise<void> {
    const { PushSubscription } = this.models;
    await PushSubscription.updateOne(
      { _id: idOf(sub.endpoint) },
      {
        $set: {
          endpoint: sub.endpoint,
          userId,
          p256dh: sub.keys.p256dh,
          auth: sub.keys.auth,
          createdAt: new Date(),
        },
      },
      { upsert: true },
    );
    const rows = await PushSubscription.find({ userId }, { _id: 1, createdAt: 1 }).lean();
    if (rows.length <= this.maxPerUser) return;
    const oldest = rows
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .slice(0, rows.length - this.maxPerUser);
    await PushSubscription.deleteMany({ _id: { $in: oldest.map((r) => r._id) }, userId });
  }

  /** Removes the endpoint only if it is this user's. */
  async unsubscribe(userId: string, endpoint: string): Promise<void> {
    await this.models.PushSubscription.deleteOne({ _id: idOf(endpoint), userId });
  }

  /** A dead endpoint (404/410), as long as it is still the subscription that was tried. */
  async remove(sub: StoredSubscription): Promise<void> {
    await this.models.PushSubscription.deleteOne({
      _id: idOf(sub.endpoint),
      userId: sub.userId,
      p256dh: sub.keys.p256dh,
    });
  }

  /** Every subscription of these users. */
  async of(userIds: string[]): Promise<StoredSubscription[]> {
    if (userIds.length === 0) return [];
    // A few users: one equality each, which every store indexes (FerretDB pushes no `$in`
    // down and would read the whole collection per message); many: one `$in`.
    const rows =
      userIds.length <= PER_USER_LOOKUPS_MAX
        ? (
            await Promise.all(
              userIds.map((userId) => this.models.PushSubscription.find({ userId }).lean()),
            )
          ).flat()
        : await this.models.PushSubscription.find({ userId: { $in: userIds } }).lean();
    return rows.map(toSubscription);
  }
}
