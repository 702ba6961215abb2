import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { PARTITIONS, type Conversation, type Message } from '@chat/api';
import { Inbox, sendSequence, verifyConversation } from '../support/load.js';
import { TestSystem, type TestUser, type WorkerName } from '../support/system.js';
import { sleep, waitFor } from '../support/wait.js';

/**
 * Two replicas of every worker role side by side (issue: "every worker role safe with N
 * replicas, shown by tests"): the partitions of the chat and notification workers spread
 * over both, a crashed replica's share moves to the other, and a rolling restart of every
 * process under load loses, duplicates and reorders nothing.
 */
describe('replicas', () => {
  let system: TestSystem;
  let redis: Redis;
  const inboxes: Inbox[] = [];

  before(async () => {
    system = await TestSystem.start({
      gateways: 2,
      replicas: { auth: 2, user: 2, chat: 2, notification: 2 },
      env: { RATE_SEND_PER_USER: '100000', RPC_TIMEOUT_MS: '3000' },
    });
    redis = new Redis(system.env.REDIS_URL!);
  });
  after(async () => {
    inboxes.forEach((i) => i.close());
    redis?.disconnect();
    await system?.stop();
  });

  /** Who holds each partition lease of a role (replica ids), partition by partition. */
  async function leaseHolders(role: 'chat' | 'notification'): Promise<Array<string | null>> {
    const prefix = `${system.env.BUS_NAMESPACE}partitions:${role}:lease:`;
    return redis.mget(...Array.from({ length: PARTITIONS }, (_, p) => `${prefix}${p}`));
  }

  async function conversationsOf(n: number): Promise<{ users: TestUser[]; list: Conversation[] }> {
    const users = await Promise.all(Array.from({ length: n * 2 }, () => system.user()));
    const list: Conversation[] = [];
    for (let i = 0; i < n; i++)
      list.push(
        await users[2 * i]!.client.api.chat.openDirect.mutate({ userId: users[2 * i + 1]!.id }),
      );
    users.forEach((u, i) => inboxes.push(new Inbox(u).start(system, i % 2)));
    await sleep(500);
    return { users, list };
  }

  /**
   * Every user sends 20 messages (60 ms apart) into its pair's conversation, retrying until
   * `restart` is done; returns what was acknowledged and the errors seen.
   */
  async function sendThrough(
    users: TestUser[],
    list: Conversation[],
    restart: () => Promise<void>,
  ): Promise<{ acked: Map<string, Message>; errors: Map<string, number> }> {
    const record = { acked: new Map<string, Message>(), errors: new Map<string, number>() };
    let restarting = true;
    const load = Promise.all(
      users.map((u, i) =>
        sendSequence(u, list[Math.floor(i / 2)]!.id, 20, record, 60, () => restarting),
      ),
    );
    await sleep(300);
    await restart();
    restarting = false;
    await load;
    return record;
  }

  test('the partitions of each role spread over its replicas, each held by one', async () => {
    for (const role of ['chat', 'notification'] as const) {
      const holders = await waitFor(`${role} partitions on both replicas`, async () => {
        const now = await leaseHolders(role);
        return now.every((h) => h !== null) && new Set(now).size === 2 ? now : undefined;
      });
      assert.equal(holders.length, PARTITIONS);
    }
  });

  test('a crashed replica: its partitions move to the other, nothing is lost or repeated', async () => {
    const { users, list } = await conversationsOf(8);
    const record = { acked: new Map<string, Message>(), errors: new Map<string, number>() };
    let finished = false;
    const load = Promise.all(
      users.map((u, i) => sendSequence(u, list[Math.floor(i / 2)]!.id, 25, record)),
    ).finally(() => (finished = true));
    await sleep(300);
    const [, second] = system.replicas('chat');
    await second!.stop('SIGKILL');
    await system.worker('notification').stop('SIGKILL');
    assert.equal(finished, false, 'the crashes happened under load');
    await load;
    for (const role of ['chat', 'notification'] as const)
      await waitFor(`${role} partitions all on the survivor`, async () => {
        const now = await leaseHolders(role);
        return now.every((h) => h !== null) && new Set(now).size === 1 ? true : undefined;
      });
    for (const conversation of list)
      await verifyConversation(conversation, users, inboxes, record.acked);
    await system.restart(second!);
    await system.restart(system.worker('notification'));
  });

  test('a rolling restart of every worker, one at a time, under load: not one send fails', async () => {
    const { users, list } = await conversationsOf(6);
    const record = await sendThrough(users, list, async () => {
      const roles: WorkerName[] = ['auth', 'user', 'chat', 'notification'];
      for (const role of roles)
        for (const replica of system.replicas(role)) {
          await system.restart(replica); // SIGTERM: hands its partitions over, then exits
          await sleep(200);
        }
    });
    for (const conversation of list)
      await verifyConversation(conversation, users, inboxes, record.acked);
    // Graceful handovers are seamless: no call failed, not even with a retry-safe error.
    assert.deepEqual(Object.fromEntries(record.errors), {}, 'no send failed');
  });

  test('a rolling restart of the gateways under load: only retry-safe failures, nothing lost', async () => {
    const { users, list } = await conversationsOf(4);
    const record = await sendThrough(users, list, async () => {
      for (const gateway of system.gateways) {
        await system.restart(gateway);
        await sleep(300);
      }
    });
    // Subscriptions reconnect and resume with their last id: still exactly once, in order.
    for (const conversation of list)
      await verifyConversation(conversation, users, inboxes, record.acked);
  });
});
