import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Message } from '@chat/api';
import { loadScenario, sendSequence, verifyConversation } from '../support/load.js';
import { PrivateRedis } from '../support/private-redis.js';
import { stackEnv } from '../support/stack-env.js';
import { TestSystem } from '../support/system.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { sleep } from '../support/wait.js';

// tools/stack is plain JS without type declarations: import it by URL and type what we use.
const stackLib = new URL('../../tools/stack/lib.mjs', import.meta.url).href;
const { rabbitmq } = (await import(stackLib)) as {
  rabbitmq: (action: 'stop' | 'start', options?: { quiet?: boolean }) => Promise<void>;
};

/**
 * The send path under load while a server it depends on goes away: the store (cut off behind
 * a TCP relay), the broker (the stack's RabbitMQ stopped) or Redis (a private redis-server
 * killed). Senders keep sending into two direct chats and a group, each retrying a failed send
 * with the same clientId, before, during and after the outage. Every acknowledged message must
 * be stored once and in each sender's order; every participant's subscription must get each
 * once, in the conversation's order — all of them, except after a Redis crash, which may lose
 * its newest log entries: then a subscription may miss a message only if it was told `resync`.
 */
async function sendThrough(
  system: TestSystem,
  outage: () => Promise<void>,
  verify: { resyncAllowed?: boolean } = {},
): Promise<Map<string, number>> {
  const { users, conversations, inboxes, senders } = await loadScenario(system);
  try {
    const record = { acked: new Map<string, Message>(), errors: new Map<string, number>() };
    // Each sender goes on until a while after the outage, so messages follow it everywhere.
    let overAt = Infinity;
    const keepGoing = () => Date.now() < overAt + 2_000;
    let finished = false;
    const load = Promise.all(
      senders.map(([user, id]) => sendSequence(user, id, 10, record, 40, keepGoing)),
    ).finally(() => (finished = true));
    await sleep(600);
    const ackedBefore = record.acked.size;
    await outage();
    overAt = Date.now();
    assert.equal(finished, false, 'the outage happened while the load ran');
    await load;
    assert.ok(ackedBefore > 0, 'messages were acknowledged before the outage');
    assert.ok(record.acked.size > ackedBefore + senders.length, 'and after it');
    for (const conversation of conversations)
      await verifyConversation(conversation, users, inboxes, record.acked, verify);
    return record.errors;
  } finally {
    inboxes.forEach((i) => i.close());
  }
}

describe('the send path under load, through outages of its servers', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  test('the store cut off for 3 s mid-load: nothing lost, nothing twice, order kept', async () => {
    const mongo = new URL(stackEnv().MONGO_URL);
    const proxy = await TcpProxy.start({ host: mongo.hostname, port: Number(mongo.port || 27017) });
    cleanups.push(() => proxy.cut());
    const system = await TestSystem.start({
      gateways: 2,
      env: {
        MONGO_URL: `mongodb://127.0.0.1:${proxy.port}`,
        RATE_SEND_PER_USER: '100000',
        RPC_TIMEOUT_MS: '3000',
      },
    });
    cleanups.push(() => system.stop());
    const errors = await sendThrough(system, async () => {
      await proxy.cut();
      await sleep(3_000);
      await proxy.restore();
    });
    assert.ok(errors.size > 0, 'the senders saw the outage');
    console.log(`store outage, retry-safe failures: ${JSON.stringify(Object.fromEntries(errors))}`);
    await system.stop();
  });

  test('RabbitMQ stopped and started mid-load: nothing lost, nothing twice, order kept', async () => {
    const system = await TestSystem.start({
      gateways: 2,
      env: { RATE_SEND_PER_USER: '100000', RPC_TIMEOUT_MS: '3000' },
    });
    cleanups.push(() => system.stop());
    let stopped = false;
    cleanups.push(async () => {
      if (stopped) await rabbitmq('start', { quiet: true });
    });
    const errors = await sendThrough(system, async () => {
      stopped = true;
      await rabbitmq('stop', { quiet: true });
      await sleep(1_000);
      await rabbitmq('start', { quiet: true });
      stopped = false;
    });
    assert.ok(errors.size > 0, 'the senders saw the outage');
    console.log(
      `broker outage, retry-safe failures: ${JSON.stringify(Object.fromEntries(errors))}`,
    );
    await system.stop();
  });

  test('Redis killed mid-load and restarted: nothing lost or twice in the store; no silent gap for any subscriber', async () => {
    const redis = await PrivateRedis.start();
    cleanups.push(() => redis.stop());
    const system = await TestSystem.start({
      gateways: 2,
      env: { REDIS_URL: `${redis.url}/0`, RATE_SEND_PER_USER: '100000', RPC_TIMEOUT_MS: '3000' },
    });
    cleanups.push(() => system.stop());
    const errors = await sendThrough(
      system,
      async () => {
        await redis.kill();
        await sleep(1_000);
        await redis.up();
      },
      { resyncAllowed: true },
    );
    console.log(`Redis crash, retry-safe failures: ${JSON.stringify(Object.fromEntries(errors))}`);
    await system.stop();
  });
});
