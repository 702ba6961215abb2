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

/**
 * Users per `$in` lookup. The dev store answers an `$in` on a field other than `_id` with one
 * index lookup per value, OR-ed, and rechecks each row found against every value: 100 values
 * took 2.5 ms in PostgreSQL, 1,000 took 0.4 s (docs/performance.md). MongoDB doesn't mind.
 */
const USERS_PER_LOOKUP = 100;

/** Users' Web Push subscriptions in MongoDB (durable: a browser subscribes once). */
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
    const chunks: string[][] = [];
    for (let i = 0; i < userIds.length; i += USERS_PER_LOOKUP)
      chunks.push(userIds.slice(i, i + USERS_PER_LOOKUP));
    const rows = (
      await Promise.all(
        chunks.map((chunk) => this.models.PushSubscription.find({ userId: { $in: chunk } }).lean()),
      )
    ).flat();
    return rows.map(toSubscription);
  }
}
