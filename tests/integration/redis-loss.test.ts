import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { ClientEvent } from '@chat/api';
import { PrivateRedis } from '../support/private-redis.js';
import { directPair, sendText } from '../support/direct-chat.js';
import { TestSystem, type TestUser } from '../support/system.js';
import { waitFor } from '../support/wait.js';

interface Item {
  id: string | null;
  event: ClientEvent;
}

/** Event ids (`<epoch>-<ms>-<seq>`) compared part by part. */
function idLess(a: string, b: string): boolean {
  const as = a.split('-').map(BigInt);
  const bs = b.split('-').map(BigInt);
  for (let i = 0; i < Math.max(as.length, bs.length); i++)
    if ((as[i] ?? 0n) !== (bs[i] ?? 0n)) return (as[i] ?? 0n) < (bs[i] ?? 0n);
  return false;
}

/**
 * Redis may lose its newest writes in a crash (AOF everysec: up to a second). The event logs
 * live there, so after a Redis crash a client resuming with its last id must hear `resync`
 * — never silently miss what was lost (issue: "no silent gap after a Redis crash").
 */
describe('a Redis crash', () => {
  let redis: PrivateRedis;
  let system: TestSystem;

  before(async () => {
    redis = await PrivateRedis.start();
    system = await TestSystem.start({
      env: { REDIS_URL: redis.url, RATE_SEND_PER_USER: '100000' },
    });
  });
  after(async () => {
    await system?.stop();
    await redis?.stop();
  });

  /** Resolves once the subscription is live (the server says `started` only then). */
  async function subscribe(u: TestUser, lastEventId?: string) {
    const items: Item[] = [];
    const client = system.client({ session: u.client.session });
    let started!: () => void;
    const live = new Promise<void>((resolve) => (started = resolve));
    const sub = client.api.events.stream.subscribe(lastEventId ? { lastEventId } : undefined, {
      onStarted: () => started(),
      onData: (data: unknown) => {
        const d = data as Record<string, unknown>;
        if (typeof d.type === 'string') items.push({ id: null, event: d as ClientEvent });
        else items.push({ id: d.id as string, event: d.data as ClientEvent });
      },
    });
    await live;
    return {
      items,
      stop: () => {
        sub.unsubscribe();
        client.close();
      },
      newMessages: () =>
        items.flatMap((i) => (i.event.type === 'message.new' ? [i.event.message.id] : [])),
    };
  }

  const pair = () => directPair(system);
  const send = sendText;

  /** Sends until the system answers again (it reconnects to Redis by itself). */
  async function sendWhenBack(u: TestUser, conversationId: string, content: string) {
    const clientId = randomUUID();
    return waitFor(
      'the system to answer again',
      () =>
        u.client.api.chat.send.mutate({ conversationId, clientId, content }).catch(() => undefined),
      30_000,
    );
  }

  test('a client offline across the crash resumes with resync, not a gap; one online gets resync live', async () => {
    const { a, b, conversation } = await pair();
    const offline = await subscribe(b);
    const online = await subscribe(a);
    const m1 = await send(a, conversation.id, 'before');
    await waitFor('b has m1', () => offline.newMessages().includes(m1.id));
    await waitFor('a has m1', () => online.newMessages().includes(m1.id));
    const last = offline.items.filter((i) => i.id).at(-1)!.id!;
    offline.stop();

    // Appended to b's log, then Redis dies before it may have reached the disk.
    const lost = await send(a, conversation.id, 'maybe lost');
    await redis.kill();
    await redis.up();
    const after = await sendWhenBack(a, conversation.id, 'after');

    const resumed = await subscribe(b, last);
    await waitFor('b hears something', () => resumed.items[0]);
    assert.deepEqual(resumed.items[0]!.event, { type: 'resync' }, 'never a silent gap');
    assert.ok(idLess(last, resumed.items[0]!.id!), 'the resync id is above what b had');
    // After reloading, b has everything: the messages are in the store.
    const history = await b.client.api.chat.messages.query({ conversationId: conversation.id });
    const ids = history.items.map((m) => m.id);
    for (const m of [m1, lost, after]) assert.ok(ids.includes(m.id), `history has ${m.content}`);

    // The subscriber that stayed connected is told too, and its ids never went back.
    await waitFor('a hears resync', () => online.items.some((i) => i.event.type === 'resync'));
    const ids$ = online.items.flatMap((i) => (i.id ? [i.id] : []));
    for (let i = 1; i < ids$.length; i++)
      assert.ok(idLess(ids$[i - 1]!, ids$[i]!), `ids increase: ${ids$[i - 1]} < ${ids$[i]}`);
    const next = await send(b, conversation.id, 'and on we go');
    await waitFor('live again after the resync', () => online.newMessages().includes(next.id));
    resumed.stop();
    online.stop();
  });
});
