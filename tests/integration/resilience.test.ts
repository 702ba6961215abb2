import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { connect, type GetMessage } from 'amqplib';
import { Bus, DELIVERY_LIMIT, type EventEnvelope } from '@chat/bus';
import { AppError, createLogger } from '@chat/core';
import { rejectsWith } from '../support/errors.js';
import { stackEnv } from '../support/stack-env.js';
import { TestSystem, uniqueName } from '../support/system.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { sleep } from '../support/wait.js';

// tools/stack is plain JS without type declarations: import it by URL and type what we use.
const stackLib = new URL('../../tools/stack/lib.mjs', import.meta.url).href;
const { rabbitmq } = (await import(stackLib)) as {
  rabbitmq: (action: 'stop' | 'start', options?: { quiet?: boolean }) => Promise<void>;
};

const RPC_TIMEOUT_MS = 1_500;

/** Polls `check` until it returns a value other than undefined, or fails after `ms`. */
async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  ms: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await sleep(250);
  }
  assert.fail(`${what}: not after ${ms} ms (last error: ${String(last)})`);
}

const ready = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** Awaits a call that must fail as "retry later", and must do so within the RPC timeout (never hang). */
async function failsFast(promise: Promise<unknown>, what: string): Promise<string> {
  const started = Date.now();
  let code: string | undefined;
  const bound = RPC_TIMEOUT_MS + 3_000;
  const outcome = await Promise.race([
    promise.then(
      () => 'succeeded',
      (err: { data?: { code?: string }; message?: string }) => {
        code = err.data?.code;
        return `failed: ${err.message}`;
      },
    ),
    sleep(bound).then(() => 'hung'),
  ]);
  assert.ok(outcome.startsWith('failed'), `${what}: expected a quick failure, got ${outcome}`);
  assert.ok(
    code === 'SERVICE_UNAVAILABLE' || code === 'GATEWAY_TIMEOUT',
    `${what}: got ${code} (${outcome})`,
  );
  assert.ok(Date.now() - started < bound, `${what}: answered after ${Date.now() - started} ms`);
  return code;
}

describe('resilience', () => {
  let system: TestSystem;
  before(async () => {
    system = await TestSystem.start({ env: { RPC_TIMEOUT_MS: String(RPC_TIMEOUT_MS) } });
  });
  after(() => system.stop());

  test('a RabbitMQ restart: calls fail fast, then everything recovers without restarting a process', async () => {
    const procs = [...system.gateways, system.worker('auth'), system.worker('user')];
    const pids = procs.map((p) => p.pid);
    const { client, id } = await system.user();
    assert.equal((await client.api.user.me.query()).id, id);

    let stopped = false;
    try {
      await rabbitmq('stop', { quiet: true });
      stopped = true;

      await eventually(
        async () => {
          const r = await ready(`${system.url}/ready`);
          return r.status === 503 ? r : undefined;
        },
        15_000,
        'gateway /ready turns 503',
      ).then((r) => {
        assert.equal(r.body.rabbitmq, false);
        assert.equal(r.body.redis, true, 'only the broker is reported down');
      });
      assert.equal(
        (await fetch(`${system.url}/health`)).status,
        200,
        'the gateway itself still runs',
      );

      await failsFast(client.api.user.me.query(), 'user.me during the outage');
      await failsFast(
        system.client().login({ identifier: 'nobody', password: 'whatever' }),
        'auth.login during the outage',
      );
      for (const worker of [system.worker('auth'), system.worker('user')]) {
        assert.equal(
          (await ready(system.readyUrl(worker))).status,
          503,
          `${worker.name} /ready during the outage`,
        );
      }

      await rabbitmq('start', { quiet: true });
      stopped = false;
    } finally {
      if (stopped) await rabbitmq('start', { quiet: true });
    }

    // No process was restarted: recovery is the bus's own doing.
    await eventually(
      async () => ((await client.api.user.me.query()).id === id ? true : undefined),
      60_000,
      'user.me works again',
    );
    assert.deepEqual(
      procs.map((p) => p.pid),
      pids,
      'same processes',
    );
    assert.ok(
      procs.every((p) => p.running),
      'all still running',
    );
    const gatewayReady = await ready(`${system.url}/ready`);
    assert.equal(gatewayReady.status, 200);
    assert.deepEqual([gatewayReady.body.rabbitmq, gatewayReady.body.redis], [true, true]);
    for (const worker of [system.worker('auth'), system.worker('user')]) {
      await eventually(
        async () => ((await ready(system.readyUrl(worker))).status === 200 ? true : undefined),
        30_000,
        `${worker.name} /ready`,
      );
    }

    // Both workers consume again: sign-up (auth → user provisioning), login (auth), me (user).
    const username = uniqueName();
    const password = 'after-the-outage';
    const fresh = system.client();
    const session = await fresh.register({ username, email: `${username}@example.test`, password });
    const login = await system.client().login({ identifier: username, password });
    assert.equal(login.user.id, session.user.id);
    const me = await fresh.api.user.me.query();
    assert.equal(me.id, session.user.id);
    assert.equal(me.username, username);
  });

  test('a stopped worker answers GATEWAY_TIMEOUT; work queued meanwhile is not done late; restarted, it serves again', async () => {
    const { client, id } = await system.user();
    const observer = await system.user();
    const before = await client.api.user.me.query();
    assert.equal(before.id, id);
    const lateName = `late ${randomBytes(4).toString('hex')}`;
    await system.worker('user').stop();
    try {
      await rejectsWith(client.api.user.me.query(), 'GATEWAY_TIMEOUT');
      await rejectsWith(
        client.api.user.updateProfile.mutate({ displayName: lateName }),
        'GATEWAY_TIMEOUT',
      );
    } finally {
      await system.restart(system.worker('user'));
    }
    const me = await eventually(
      async () => client.api.user.me.query(),
      30_000,
      'user.me after the restart',
    );
    assert.equal(me.id, id);
    // The request that timed out sat in the queue; the restarted worker must drop it, not apply it.
    // Search reads the database (no cache), so it sees a late write whatever the profile cache does.
    await sleep(500);
    const found = await observer.client.api.user.search.query({ query: lateName });
    assert.deepEqual(
      found.items.map((u) => u.displayName),
      [],
      'the timed-out update was not applied',
    );
    assert.equal((await client.api.user.me.query()).displayName, before.displayName);
    const updated = await client.api.user.updateProfile.mutate({ displayName: 'on time' });
    assert.equal(updated.displayName, 'on time');
  });
});

describe('bus', () => {
  const namespace = `tbus${randomBytes(4).toString('hex')}.`;
  const log = createLogger({ service: 'test', level: 'silent' });
  const { AMQP_URL } = stackEnv();
  let bus: Bus;

  before(async () => {
    bus = await Bus.connect({ url: AMQP_URL, service: 'test', log, namespace });
  });

  after(async () => {
    await bus.close();
    const conn = await connect(AMQP_URL);
    try {
      const ch = await conn.createChannel();
      for (const queue of ['poison', 'fragile', 'ordered', 'dead_letters', 'rpc.flaky.shared'])
        await ch.deleteQueue(`${namespace}${queue}`);
      for (const exchange of ['user_events', 'chat_events', 'dlx'])
        await ch.deleteExchange(`${namespace}${exchange}`);
    } finally {
      await conn.close();
    }
  });

  test('a setup the broker interrupts (a worker starting) runs again once reconnected, and serve does not fail', async () => {
    const target = new URL(AMQP_URL);
    const proxy = await TcpProxy.start({
      host: target.hostname,
      port: Number(target.port || 5672),
    });
    const viaProxy = new URL(AMQP_URL);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const flaky = await Bus.connect({ url: viaProxy.toString(), service: 'flaky', log, namespace });
    try {
      const serving = flaky.serve({
        service: 'flaky',
        dispatch: (method) => Promise.resolve({ method }),
      });
      // Mid-setup (its channel is being opened): the connection ends under it.
      await proxy.cut();
      await proxy.restore();
      await serving;
      let answer: unknown;
      const deadline = Date.now() + 15_000;
      while (answer === undefined && Date.now() < deadline) {
        answer = await bus
          .call({ service: 'flaky', partition: null }, 'flaky.ping', {}, { requestId: 't' }, 2_000)
          .catch(() => sleep(100).then(() => undefined));
      }
      assert.deepEqual(answer, { method: 'flaky.ping' }, 'the service answers after the reconnect');
    } finally {
      await flaky.close();
      await proxy.cut();
    }
  });

  test('a call to a service without a queue fails with SERVICE_UNAVAILABLE, not a timeout', async () => {
    const started = Date.now();
    const err = await bus
      .call({ service: 'nobody', partition: null }, 'x.y', {}, { requestId: 't' }, 2_000)
      .then(
        () => assert.fail('the call succeeded'),
        (e: unknown) => e,
      );
    assert.ok(err instanceof AppError, String(err));
    assert.equal(err.code, 'SERVICE_UNAVAILABLE', err.message);
    assert.ok(Date.now() - started < 2_000, 'answered before the timeout');
  });

  test('events with the same orderKey are handled in publish order', async () => {
    const seen: Array<{ key: string; n: number }> = [];
    await bus.subscribe({
      queue: 'ordered',
      exchange: 'user_events',
      routingKeys: ['ordered.#'],
      orderKey: (event) => (event.data as { key: string }).key,
      // Random handling times would reorder events if they ran in parallel (prefetch 16).
      handler: async (event: EventEnvelope) => {
        await sleep(Math.random() * 30);
        seen.push(event.data as { key: string; n: number });
      },
    });
    for (let n = 0; n < 30; n++) {
      await bus.publish(
        'user_events',
        'ordered.test',
        { key: n % 2 ? 'a' : 'b', n },
        { requestId: 't' },
      );
    }
    const deadline = Date.now() + 15_000;
    while (seen.length < 30 && Date.now() < deadline) await sleep(50);
    assert.equal(seen.length, 30, 'every event was handled');
    for (const key of ['a', 'b']) {
      const order = seen.filter((e) => e.key === key).map((e) => e.n);
      assert.deepEqual(
        order,
        [...order].sort((x, y) => x - y),
        `events of ${key} kept their order`,
      );
    }
  });

  test("an event whose handler fails for a while still goes before its key's later events", async () => {
    const seen: number[] = [];
    let failures = 0;
    await bus.subscribe({
      queue: 'ordered-failing',
      exchange: 'user_events',
      routingKeys: ['ordered-failing.#'],
      orderKey: () => 'one key',
      // The first event fails twice (a dependency down for a moment), the others never.
      handler: (event: EventEnvelope) => {
        const { n } = event.data as { n: number };
        if (n === 0 && failures < 2) {
          failures++;
          return Promise.reject(new Error('dependency down'));
        }
        seen.push(n);
        return Promise.resolve();
      },
    });
    for (let n = 0; n < 10; n++)
      await bus.publish('user_events', 'ordered-failing.test', { n }, { requestId: 't' });
    const deadline = Date.now() + 15_000;
    while (seen.length < 10 && Date.now() < deadline) await sleep(50);
    assert.equal(failures, 2, 'the first event failed twice');
    assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'handled once each, in publish order');
  });

  test('a consumer whose queue is deleted under it comes back by itself', async () => {
    const seen: string[] = [];
    await bus.subscribe({
      queue: 'fragile',
      exchange: 'user_events',
      routingKeys: ['fragile.#'],
      handler: (event: EventEnvelope) => {
        seen.push(event.id);
        return Promise.resolve();
      },
    });
    const first = await bus.publish('user_events', 'fragile.one', {}, { requestId: 'fragile' });
    await eventually(
      () => (seen.includes(first.id) ? true : undefined),
      10_000,
      'first event handled',
    );

    // An operator (or a broker-side policy) deletes the queue: the broker cancels our consumer.
    const conn = await connect(AMQP_URL);
    try {
      const ch = await conn.createChannel();
      await ch.deleteQueue(`${namespace}fragile`);
    } finally {
      await conn.close();
    }
    // Events published once the consumer is back must be handled; a silent dead consumer never would.
    await eventually(
      async () => {
        const event = await bus
          .publish('user_events', 'fragile.two', {}, { requestId: 'fragile' })
          .catch(() => null);
        await sleep(300);
        return event && seen.includes(event.id) ? true : undefined;
      },
      30_000,
      'an event after the deletion is handled',
    );
  });

  test('the publisher recovers after the broker closes its channel (exchange deleted under it)', async () => {
    const conn = await connect(AMQP_URL);
    try {
      const ch = await conn.createChannel();
      await ch.deleteExchange(`${namespace}chat_events`);
    } finally {
      await conn.close();
    }
    // Publishing to the missing exchange closes the publisher channel (404)…
    const err = await bus.publish('chat_events', 'x.y', {}, { requestId: 'pub' }, 0).then(
      () => assert.fail('published to a deleted exchange'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof AppError && err.code === 'SERVICE_UNAVAILABLE', String(err));
    // …and the bus must not stay broken while its connection is fine.
    await eventually(
      async () =>
        await bus
          .publish('chat_events', 'x.y', {}, { requestId: 'pub' }, 0)
          .then(() => true)
          .catch(() => undefined),
      30_000,
      'publish works again',
    );
    await eventually(() => (bus.connected ? true : undefined), 5_000, 'bus reports connected');
    const call = await bus
      .call({ service: 'nobody', partition: null }, 'x.y', {}, { requestId: 't' }, 2_000)
      .then(
        () => 'ok',
        (e: AppError) => e.code,
      );
    assert.equal(
      call,
      'SERVICE_UNAVAILABLE',
      'calls go through the new publisher (returned unroutable)',
    );
  });

  test('a poison event is retried at most DELIVERY_LIMIT+1 times, then parked in the dead-letter queue', async () => {
    const deliveries: string[] = [];
    await bus.subscribe({
      queue: 'poison',
      exchange: 'user_events',
      routingKeys: ['poison.#'],
      handler: (event: EventEnvelope) => {
        deliveries.push(event.id);
        return Promise.reject(new Error('always fails'));
      },
    });
    const event = await bus.publish(
      'user_events',
      'poison.test',
      { n: 1 },
      { requestId: 'poison-test' },
    );

    const conn = await connect(AMQP_URL);
    try {
      const ch = await conn.createChannel();
      const dead = await eventually<GetMessage>(
        async () => (await ch.get(`${namespace}dead_letters`, { noAck: true })) || undefined,
        60_000,
        'the event reaches the dead-letter queue',
      );
      const parked = JSON.parse(dead.content.toString()) as EventEnvelope<{ n: number }>;
      assert.equal(parked.id, event.id);
      assert.equal(parked.type, 'poison.test');
      assert.deepEqual(parked.data, { n: 1 });
      assert.equal(dead.properties.messageId, event.id);
      assert.equal(dead.fields.routingKey, 'poison.test');

      // Nothing more is delivered once it is parked.
      await sleep(1_500);
      assert.ok(deliveries.length > 1, `retried before parking (${deliveries.length} deliveries)`);
      assert.ok(deliveries.length <= DELIVERY_LIMIT + 1, `${deliveries.length} deliveries`);
      assert.ok(
        deliveries.every((d) => d === event.id),
        'only this event',
      );
      assert.equal(
        (await ch.checkQueue(`${namespace}poison`)).messageCount,
        0,
        'the work queue is empty',
      );
      assert.equal(
        (await ch.checkQueue(`${namespace}dead_letters`)).messageCount,
        0,
        'parked exactly once',
      );
    } finally {
      await conn.close();
    }
  });
});
