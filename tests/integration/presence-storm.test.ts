// Many sockets closing at once on one gateway (a network blip, a dropped proxy) is a storm:
// their users are coming back, so going offline waits the storm grace, not the ordinary one.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { redisKeys } from '@chat/api';
import type { ChatClient } from '@chat/sdk';
import { TEST_OFFLINE_GRACE_MS, TestSystem, type TestUser } from '../support/system.js';
import { sleep, waitFor } from '../support/wait.js';

const STORM_SOCKETS = 5;
const STORM_GRACE_MS = 12_000;

describe('presence in a storm of closing sockets', () => {
  let system: TestSystem;
  let redis: Redis;
  let viewer: TestUser;

  before(async () => {
    system = await TestSystem.start({
      workers: ['auth', 'user'],
      env: {
        PRESENCE_STORM_SOCKETS: String(STORM_SOCKETS),
        PRESENCE_STORM_SHARE: '0.1',
        PRESENCE_STORM_GRACE_MS: String(STORM_GRACE_MS),
      },
    });
    redis = new Redis(system.env.REDIS_URL!);
    viewer = await system.user();
  });
  after(async () => {
    redis?.disconnect();
    await system?.stop();
  });

  const statusOf = async (u: TestUser) => viewer.client.api.user.byId.query({ userId: u.id });

  /** A WebSocket of `u` holding `events.stream`, once the gateway registered it. */
  async function connect(u: TestUser): Promise<ChatClient> {
    const client = system.client({ session: u.client.session });
    client.api.events.stream.subscribe(undefined, { onData: () => undefined });
    await waitFor(`${u.username}'s socket`, async () => {
      return (await redis.zcard(redisKeys.presence(u.id))) === 1;
    });
    await waitFor(`${u.username} online`, async () => (await statusOf(u)).status === 'online');
    return client;
  }

  test('users whose sockets closed together stay online through the ordinary grace, then go offline', async () => {
    const users = await Promise.all(Array.from({ length: 8 }, () => system.user()));
    const clients = await Promise.all(users.map(connect));
    const closedAt = Date.now();
    // Half first: their re-check goes out before the gateway can tell a storm (4 < 5 closes).
    for (const c of clients.slice(0, 4)) c.close();
    await sleep(500);
    for (const c of clients.slice(4)) c.close();
    await waitFor('every socket gone', async () => {
      const counts = await Promise.all(users.map((u) => redis.zcard(redisKeys.presence(u.id))));
      return counts.every((n) => n === 0);
    });

    await sleep(TEST_OFFLINE_GRACE_MS + 2_000);
    const during = await Promise.all(users.map(statusOf));
    assert.deepEqual(
      during.map((p) => p.status),
      users.map(() => 'online'),
      'no one offline after the ordinary grace: the first closes, before the storm was clear, too',
    );

    const offline = await waitFor(
      'all offline after the storm grace',
      async () => {
        const now = await Promise.all(users.map(statusOf));
        return now.every((p) => p.status === 'offline') && now;
      },
      STORM_GRACE_MS + 15_000,
    );
    for (const p of offline) {
      const lastSeen = Date.parse(p.lastSeen ?? '');
      assert.ok(
        lastSeen >= closedAt - 2_000 && lastSeen <= closedAt + 5_000,
        `lastSeen ${p.lastSeen} is when the socket went, not when the grace ended`,
      );
    }
  });

  test('one socket closing alone is someone leaving: offline after the ordinary grace', async () => {
    // The storm above is out of the gateway's window by now (it took longer than 5 s).
    const u = await system.user();
    const client = await connect(u);
    const closedAt = Date.now();
    client.close();
    await waitFor(
      'offline',
      async () => (await statusOf(u)).status === 'offline',
      TEST_OFFLINE_GRACE_MS + 15_000,
    );
    assert.ok(
      Date.now() - closedAt < STORM_GRACE_MS,
      'it did not wait the storm grace (the ordinary one is a quarter of it)',
    );
  });
});
