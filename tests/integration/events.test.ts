import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { Bus } from '@chat/bus';
import { MAX_CONTENT_CHARS, redisKeys, type ClientEvent, type MessageSentEvent } from '@chat/api';
import type { ChatClient } from '@chat/sdk';
import { directPair, sendText } from '../support/direct-chat.js';
import {
  fakeMessageSent,
  hexId,
  publishSent as publishMessageSent,
} from '../support/message-sent.js';
import { TEST_OFFLINE_GRACE_MS, TestSystem, type TestUser } from '../support/system.js';
import { sleep, waitFor } from '../support/wait.js';

/** Trimming is tested with a tiny log: entries older than 2 s beyond the newest 20 go. */
const LOG_MAX_EVENTS = 20;
const LOG_MAX_AGE_S = 2;

interface Item {
  id: string | null;
  event: ClientEvent;
}

/** One `events.stream` subscription of a user on one gateway, recording what arrives. */
class Feed {
  private readonly all: Item[] = [];
  readonly errors: unknown[] = [];
  private unsubscribe: () => void = () => undefined;
  private readonly probe = `probe-${randomBytes(4).toString('hex')}`;

  constructor(
    readonly user: TestUser,
    readonly client: ChatClient,
  ) {}

  /** What arrived, without the readiness probes. */
  get items(): Item[] {
    return this.all.filter(
      (i) => !(i.event.type === 'typing' && i.event.conversationId.startsWith('probe-')),
    );
  }

  stored(): Item[] {
    return this.items.filter((i) => i.id !== null);
  }

  /** Ids of the messages of `message.new` events, in arrival order. */
  messageIds(): string[] {
    return this.items.flatMap((i) => (i.event.type === 'message.new' ? [i.event.message.id] : []));
  }

  of<T extends ClientEvent['type']>(type: T): Array<Extract<ClientEvent, { type: T }>> {
    return this.items.flatMap((i) =>
      i.event.type === type ? [i.event as Extract<ClientEvent, { type: T }>] : [],
    );
  }

  lastStoredId(): string {
    const last = this.stored().at(-1);
    assert.ok(last?.id, 'the feed received a stored event');
    return last.id;
  }

  start(lastEventId: string | undefined): void {
    const sub = this.client.api.events.stream.subscribe(lastEventId ? { lastEventId } : undefined, {
      onData: (data: unknown) => {
        const d = data as Record<string, unknown>;
        // Tracked events arrive as { id, data }; live-only ones as the bare event.
        if (typeof d.type === 'string') this.all.push({ id: null, event: d as ClientEvent });
        else this.all.push({ id: d.id as string, event: d.data as ClientEvent });
      },
      onError: (err: unknown) => this.errors.push(err),
    });
    this.unsubscribe = () => sub.unsubscribe();
  }

  /**
   * Resolves once the subscription is live: a probe published on the user's live channel
   * comes back. Stored events queued for it are delivered before anything live.
   */
  async ready(redis: Redis): Promise<void> {
    const probe: ClientEvent = {
      type: 'typing',
      conversationId: this.probe,
      userId: 'probe',
      isTyping: false,
    };
    await waitFor('the stream to go live', async () => {
      await redis.publish(redisKeys.liveChannel(this.user.id), JSON.stringify(probe));
      await sleep(150);
      return this.all.some(
        (i) => i.event.type === 'typing' && i.event.conversationId === this.probe,
      );
    });
  }

  waitFor<T>(what: string, pick: (feed: Feed) => T | undefined | false, timeoutMs?: number) {
    return waitFor(what, () => pick(this), timeoutMs);
  }

  /** Ends the subscription; `close` also closes the client's WebSocket. */
  stop(close = true): void {
    this.unsubscribe();
    if (close) this.client.close();
  }
}

/** Event ids (`<epoch>-<ms>-<seq>`) or stream ids (`<ms>-<seq>`) compared numerically, part by part. */
function idLess(a: string, b: string): boolean {
  const as = a.split('-').map(BigInt);
  const bs = b.split('-').map(BigInt);
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    const x = as[i] ?? 0n;
    const y = bs[i] ?? 0n;
    if (x !== y) return x < y;
  }
  return false;
}

/** The stream entry id inside an event id (`<epoch>-<ms>-<seq>` → `<ms>-<seq>`). */
const entryOf = (eventId: string) => eventId.slice(eventId.indexOf('-') + 1);

function assertIncreasing(items: Item[]): void {
  const ids = items.flatMap((i) => (i.id ? [i.id] : []));
  for (let i = 1; i < ids.length; i++)
    assert.ok(idLess(ids[i - 1]!, ids[i]!), `event ids increase: ${ids[i - 1]} < ${ids[i]}`);
}

describe('events.stream', () => {
  let system: TestSystem;
  let redis: Redis;
  let bus: Bus;
  const feeds: Feed[] = [];

  before(async () => {
    system = await TestSystem.start({
      workers: ['auth', 'user', 'chat', 'notification'],
      gateways: 2,
      env: {
        RATE_SEND_PER_USER: '100000',
        RATE_TYPING_PER_USER: '100000',
        EVENT_LOG_MAX_EVENTS: String(LOG_MAX_EVENTS),
        EVENT_LOG_MAX_AGE_S: String(LOG_MAX_AGE_S),
        PRESENCE_TTL_MS: '3000',
        PRESENCE_HEARTBEAT_MS: '1000',
        PRESENCE_SWEEP_INTERVAL_MS: '1000',
      },
    });
    redis = new Redis(system.env.REDIS_URL!);
    bus = await system.connectBus();
  });
  after(async () => {
    feeds.forEach((f) => f.stop());
    await bus?.close();
    redis?.disconnect();
    await system.stop();
  });

  /** Opens `user`'s stream on gateway `gateway` (its own client and WebSocket) and waits until live. */
  async function open(
    user: TestUser,
    options: { gateway?: number; lastEventId?: string } = {},
  ): Promise<Feed> {
    const client = system.client({
      url: system.urls[options.gateway ?? 0]!,
      session: user.client.session,
    });
    const feed = new Feed(user, client);
    feeds.push(feed);
    feed.start(options.lastEventId);
    await feed.ready(redis);
    return feed;
  }

  const pair = () => directPair(system);
  const send = sendText;

  const publishSent = (payload: MessageSentEvent) => publishMessageSent(bus, payload);

  /** The current epoch of the event logs, as the gateways put it in front of each id. */
  async function epoch(): Promise<string> {
    const value = await redis.get(redisKeys.eventEpoch);
    assert.ok(value, 'the gateways started an epoch');
    return value.slice(0, value.indexOf(':'));
  }

  /** The stored events of a user's log, oldest first, with the ids clients see. */
  async function eventLog(userId: string): Promise<Item[]> {
    const prefix = await epoch();
    const entries = await redis.xrange(redisKeys.eventLog(userId), '-', '+');
    return entries.map(([id, fields]) => ({
      id: `${prefix}-${id}`,
      event: JSON.parse(fields[fields.indexOf('e') + 1]!) as ClientEvent,
    }));
  }

  describe('live delivery across gateways', () => {
    test('two users on different gateways exchange messages live; the sender gets its own message.new', async () => {
      const { a, b, conversation } = await pair();
      const fa = await open(a, { gateway: 0 });
      const fb = await open(b, { gateway: 1 });

      const m1 = await send(a, conversation.id, 'hello from gateway 1');
      await fb.waitFor('bob gets message.new', (f) => f.messageIds().includes(m1.id));
      await fa.waitFor('alice gets her own message.new', (f) => f.messageIds().includes(m1.id));
      const seen = fb.of('message.new').find((e) => e.message.id === m1.id)!;
      assert.deepEqual(seen.message, m1, 'the event carries the Message as send returned it');

      const m2 = await send(b, conversation.id, 'hello back from gateway 2');
      await fa.waitFor('alice gets the reply', (f) => f.messageIds().includes(m2.id));
      await fb.waitFor('bob gets his own reply', (f) => f.messageIds().includes(m2.id));

      // Bob (recipient of m1) also gets a notification.new; stored events are tracked.
      const note = await fb.waitFor('bob gets notification.new', (f) =>
        f.of('notification.new').find((e) => e.notification.messageId === m1.id),
      );
      assert.equal(note.notification.kind, 'message');
      assert.equal(note.notification.title, a.username, 'titled with the sender display name');
      assert.equal(note.notification.body, 'hello from gateway 1');
      assert.equal(note.notification.read, false);
      assert.equal(
        fa.of('notification.new').some((e) => e.notification.messageId === m1.id),
        false,
        'the sender gets no notification of their own message',
      );
      for (const f of [fa, fb]) {
        for (const item of f.items.filter((i) => i.event.type === 'message.new'))
          assert.match(
            item.id ?? '',
            /^\d+-\d+-\d+$/,
            'message.new is tracked with an id: epoch, then log entry',
          );
        assertIncreasing(f.items);
        assert.deepEqual(f.errors, []);
      }
    });

    test('several subscriptions of one user on one gateway each get every event', async () => {
      const { a, b, conversation } = await pair();
      const [f1, f2] = [await open(b, { gateway: 0 }), await open(b, { gateway: 0 })];
      const m = await send(a, conversation.id, 'to both tabs');
      for (const f of [f1, f2])
        await f.waitFor('each tab gets it', (x) => x.messageIds().includes(m.id));
      f1.stop();
      const m2 = await send(a, conversation.id, 'to the remaining tab');
      await f2.waitFor('the other tab keeps streaming', (x) => x.messageIds().includes(m2.id));
    });
    test('an event large enough to be stored once for all its recipients reaches each of them whole', async () => {
      // 17 recipients × a 4,000-character message is above the 64 KiB from which the log
      // entries refer to one shared body (fetched and parsed once per gateway).
      const users = await Promise.all(Array.from({ length: 17 }, () => system.user()));
      const [owner, ...others] = users as [TestUser, ...TestUser[]];
      const group = await owner.client.api.group.create.mutate({
        name: 'shared bodies',
        memberIds: others.map((u) => u.id),
      });
      const feeds = await Promise.all(users.slice(0, 4).map((u, i) => open(u, { gateway: i % 2 })));
      const content = 'x'.repeat(MAX_CONTENT_CHARS);
      const sent = await send(owner, group.conversationId, content);
      for (const f of feeds) {
        const seen = await f.waitFor(`${f.user.username} gets the message`, (x) =>
          x.of('message.new').find((e) => e.message.id === sent.id),
        );
        assert.deepEqual(seen.message, sent, 'the whole Message, as send returned it');
      }
      const raw = new Redis(system.env.REDIS_URL!);
      try {
        // The newest entries: notification.new (small: stored as is), then message.new.
        const recent = await raw.xrevrange(redisKeys.eventLog(others[0]!.id), '+', '-', 'COUNT', 5);
        assert.ok(
          recent.some(([, fields]) => fields[0] === 'r'),
          'the log holds a reference to the shared body, not the event',
        );
      } finally {
        raw.disconnect();
      }
    });
  });

  describe('a new subscription', () => {
    test('is live once the server says started: an event published in onStarted arrives, every time', async () => {
      const { a } = await pair();
      // Each round opens the user's feed afresh on a gateway (the previous one was left).
      for (let round = 0; round < 20; round++) {
        const client = system.client({ url: system.urls[round % 2]!, session: a.client.session });
        const marker = `started-${round}`;
        const seen: string[] = [];
        let published: Promise<number> | undefined;
        const sub = client.api.events.stream.subscribe(undefined, {
          onStarted: () => {
            published = redis.publish(
              redisKeys.liveChannel(a.id),
              JSON.stringify({
                type: 'typing',
                conversationId: marker,
                userId: a.id,
                isTyping: true,
              }),
            );
          },
          onData: (data: unknown) => {
            const event = data as ClientEvent;
            if (event.type === 'typing') seen.push(event.conversationId);
          },
        });
        await waitFor(`onStarted of round ${round}`, () => published);
        assert.ok(
          (await published)! >= 1,
          `round ${round}: the gateway listened when started came`,
        );
        await waitFor(`round ${round}'s event`, () => seen.includes(marker), 5_000);
        sub.unsubscribe();
        client.close();
      }
    });
  });

  describe('resume with lastEventId', () => {
    test('reconnecting to the other gateway replays exactly the missed events once, in order, then live', async () => {
      const { a, b, conversation } = await pair();
      const first = await open(b, { gateway: 1 });
      const m1 = await send(a, conversation.id, 'seen live');
      await first.waitFor('m1', (f) => f.messageIds().includes(m1.id));
      // Everything m1 caused for bob (message.new, notification.new) has arrived.
      await first.waitFor('m1 notification', (f) =>
        f.of('notification.new').some((e) => e.notification.messageId === m1.id),
      );
      const lastEventId = first.lastStoredId();
      first.stop();

      const missed = [];
      for (let i = 0; i < 4; i++) missed.push(await send(a, conversation.id, `missed ${i}`));
      // Wait until the log holds them all, so the replay (not live delivery) must bring them.
      await waitFor('the missed events in the log', async () => {
        const notes = (await eventLog(b.id)).filter((i) => i.event.type === 'notification.new');
        return notes.length >= 5;
      });

      const second = await open(b, { gateway: 0, lastEventId });
      const missedIds = missed.map((m) => m.id);
      await second.waitFor('the replay', (f) => f.messageIds().length >= missedIds.length);
      assert.deepEqual(second.messageIds(), missedIds, 'the missed messages, once each, in order');
      const expected = (await eventLog(b.id)).filter((i) => idLess(lastEventId, i.id!));
      assert.deepEqual(
        second.stored().map((i) => i.id),
        expected.map((i) => i.id),
        'every stored event after lastEventId, nothing before it',
      );

      const live = await send(a, conversation.id, 'live again');
      await second.waitFor('the live one', (f) => f.messageIds().includes(live.id));
      await sleep(300);
      assert.deepEqual(second.messageIds(), [...missedIds, live.id]);
      assertIncreasing(second.items);
      assert.deepEqual(second.errors, []);
    });

    test('messages sent while the client resubscribes arrive exactly once, in order', async () => {
      const { a, b, conversation } = await pair();
      const first = await open(b, { gateway: 0 });
      const m0 = await send(a, conversation.id, 'before');
      await first.waitFor('m0', (f) => f.messageIds().includes(m0.id));
      const lastEventId = first.lastStoredId();
      first.stop();

      // Keep sending while the new subscription replays and goes live.
      const sent: string[] = [];
      let sending = true;
      const sender = (async () => {
        for (let i = 0; sending && i < 200; i++) {
          sent.push((await send(a, conversation.id, `burst ${i}`)).id);
        }
      })();
      await sleep(150);
      const second = await open(b, { gateway: 1, lastEventId });
      await sleep(300);
      sending = false;
      await sender;
      await second.waitFor('every burst message', (f) => f.messageIds().length >= sent.length);
      await sleep(300);
      assert.ok(sent.length >= 3, `messages were sent during the resubscription (${sent.length})`);
      const received = second.messageIds();
      assert.deepEqual(received, sent, 'no gap, no duplicate, in send order');
      assertIncreasing(second.items);
    });

    test('typing is delivered live, untracked, and never replayed', async () => {
      const { a, b, conversation } = await pair();
      const fa = await open(a, { gateway: 0 });
      const fb = await open(b, { gateway: 1 });
      const m = await send(a, conversation.id, 'about to type');
      await fb.waitFor('m', (f) => f.messageIds().includes(m.id));

      await b.client.api.chat.typing.mutate({ conversationId: conversation.id, isTyping: true });
      const typing = await fa.waitFor('alice sees bob typing', (f) =>
        f.items.find((i) => i.event.type === 'typing' && i.event.userId === b.id),
      );
      assert.equal(typing.id, null, 'typing is untracked');
      assert.deepEqual(typing.event, {
        type: 'typing',
        conversationId: conversation.id,
        userId: b.id,
        isTyping: true,
      });
      assert.equal(
        fb.items.some((i) => i.event.type === 'typing' && i.event.userId === b.id),
        false,
        'not echoed to the typist',
      );

      // Resuming from before the typing signal replays stored events only.
      const resumed = await open(a, { gateway: 1, lastEventId: fa.stored()[0]!.id! });
      await sleep(300);
      assert.equal(
        resumed.items.some((i) => i.event.type === 'typing'),
        false,
        'typing is never replayed',
      );
      const from = fa.stored()[0]!.id!;
      assert.deepEqual(
        resumed.stored().map((i) => i.id),
        (await eventLog(a.id)).filter((i) => idLess(from, i.id!)).map((i) => i.id),
        'the stored events after lastEventId, and only those',
      );
    });
  });

  describe('the event log', () => {
    test('a redelivered or re-published message.sent appends one event per user', async () => {
      const [a, b] = await Promise.all([system.user(), system.user()]);
      const payload = fakeMessageSent(a.id, [a.id, b.id]);
      await Promise.all([publishSent(payload), publishSent(payload)]);
      await publishSent(payload);
      // A later event for bob: once it is in, the earlier ones were handled (plus a pause
      // for handlers that ran concurrently).
      const sentinel = fakeMessageSent(a.id, [a.id, b.id]);
      await publishSent(sentinel);
      await waitFor('the sentinel in the log', async () =>
        (await eventLog(b.id)).some(
          (i) => i.event.type === 'message.new' && i.event.message.id === sentinel.message.id,
        ),
      );
      await sleep(500);

      const count = (items: Item[], type: string, messageId: string) =>
        items.filter(
          (i) =>
            (i.event.type === 'message.new' &&
              type === i.event.type &&
              i.event.message.id === messageId) ||
            (i.event.type === 'notification.new' &&
              type === i.event.type &&
              i.event.notification.messageId === messageId),
        ).length;
      const bobLog = await eventLog(b.id);
      const aliceLog = await eventLog(a.id);
      assert.equal(count(bobLog, 'message.new', payload.message.id), 1, 'one message.new for bob');
      assert.equal(count(bobLog, 'notification.new', payload.message.id), 1, 'one notification');
      assert.equal(count(aliceLog, 'message.new', payload.message.id), 1, 'one for the sender');
      const list = await b.client.api.notification.list.query({});
      assert.equal(
        list.items.filter((n) => n.messageId === payload.message.id).length,
        1,
        'one stored notification',
      );
    });

    test('a send retried with the same clientId gives one message.new', async () => {
      const { a, b, conversation } = await pair();
      const fb = await open(b, { gateway: 1 });
      const clientId = randomUUID();
      const input = { conversationId: conversation.id, clientId, content: 'once' };
      const [x, y] = await Promise.all([
        a.client.api.chat.send.mutate(input),
        a.client.api.chat.send.mutate(input),
      ]);
      const z = await a.client.api.chat.send.mutate(input);
      assert.equal(x.id, y.id);
      assert.equal(x.id, z.id);
      const after = await send(a, conversation.id, 'after');
      await fb.waitFor('the later message', (f) => f.messageIds().includes(after.id));
      await sleep(500);
      assert.deepEqual(fb.messageIds(), [x.id, after.id]);
    });

    test('trimming keeps the newest entries; a lastEventId older than the floor gets resync first', async () => {
      const c = await system.user();
      const other = hexId();
      // Each fake message gives c (the sender) exactly one stored event.
      const first = fakeMessageSent(c.id, [c.id, other]);
      await publishSent(first);
      const firstId = await waitFor(
        'the first event',
        async () => (await eventLog(c.id))[0]?.id ?? undefined,
      );
      for (let i = 0; i < LOG_MAX_EVENTS + 5; i++)
        await publishSent(fakeMessageSent(c.id, [c.id, other]));
      const inLog = async (p: MessageSentEvent) =>
        (await eventLog(c.id)).some(
          (i) => i.event.type === 'message.new' && i.event.message.id === p.message.id,
        );
      const sentinel = fakeMessageSent(c.id, [c.id, other]);
      await publishSent(sentinel);
      await waitFor('the sentinel', () => inLog(sentinel));
      await sleep(500);
      // Once every entry is older than the age limit, the next append trims the excess.
      await sleep(LOG_MAX_AGE_S * 1000 + 200);
      const last = fakeMessageSent(c.id, [c.id, other]);
      await publishSent(last);
      await waitFor('the last event', () => inLog(last));
      const items = await eventLog(c.id);
      const floor = (await redis.get(redisKeys.eventLogFloor(c.id)))!;
      assert.equal(items.length, LOG_MAX_EVENTS, `keeps the newest ${LOG_MAX_EVENTS} entries`);
      assert.ok(idLess(floor, entryOf(items[0]!.id!)), 'the floor is below every kept entry');
      assert.ok(!idLess(floor, entryOf(firstId)), 'the first entry was trimmed');

      const stale = await open(c, { gateway: 0, lastEventId: firstId });
      const head = stale.items[0];
      assert.deepEqual(head?.event, { type: 'resync' }, 'resync comes first');
      assert.equal(head?.id, items.at(-1)!.id, 'resync carries the newest id to resume from');
      assert.equal(stale.messageIds().length, 0, 'nothing is replayed after a resync');
      const live = fakeMessageSent(c.id, [c.id, other]);
      await publishSent(live);
      await stale.waitFor('live events after the resync', (f) =>
        f.messageIds().includes(live.message.id),
      );

      // Resuming from a kept entry replays normally.
      const now = await eventLog(c.id);
      const resume = await open(c, { gateway: 1, lastEventId: now.at(-3)!.id! });
      await resume.waitFor('the replay', (f) => f.messageIds().length >= 2);
      assert.equal(
        resume.items.some((i) => i.event.type === 'resync'),
        false,
      );
      assert.deepEqual(
        resume.stored().map((i) => i.id),
        now.slice(-2).map((i) => i.id),
      );
    });

    test('an unknown (future) lastEventId gets resync, with an id above it', async () => {
      const u = await system.user();
      const future = `${await epoch()}-${Date.now() + 60_000}-0`;
      const f = await open(u, { gateway: 0, lastEventId: future });
      await f.waitFor('resync', (x) => x.items[0]);
      assert.deepEqual(f.items[0]?.event, { type: 'resync' });
      assert.ok(!idLess(f.items[0].id!, future), 'ids never go back');
    });

    test('an id of another epoch or of the old form (no epoch) gets resync', async () => {
      const { a, b, conversation } = await pair();
      const first = await open(b, { gateway: 0 });
      const m = await send(a, conversation.id, 'before');
      await first.waitFor('m', (f) => f.messageIds().includes(m.id));
      const last = first.lastStoredId();
      first.stop();
      const older = `${BigInt(await epoch()) - 1n}-${entryOf(last)}`;
      for (const lastEventId of [older, entryOf(last)]) {
        const f = await open(b, { gateway: 1, lastEventId });
        await f.waitFor('resync', (x) => x.items[0]);
        assert.deepEqual(f.items[0]?.event, { type: 'resync' }, lastEventId);
        assert.match(f.items[0].id!, /^\d+-\d+-\d+$/);
        if (lastEventId === older)
          assert.ok(idLess(older, f.items[0].id!), 'the resync id is above what the client had');
        f.stop();
      }
    });

    test('a log that was lost and started again: resuming from an id it no longer has gets resync', async () => {
      const { a, b, conversation } = await pair();
      const first = await open(b, { gateway: 0 });
      const m = await send(a, conversation.id, 'before the loss');
      await first.waitFor('m', (f) => f.messageIds().includes(m.id));
      const last = first.lastStoredId();
      first.stop();
      // What a crashed Redis without persistence does to one log: it is gone, and new
      // events start a new one with higher ids.
      await redis.del(redisKeys.eventLog(b.id));
      const lost = await send(a, conversation.id, 'appended to the new log');
      await waitFor('the new log', async () =>
        (await eventLog(b.id)).some(
          (i) => i.event.type === 'message.new' && i.event.message.id === lost.id,
        ),
      );
      const resumed = await open(b, { gateway: 1, lastEventId: last });
      await resumed.waitFor('resync', (x) => x.items[0]);
      assert.deepEqual(resumed.items[0]?.event, { type: 'resync' }, 'never a silent gap');
      assert.ok(idLess(last, resumed.items[0].id!));
    });
  });
  describe('presence', () => {
    const seenBy = (viewer: TestUser, u: TestUser) =>
      viewer.client.api.user.byId.query({ userId: u.id });

    const assertRecent = (iso: string | null, since: number) => {
      assert.ok(iso, 'lastSeen is set');
      assert.equal(new Date(iso).toISOString(), iso, 'lastSeen is ISO-8601');
      const at = Date.parse(iso);
      assert.ok(at >= since - 2_000 && at <= Date.now() + 2_000, `lastSeen ${iso} is recent`);
    };

    test('online with the first socket, still online with two, offline with lastSeen after the last', async () => {
      const [u, viewer] = await Promise.all([system.user(), system.user()]);
      assert.equal((await seenBy(viewer, u)).status, 'offline', 'no socket yet');
      const first = await open(u, { gateway: 0 });
      await waitFor('online', async () => (await seenBy(viewer, u)).status === 'online');
      assert.equal((await u.client.api.user.me.query()).status, 'online');

      const second = await open(u, { gateway: 1 });
      first.stop();
      await waitFor(
        'one socket left',
        async () => (await redis.zcard(redisKeys.presence(u.id))) === 1,
      );
      await sleep(500);
      assert.equal(
        (await seenBy(viewer, u)).status,
        'online',
        'still online with the other socket',
      );

      const closedAt = Date.now();
      second.stop();
      const offline = await waitFor('offline', async () => {
        const p = await seenBy(viewer, u);
        return p.status === 'offline' && p;
      });
      assertRecent(offline.lastSeen, closedAt);
      assert.equal(await redis.zcard(redisKeys.presence(u.id)), 0, 'no socket is left registered');
    });

    test('the chosen status shows only while connected, and contacts get presence events', async () => {
      const { a, b } = await pair();
      const fa = await open(a, { gateway: 0 });
      const presenceOf = (status: string) =>
        fa.waitFor(`presence ${status} of b`, (f) =>
          f.items.find(
            (i) =>
              i.event.type === 'presence' && i.event.userId === b.id && i.event.status === status,
          ),
        );

      // Without a socket b is offline to everyone, whatever b chose.
      const away = await b.client.api.user.setStatus.mutate({ status: 'away' });
      assert.equal(away.status, 'offline');
      assert.equal((await seenBy(a, b)).status, 'offline');

      const fb = await open(b, { gateway: 1 });
      const online = await presenceOf('away');
      assert.equal(online.id, null, 'presence is live only (untracked)');
      assert.equal((await seenBy(a, b)).status, 'away');

      assert.equal((await b.client.api.user.setStatus.mutate({ status: 'busy' })).status, 'busy');
      await presenceOf('busy');
      assert.equal((await seenBy(a, b)).status, 'busy');

      // A chosen 'offline' is invisibility: offline to others while connected.
      const hiddenAt = Date.now();
      const hidden = await b.client.api.user.setStatus.mutate({ status: 'offline' });
      assert.equal(hidden.status, 'offline');
      assertRecent(hidden.lastSeen, hiddenAt);
      const invisible = await presenceOf('offline');
      assert.equal(
        invisible.event.type === 'presence' && invisible.event.lastSeen,
        hidden.lastSeen,
      );
      assert.deepEqual(
        [(await seenBy(a, b)).status, (await seenBy(a, b)).lastSeen],
        ['offline', hidden.lastSeen],
      );

      await b.client.api.user.setStatus.mutate({ status: 'online' });
      await presenceOf('online');
      const leftAt = Date.now();
      fb.stop();
      await fa.waitFor('presence offline after the last socket closed', (f) =>
        f.items.find(
          (i) =>
            i.event.type === 'presence' &&
            i.event.userId === b.id &&
            i.event.status === 'offline' &&
            i.event.lastSeen !== hidden.lastSeen,
        ),
      );
      assertRecent((await seenBy(a, b)).lastSeen, leftAt);
      assert.equal(
        fa.stored().some((i) => i.event.type === 'presence'),
        false,
        'presence is never stored',
      );
    });

    test('a reconnect within the offline grace is no blip: no offline presence, lastSeen kept', async () => {
      const { a, b } = await pair();
      const fa = await open(a, { gateway: 0 });
      const presenceOfB = (f: Feed) =>
        f.items.filter((i) => i.event.type === 'presence' && i.event.userId === b.id);
      const fb = await open(b, { gateway: 1 });
      await fa.waitFor('b online', (f) => presenceOfB(f).length > 0);
      const before = await seenBy(a, b);
      assert.equal(before.status, 'online');

      // A reload, or b's gateway restarting: the socket closes and b is back elsewhere soon
      // after — later than the offline would have been stored without a grace.
      fb.stop();
      await waitFor(
        'the socket gone',
        async () => (await redis.zcard(redisKeys.presence(b.id))) === 0,
      );
      await sleep(800);
      const back = await open(b, { gateway: 0 });
      await sleep(TEST_OFFLINE_GRACE_MS);
      assert.deepEqual(
        presenceOfB(fa).map((i) => i.event.type === 'presence' && i.event.status),
        ['online'],
        'a saw b come online once and nothing since',
      );
      assert.deepEqual(await seenBy(a, b), before, 'still online, lastSeen unchanged');

      // Gone for longer than the grace: offline, with the time b's last socket went.
      const closedAt = Date.now();
      back.stop();
      await fa.waitFor('b offline', (f) =>
        presenceOfB(f).some((i) => i.event.type === 'presence' && i.event.status === 'offline'),
      );
      const after = await seenBy(a, b);
      assert.equal(after.status, 'offline');
      assertRecent(after.lastSeen, closedAt);
    });

    test('user.presence re-checks each user of a call: one online is not announced again, a new socket brings its user online, none means the grace', async () => {
      const [viewer, stays, comes, gone] = await Promise.all([
        system.user(),
        system.user(),
        system.user(),
        system.user(),
      ]);
      for (const u of [stays, comes, gone])
        await viewer.client.api.chat.openDirect.mutate({ userId: u.id });
      const feed = await open(viewer, { gateway: 0 });
      const presenceOf = (u: TestUser) =>
        feed.items.flatMap((i) =>
          i.event.type === 'presence' && i.event.userId === u.id ? [i.event.status] : [],
        );
      await open(stays, { gateway: 1 });
      await feed.waitFor('stays online', () => presenceOf(stays).length === 1);
      // A socket the gateways never announced: only a user.presence call brings it to light.
      await redis.zadd(redisKeys.presence(comes.id), Date.now() + 60_000, 'socket-of-a-test');

      const rpc = await system.connectRpc();
      await rpc(
        'user.presence',
        { userIds: [stays.id, comes.id, gone.id, stays.id] },
        { requestId: randomUUID(), userId: null, ip: null },
      );
      assert.equal((await seenBy(viewer, comes)).status, 'online', 'the new socket counts');
      await feed.waitFor('comes online', () => presenceOf(comes).length === 1);
      await sleep(TEST_OFFLINE_GRACE_MS + 1_000);
      assert.deepEqual(presenceOf(stays), ['online'], 'no second announcement');
      assert.deepEqual(presenceOf(comes), ['online']);
      assert.deepEqual(presenceOf(gone), [], 'never online, so never announced offline');
      assert.equal((await seenBy(viewer, stays)).status, 'online');
      assert.equal((await seenBy(viewer, gone)).status, 'offline');

      // Its socket gone, in one call with a user whose socket stays: offline after the grace.
      const goneAt = Date.now();
      await redis.del(redisKeys.presence(comes.id));
      await rpc(
        'user.presence',
        { userIds: [stays.id, comes.id] },
        { requestId: randomUUID(), userId: null, ip: null },
      );
      await feed.waitFor('comes offline', () => presenceOf(comes).length === 2);
      assert.deepEqual(presenceOf(comes), ['online', 'offline']);
      assertRecent((await seenBy(viewer, comes)).lastSeen, goneAt);
      assert.deepEqual(presenceOf(stays), ['online'], 'still no second announcement');
    });

    test('a killed gateway does not keep its users online (the sweeper turns them offline)', async () => {
      const [u, viewer] = await Promise.all([system.user(), system.user()]);
      const feed = await open(u, { gateway: 1 });
      await waitFor('online', async () => (await seenBy(viewer, u)).status === 'online');
      const gateway = system.gateways[1]!;
      const killedAt = Date.now();
      await gateway.stop('SIGKILL');
      try {
        const offline = await waitFor(
          'offline after the dead gateway expired',
          async () => {
            const p = await seenBy(viewer, u);
            return p.status === 'offline' && p;
          },
          30_000,
        );
        assertRecent(offline.lastSeen, killedAt);
      } finally {
        feed.stop();
        await system.restart(gateway);
      }
    });
  });
});
