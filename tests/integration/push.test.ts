// Web Push end to end: the real system pushes to a real HTTPS push endpoint on 127.0.0.1
// (tests/support/push-endpoint.ts) that verifies each VAPID JWT and decrypts each payload
// (RFC 8291) with the subscription's own keys. Nothing of the sending library is mocked.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { redisKeys } from '@chat/api';
import { directPair, sendText } from '../support/direct-chat.js';
import { fakeMessageSent, publishSent } from '../support/message-sent.js';
import { rejectsWith } from '../support/errors.js';
import { scrape, total } from '../support/metrics.js';
import {
  startPushEndpoint,
  type PushEndpoint,
  type TestPushSubscription,
} from '../support/push-endpoint.js';
import { TestSystem, vapidKeys, type TestUser } from '../support/system.js';
import { sleep, waitFor } from '../support/wait.js';

describe('Web Push', () => {
  const keys = vapidKeys();
  let endpoint: PushEndpoint;
  let system: TestSystem;
  let redis: Redis;
  let db: mongoose.Connection;

  before(async () => {
    endpoint = await startPushEndpoint({ vapidPublicKey: keys.VAPID_PUBLIC_KEY });
    system = await TestSystem.start({
      workers: ['auth', 'user', 'chat', 'notification'],
      env: {
        ...keys,
        // The worker trusts the endpoint's self-signed certificate (and nothing is disabled).
        NODE_EXTRA_CA_CERTS: endpoint.caFile,
        RATE_SEND_PER_USER: '100000',
      },
    });
    redis = new Redis(system.env.REDIS_URL!);
    db = await mongoose
      .createConnection(system.env.MONGO_URL!, { dbName: `${system.dbPrefix}notifications` })
      .asPromise();
  });
  after(async () => {
    redis?.disconnect();
    await db?.close();
    await system?.stop();
    await endpoint?.close();
  });

  /** A new subscription of `u` at the endpoint, registered through push.subscribe. */
  async function subscribe(u: TestUser, name: string): Promise<TestPushSubscription> {
    const sub = endpoint.subscription(name);
    assert.deepEqual(await u.client.api.push.subscribe.mutate(sub.json), { ok: true });
    return sub;
  }
  const pushesOf = (sub: TestPushSubscription, n: number) =>
    waitFor(`${n} push(es) to ${sub.name}`, () => sub.received().length >= n && sub.received());
  const storedCount = (userId: string) =>
    db.collection('push_subscriptions').countDocuments({ userId });
  /** push_deliveries_total of the notification worker, by outcome. */
  async function deliveries() {
    const url = system.metricsUrl(system.worker('notification'));
    const samples = await scrape(url);
    const count = (outcome: string) => total(samples, 'push_deliveries_total', { outcome });
    return {
      sent: count('sent'),
      gone: count('gone'),
      failed: count('failed'),
      refused: count('refused'),
      dropped: count('dropped'),
    };
  }

  test('push.vapidPublicKey answers without a token: the configured 65-byte P-256 point', async () => {
    const { publicKey } = await system.client().api.push.vapidPublicKey.query();
    assert.equal(publicKey, keys.VAPID_PUBLIC_KEY);
    const point = Buffer.from(publicKey, 'base64url');
    assert.equal(point.length, 65);
    assert.equal(point[0], 4, 'uncompressed');
  });

  test('an offline recipient gets a payload that decrypts, signed by the VAPID key; the sender none', async () => {
    const { a, b, conversation } = await directPair(system);
    await a.client.api.user.updateProfile.mutate({ displayName: 'Alice Push' });
    const own = await subscribe(a, 'sender');
    const sub = await subscribe(b, 'offline recipient');
    const message = await sendText(a, conversation.id, '  hello\n push  ');
    const [push] = await pushesOf(sub, 1);
    assert.deepEqual(push!.payload, {
      title: 'Alice Push',
      body: 'hello push',
      conversationId: conversation.id,
      messageId: message.id,
      url: `/#/c/${conversation.id}`,
    });
    assert.equal(push!.claims.aud, endpoint.origin);
    assert.equal(push!.claims.sub, 'mailto:admin@localhost');
    assert.ok(Number(push!.headers.ttl) > 0, 'a TTL');
    assert.equal(push!.headers.urgency, 'normal');
    assert.match(String(push!.headers.topic), /^[A-Za-z0-9_-]{1,32}$/);

    // A long text is cut to a preview; a second message proves the sender's silence.
    const long = 'x'.repeat(500);
    await sendText(a, conversation.id, long);
    const pushes = await pushesOf(sub, 2);
    const body = (pushes[1]!.payload as { body: string }).body;
    assert.ok(body.length <= 120 && body.endsWith('…'), body);
    assert.equal(own.received().length, 0, 'the sender is never pushed');
    assert.deepEqual(endpoint.errors, []);
  });

  test('a redelivered or re-published message.sent pushes nobody twice', async () => {
    const { a, b, conversation } = await directPair(system);
    const sub = await subscribe(b, 'redelivery recipient');
    const bus = await system.connectBus();
    // The same event three times (as after a crash that lost its ack), then a later one on
    // the same partition: once the later one is pushed, the repeats were handled.
    const repeated = fakeMessageSent(a.id, [a.id, b.id], conversation.id);
    await Promise.all([publishSent(bus, repeated), publishSent(bus, repeated)]);
    await publishSent(bus, repeated);
    const later = fakeMessageSent(a.id, [a.id, b.id], conversation.id);
    await publishSent(bus, later);
    const pushed = (id: string) =>
      sub.received().filter((p) => (p.payload as { messageId: string }).messageId === id);
    await waitFor('the later message pushed', () => pushed(later.message.id).length > 0);
    await sleep(300);
    assert.equal(pushed(repeated.message.id).length, 1, 'the repeated event pushed once');
    assert.equal(pushed(later.message.id).length, 1);
  });

  test('group: a recipient with an open socket, a muted one and the sender get none', async () => {
    const [owner, online, muted, offline] = await Promise.all(
      Array.from({ length: 4 }, () => system.user()),
    );
    await owner!.client.api.user.updateProfile.mutate({ displayName: 'Olga' });
    const g = await owner!.client.api.group.create.mutate({
      name: 'pushers',
      memberIds: [online!.id, muted!.id, offline!.id],
    });
    const subs = {
      owner: await subscribe(owner!, 'group owner'),
      online: await subscribe(online!, 'online member'),
      muted: await subscribe(muted!, 'muted member'),
      offline: await subscribe(offline!, 'offline member'),
    };
    await muted!.client.api.chat.mute.mutate({
      conversationId: g.conversationId,
      until: new Date(Date.now() + 3_600_000).toISOString(),
    });
    // An open socket: the gateway has it in presence:{userId}.
    const stream = online!.client.api.events.stream.subscribe(undefined, {
      onData: () => undefined,
      onError: () => undefined,
    });
    try {
      await waitFor('the online member present', async () => {
        return (await redis.zcount(redisKeys.presence(online!.id), Date.now(), '+inf')) > 0;
      });
      const first = await sendText(owner!, g.conversationId, 'first');
      const [push] = await pushesOf(subs.offline, 1);
      assert.deepEqual(push!.payload, {
        title: 'Olga in pushers',
        body: 'first',
        conversationId: g.conversationId,
        messageId: first.id,
        url: `/#/c/${g.conversationId}`,
      });
      // Pushes of a later message go out after every push of the first one began.
      await sendText(owner!, g.conversationId, 'second');
      await pushesOf(subs.offline, 2);
      assert.equal(subs.online.received().length, 0, 'open socket: no push');
      assert.equal(subs.muted.received().length, 0, 'muted: no push');
      assert.equal(subs.owner.received().length, 0, 'sender: no push');
    } finally {
      stream.unsubscribe();
    }
  });

  test('410 and 404 remove the subscription, a 500 keeps it', async () => {
    const { a, b, conversation } = await directPair(system);
    const gone = await subscribe(b, 'answers 410');
    const missing = await subscribe(b, 'answers 404');
    const failing = await subscribe(b, 'answers 500');
    const healthy = await subscribe(b, 'healthy');
    gone.respondWith(410);
    missing.respondWith(404);
    failing.respondWith(500);
    assert.equal(await storedCount(b.id), 4);
    const before = await deliveries();

    await sendText(a, conversation.id, 'one');
    for (const sub of [gone, missing, failing, healthy]) await pushesOf(sub, 1);
    await waitFor('the 404/410 subscriptions removed', async () => (await storedCount(b.id)) === 2);

    await sendText(a, conversation.id, 'two');
    await pushesOf(healthy, 2);
    await pushesOf(failing, 2);
    assert.equal(gone.received().length, 1, 'a 410 subscription gets nothing more');
    assert.equal(missing.received().length, 1, 'a 404 subscription gets nothing more');
    const counted = await waitFor('the pushes counted', async () => {
      const now = await deliveries();
      return now.sent - before.sent >= 2 && now.failed - before.failed >= 2 && now;
    });
    assert.equal(counted.gone - before.gone, 2, 'push_deliveries_total{outcome="gone"}');
  });

  test('a user keeps at most 10 subscriptions: the 11th drops the oldest', async () => {
    const u = await system.user();
    const subs: TestPushSubscription[] = [];
    for (let i = 0; i < 11; i++) subs.push(await subscribe(u, `device ${i}`));
    const endpoints = await db
      .collection('push_subscriptions')
      .find({ userId: u.id })
      .map((d) => d.endpoint as string)
      .toArray();
    assert.deepEqual(
      endpoints.sort(),
      subs
        .slice(1)
        .map((s) => s.json.endpoint)
        .sort(),
    );
  });

  test('unsubscribe stops pushes; only the owner can; the same endpoint moves between users', async () => {
    const { a, b, conversation } = await directPair(system);
    const dropped = await subscribe(b, 'unsubscribed');
    const kept = await subscribe(b, 'kept');
    assert.deepEqual(
      await b.client.api.push.unsubscribe.mutate({ endpoint: dropped.json.endpoint }),
      {
        ok: true,
      },
    );
    // Someone else's endpoint: answered alike (nothing to learn), removed not.
    assert.deepEqual(await a.client.api.push.unsubscribe.mutate({ endpoint: kept.json.endpoint }), {
      ok: true,
    });
    await sendText(a, conversation.id, 'after unsubscribe');
    await pushesOf(kept, 1);

    // The browser of `kept` signs in as `a` and subscribes again: it is a's now.
    await a.client.api.push.subscribe.mutate(kept.json);
    assert.equal(await storedCount(b.id), 0);
    await sendText(b, conversation.id, 'to a');
    await pushesOf(kept, 2);
    assert.equal((kept.received()[1]!.payload as { body: string }).body, 'to a');
    assert.equal(dropped.received().length, 0);
  });

  test('subscribe refuses bad input, unsafe endpoints, and callers without a token', async () => {
    const u = await system.user();
    const good = endpoint.subscription('validation').json;
    const bad = async (input: unknown, code = 'BAD_REQUEST') =>
      rejectsWith(u.client.api.push.subscribe.mutate(input as typeof good), code);
    await bad({ ...good, endpoint: good.endpoint.replace('https:', 'http:') });
    await bad({ ...good, endpoint: `${endpoint.origin}/push/${'a'.repeat(3000)}` });
    await bad({ ...good, keys: { ...good.keys, p256dh: 'not+base64url/'.repeat(7) } });
    await bad({ ...good, keys: { ...good.keys, auth: 'short' } });
    await bad({ endpoint: good.endpoint });
    // Checked by the worker: private addresses are never contacted (loopback only outside
    // production; the unit tests cover production's refusals).
    const privateErr = await bad({ ...good, endpoint: 'https://10.0.0.1/push/x' });
    assert.match(privateErr.message, /private/);
    const linkLocal = await bad({ ...good, endpoint: 'https://169.254.169.254/latest' });
    assert.match(linkLocal.message, /link-local/);
    await rejectsWith(system.client().api.push.subscribe.mutate(good), 'UNAUTHORIZED');
    await rejectsWith(
      system.client().api.push.unsubscribe.mutate({ endpoint: good.endpoint }),
      'UNAUTHORIZED',
    );
    assert.equal(await storedCount(u.id), 0);
  });
});
