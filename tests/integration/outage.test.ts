// A database or Redis outage is SERVICE_UNAVAILABLE (safe to retry), never
// INTERNAL_SERVER_ERROR; once the server is back, a retry with the same clientId succeeds
// exactly once. The outages are real: a private redis-server is killed, and the database
// is cut off behind a TCP relay (the shared servers keep running).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { TRPCClientError } from '@chat/sdk';
import { PrivateRedis } from '../support/private-redis.js';
import { stackEnv } from '../support/stack-env.js';
import { TestSystem, type TestUser } from '../support/system.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait.js';

/** The tRPC code a call ends with ('OK' when it succeeds). */
async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'OK';
  } catch (err) {
    if (err instanceof TRPCClientError)
      return (err.data as { code?: string } | undefined)?.code ?? 'UNKNOWN';
    throw err;
  }
}

/** A signed-in pair with a direct conversation. */
async function pair(
  system: TestSystem,
): Promise<{ a: TestUser; b: TestUser; conversationId: string }> {
  const [a, b] = [await system.user(), await system.user()];
  const { id } = await a.client.api.chat.openDirect.mutate({ userId: b.id });
  return { a, b, conversationId: id };
}

const send = (u: TestUser, conversationId: string, clientId: string) =>
  u.client.api.chat.send.mutate({ conversationId, clientId, content: `m ${clientId}` });

/** Sends until it succeeds (the outage is over), returning the message. */
const sendWhenBack = (u: TestUser, conversationId: string, clientId: string) =>
  waitFor(
    'the call to succeed again',
    () => send(u, conversationId, clientId).catch(() => undefined),
    45_000,
  );

async function assertOnce(u: TestUser, conversationId: string, clientId: string): Promise<void> {
  const page = await u.client.api.chat.messages.query({ conversationId, limit: 100 });
  assert.equal(page.items.filter((m) => m.clientId === clientId).length, 1, 'stored exactly once');
}

describe('outages', () => {
  describe('Redis killed', () => {
    let redis: PrivateRedis;
    let system: TestSystem;
    before(async () => {
      redis = await PrivateRedis.start();
      system = await TestSystem.start({ env: { REDIS_URL: `${redis.url}/0` } });
    });
    after(async () => {
      await redis.up().catch(() => undefined);
      await system.stop();
      await redis.stop();
    });

    test('calls answer SERVICE_UNAVAILABLE, never INTERNAL_SERVER_ERROR; a retry succeeds once', async () => {
      const { a, b, conversationId } = await pair(system);
      const first = await send(a, conversationId, randomUUID());
      await redis.kill();

      const clientId = randomUUID();
      const answers = {
        'chat.send': await codeOf(send(a, conversationId, clientId)),
        'chat.markRead': await codeOf(
          b.client.api.chat.markRead.mutate({ conversationId, upToMessageId: first.id }),
        ),
        'auth.login': await codeOf(
          system.client().login({ identifier: a.username, password: a.password }),
        ),
        'user.me': await codeOf(a.client.api.user.me.query()),
        'chat.conversations': await codeOf(a.client.api.chat.conversations.query({})),
        'notification.list': await codeOf(a.client.api.notification.list.query({})),
        'notification.markRead': await codeOf(a.client.api.notification.markRead.mutate({})),
        'chat.typing': await codeOf(
          a.client.api.chat.typing.mutate({ conversationId, isTyping: true }),
        ),
        'user.setStatus': await codeOf(a.client.api.user.setStatus.mutate({ status: 'away' })),
      };
      // Nothing is a bug, nothing waits for the RPC deadline: Redis commands give up in ~2 s.
      for (const [call, code] of Object.entries(answers))
        assert.ok(['OK', 'SERVICE_UNAVAILABLE'].includes(code), `${call}: ${code}`);
      // These need Redis (notifications live there; sign-in limits fail closed): they say so.
      assert.equal(answers['notification.list'], 'SERVICE_UNAVAILABLE');
      assert.equal(answers['notification.markRead'], 'SERVICE_UNAVAILABLE');
      assert.equal(answers['auth.login'], 'SERVICE_UNAVAILABLE');

      await redis.up();
      await sendWhenBack(a, conversationId, clientId);
      await assertOnce(a, conversationId, clientId);
      // Sign-in works again once the gateway's Redis client has reconnected (≤ 1 s backoff).
      await waitFor(
        'sign-in to work again',
        async () =>
          (await codeOf(
            system.client().login({ identifier: a.username, password: a.password }),
          )) === 'OK',
      );
    });
  });

  describe('database cut off', () => {
    let proxy: TcpProxy;
    let system: TestSystem;
    before(async () => {
      const mongo = new URL(stackEnv().MONGO_URL);
      proxy = await TcpProxy.start({ host: mongo.hostname, port: Number(mongo.port || 27017) });
      system = await TestSystem.start({
        env: { MONGO_URL: `mongodb://127.0.0.1:${proxy.port}`, RPC_TIMEOUT_MS: '15000' },
      });
    });
    after(async () => {
      await proxy.restore().catch(() => undefined);
      await system.stop();
      await proxy.cut();
    });

    test('calls answer SERVICE_UNAVAILABLE, never INTERNAL_SERVER_ERROR; a retry succeeds once', async () => {
      const { a, b, conversationId } = await pair(system);
      await proxy.cut();

      const clientId = randomUUID();
      const answers = {
        'chat.send': await codeOf(send(a, conversationId, clientId)),
        'chat.conversations': await codeOf(a.client.api.chat.conversations.query({})),
        'chat.messages': await codeOf(b.client.api.chat.messages.query({ conversationId })),
        'auth.login': await codeOf(
          system.client().login({ identifier: a.username, password: a.password }),
        ),
        'group.create': await codeOf(
          a.client.api.group.create.mutate({ name: 'g', memberIds: [b.id] }),
        ),
      };
      assert.deepEqual(answers, {
        'chat.send': 'SERVICE_UNAVAILABLE',
        'chat.conversations': 'SERVICE_UNAVAILABLE',
        'chat.messages': 'SERVICE_UNAVAILABLE',
        'auth.login': 'SERVICE_UNAVAILABLE',
        'group.create': 'SERVICE_UNAVAILABLE',
      });

      await proxy.restore();
      await sendWhenBack(a, conversationId, clientId);
      await assertOnce(a, conversationId, clientId);
    });
  });
});
