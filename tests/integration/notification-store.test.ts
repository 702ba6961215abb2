import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { NotificationStore } from '../../apps/workers/src/notices/notification-store.js';
import { stackEnv } from '../support/stack-env.js';

/** The notification store on the stack's Redis: many users per script call, once per id. */
describe('notification store', () => {
  let redis: Redis;
  let store: NotificationStore;
  const run = randomBytes(4).toString('hex');
  const userIds = Array.from({ length: 250 }, (_, i) => `nstore-${run}-${i}`);

  before(() => {
    // A database of its own: the keys are per user, and these users are made up.
    redis = new Redis(`${stackEnv().REDIS_URL.replace(/\/\d*$/, '')}/14`);
    store = new NotificationStore(redis, 60_000);
  });
  after(async () => {
    const keys = await redis.keys(`notifications:nstore-${run}-*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  const base = Date.now() - 1_000;
  const notification = (n: number) => ({
    id: `n-${run}-${n}`,
    kind: 'group_message' as const,
    title: 'team',
    body: `message ${n}`,
    conversationId: null,
    messageId: null,
    createdAt: new Date(base + n).toISOString(),
  });

  test('one add reaches every user past the per-call batch, once however often it is repeated', async () => {
    await store.addAll(userIds, notification(1));
    await store.addAll(userIds, notification(1)); // a redelivered event
    await store.addAll(userIds.slice(0, 10), notification(2));
    for (const [i, userId] of userIds.entries()) {
      const { items, unread } = await store.list(userId, 100);
      const expected = i < 10 ? [`n-${run}-2`, `n-${run}-1`] : [`n-${run}-1`];
      assert.deepEqual(
        items.map((n) => n.id),
        expected,
        `user ${i}`,
      );
      assert.equal(unread, expected.length, `user ${i}'s unread count`);
    }
    const [item] = (await store.list(userIds[200]!, 1)).items;
    assert.deepEqual(item, { ...notification(1), read: false });
    assert.equal(await store.markRead(userIds[0]!, undefined), 0);
    assert.equal(
      (await store.list(userIds[0]!, 100)).items.every((n) => n.read),
      true,
    );
    assert.equal(await store.list(userIds[1]!, 100).then((l) => l.unread), 2, 'others keep theirs');
  });

  test('a user keeps the newest 1,000; older ones are dropped with their data', async () => {
    const userId = `nstore-${run}-busy`;
    // One call each, all in flight: they reach Redis in this order on its one connection.
    await Promise.all(
      Array.from({ length: 1_005 }, (_, n) => store.addAll([userId], notification(10 + n))),
    );
    await store.addAll([userId], notification(2_000));
    assert.equal(await redis.zcard(`notifications:${userId}`), 1_000);
    assert.equal(await redis.hlen(`notifications:${userId}:data`), 1_000);
    const { items } = await store.list(userId, 1);
    assert.equal(items[0]!.id, `n-${run}-2000`);
    assert.equal(await redis.hexists(`notifications:${userId}:data`, `n-${run}-10`), 0);
  });
});
