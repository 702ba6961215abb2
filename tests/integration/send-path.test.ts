import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import mongoose from 'mongoose';
import { Redis } from 'ioredis';
import { chunkOf } from '@chat/db';
import { redisKeys, type ClientEvent, type Message, type MessageSentEvent } from '@chat/api';
import { Inbox, loadScenario, sendSequence, verifyConversation } from '../support/load.js';
import { download, uploadAs } from '../support/files.js';
import { scrape, total } from '../support/metrics.js';
import { TestSystem, type TestUser } from '../support/system.js';
import { sleep, waitFor } from '../support/wait.js';

/**
 * The send path under load while its processes die: senders keep sending (each retrying a
 * failed send with the same clientId until it is acknowledged), the chat worker and then the
 * notification worker are killed and restarted mid-way. Every acknowledged message must be
 * stored once, delivered once to every participant, and in each conversation's order.
 */
/**
 * A call retried while the chat worker is coming back (its queue consumers restart): the
 * gateway answers GATEWAY_TIMEOUT or SERVICE_UNAVAILABLE meanwhile. Sends keep their clientId.
 */
async function retrying<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const code = (err as { data?: { code?: string } }).data?.code;
      if (attempt >= 10 || (code !== 'GATEWAY_TIMEOUT' && code !== 'SERVICE_UNAVAILABLE'))
        throw err;
      await sleep(200);
    }
  }
}

/** Two users with a direct chat, and a send that retries with the same clientId. */
async function directPair(system: TestSystem) {
  const [a, b] = await Promise.all([system.user(), system.user()]);
  // A test before may have restarted the chat worker: its partitions may still be coming back.
  const { id } = await retrying(() => a.client.api.chat.openDirect.mutate({ userId: b.id }));
  const send = (u: TestUser, content: string) => {
    const clientId = randomUUID();
    return retrying(() => u.client.api.chat.send.mutate({ conversationId: id, clientId, content }));
  };
  return { a, b, id, send };
}

/** A user's sender mark as the conversation document stores it (read directly from the store). */
async function storedMarkOf(system: TestSystem, conversationId: string, userId: string) {
  const mongo = await mongoose.createConnection(system.env.MONGO_URL!).asPromise();
  try {
    const conversation = await mongo
      .useDb(`${system.dbPrefix}chat`)
      .collection('conversations')
      .findOne({ _id: new mongoose.Types.ObjectId(conversationId) });
    const marks = (conversation?.senderMarks ?? []) as Array<{
      userId: string;
      readSeq: number;
      ownUnread: number[];
      ownUnreadOlder?: number;
    }>;
    return marks.find((m) => m.userId === userId);
  } finally {
    await mongo.close();
  }
}

/**
 * The load scenario's senders each sending `perSender` messages (retrying with the same
 * clientId); `crashes` runs meanwhile. Then every acknowledged message must be stored
 * once, delivered once to every participant, in each conversation's order.
 */
async function loadThrough(
  system: TestSystem,
  inboxes: Inbox[],
  perSender: number,
  crashes: () => Promise<void>,
): Promise<Map<string, number>> {
  const { users, conversations, inboxes: started, senders } = await loadScenario(system);
  inboxes.push(...started);
  const record = { acked: new Map<string, Message>(), errors: new Map<string, number>() };
  let finished = false;
  const load = Promise.all(
    senders.map(([user, id]) => sendSequence(user, id, perSender, record)),
  ).finally(() => (finished = true));
  await crashes();
  assert.equal(finished, false, 'the crashes happened while the load ran');
  await load;
  assert.equal(record.acked.size, senders.length * perSender);
  for (const conversation of conversations)
    await verifyConversation(conversation, users, inboxes, record.acked);
  return record.errors;
}

describe('the send path under load, across crashes', () => {
  let system: TestSystem;
  const inboxes: Inbox[] = [];

  before(async () => {
    system = await TestSystem.start({
      gateways: 2,
      env: { RATE_SEND_PER_USER: '100000', RPC_TIMEOUT_MS: '2000' },
    });
  });
  after(async () => {
    inboxes.forEach((i) => i.close());
    await system?.stop();
  });

  test('chat and notification workers killed mid-load: nothing lost, nothing twice, order kept', async () => {
    const errors = await loadThrough(system, inboxes, 60, async () => {
      await sleep(400);
      await system.worker('chat').stop('SIGKILL');
      await system.restart(system.worker('chat'));
      await sleep(400);
      await system.worker('notification').stop('SIGKILL');
      await system.restart(system.worker('notification'));
    });
    console.log(
      `retry-safe failures seen by senders: ${JSON.stringify(Object.fromEntries(errors))}`,
    );
  });

  test('unread counts stay exact while both sides send, read and delete at once', async () => {
    const [a, b] = await Promise.all([system.user(), system.user()]);
    const { id } = await a.client.api.chat.openDirect.mutate({ userId: b.id });
    const sent: Message[] = [];
    const deleted = new Set<string>();
    const readUpTo = new Set<string>();
    const sendSome = async (u: TestUser, n: number) => {
      for (let i = 0; i < n; i++)
        sent.push(
          await u.client.api.chat.send.mutate({
            conversationId: id,
            clientId: randomUUID(),
            content: `${u.username} ${i}`,
          }),
        );
    };
    // b reads whatever has arrived and deletes some of a's messages for itself, meanwhile.
    let sending = true;
    const reader = (async () => {
      while (sending) {
        const theirs = sent.filter((m) => m.senderId === a.id);
        const pick = theirs[Math.floor(Math.random() * theirs.length)];
        if (pick) {
          if (Math.random() < 0.3) {
            await b.client.api.chat.deleteForMe.mutate({ messageId: pick.id });
            deleted.add(pick.id);
          } else {
            await b.client.api.chat.markRead.mutate({ conversationId: id, upToMessageId: pick.id });
            readUpTo.add(pick.id);
          }
        }
        await sleep(5);
      }
    })();
    await Promise.all([sendSome(a, 40), sendSome(b, 40)]);
    sending = false;
    await reader;

    // One more read; the read position is the newest message ever marked (it never moves
    // back), and the counts follow from history.
    const all = await b.client.api.chat.messages.query({ conversationId: id, limit: 100 });
    const pick = all.items.find((m) => m.senderId === a.id && all.items.indexOf(m) > 10)!;
    await b.client.api.chat.markRead.mutate({ conversationId: id, upToMessageId: pick.id });
    readUpTo.add(pick.id);
    // Newest first: the first marked message met is the read position.
    const position = all.items.findIndex((m) => readUpTo.has(m.id));
    const newer = all.items.slice(0, position);
    const expectedB = newer.filter((m) => m.senderId === a.id && !deleted.has(m.id)).length;
    const viewB = await b.client.api.chat.conversation.query({ conversationId: id });
    assert.equal(viewB.unreadCount, expectedB, "b: a's messages after the mark, not deleted");
    const listedB = (await b.client.api.chat.conversations.query({})).items.find(
      (c) => c.id === id,
    );
    assert.equal(listedB?.unreadCount, expectedB, 'the list agrees');
    // a never read: every message of b counts.
    const viewA = await a.client.api.chat.conversation.query({ conversationId: id });
    assert.equal(viewA.unreadCount, sent.filter((m) => m.senderId === b.id).length);
  });

  test("own-message marks ride in the conversation's update: unread counts stay right across owner restarts", async () => {
    const { a, b, id, send } = await directPair(system);
    const unreadOf = async (u: TestUser) => {
      const one = (await u.client.api.chat.conversation.query({ conversationId: id })).unreadCount;
      const listed = (await u.client.api.chat.conversations.query({})).items.find(
        (c) => c.id === id,
      );
      assert.equal(listed?.unreadCount, one, 'the list agrees');
      return one;
    };
    const restartOwner = async () => {
      await system.worker('chat').stop('SIGKILL');
      await system.restart(system.worker('chat'));
    };
    await send(a, 'first');
    await send(a, 'second');
    const mark = await storedMarkOf(system, id, a.id);
    assert.equal(mark?.readSeq, 2, "a's sends moved a's read position, in the conversation");
    const mongo = await mongoose.createConnection(system.env.MONGO_URL!).asPromise();
    try {
      const db = mongo.useDb(`${system.dbPrefix}chat`);
      const member = await db.collection('members').findOne({ conversationId: id, userId: a.id });
      assert.equal(member?.readSeq, 0, "a's member document was not written per message");
    } finally {
      await mongo.close();
    }
    assert.equal(await unreadOf(a), 0);
    assert.equal(await unreadOf(b), 2);
    await restartOwner();
    assert.equal(await unreadOf(a), 0, 'read back from the store by a fresh owner');
    await send(b, 'reply');
    assert.equal(await unreadOf(a), 1, "only b's reply is unread for a");
    const history = await a.client.api.chat.messages.query({ conversationId: id, limit: 10 });
    await retrying(() =>
      a.client.api.chat.markRead.mutate({
        conversationId: id,
        upToMessageId: history.items[0]!.id,
      }),
    );
    assert.equal(await unreadOf(a), 0);
    await restartOwner();
    await send(a, 'third');
    assert.equal(await unreadOf(a), 0, "a's newer member write, then a newer mark");
    assert.equal(await unreadOf(b), 3, "b never read a's three messages");
    await restartOwner();
    assert.equal(await unreadOf(a), 0);
    assert.equal(await unreadOf(b), 3);
  });

  test('a member who sends and never reads keeps a bounded own-unread list; counts stay exact through a partial read and an owner restart', async () => {
    const { a, b, id, send } = await directPair(system);
    const unreadOf = async (u: TestUser) =>
      (await u.client.api.chat.conversation.query({ conversationId: id })).unreadCount;
    await send(b, 'from b');
    const own: Message[] = [];
    for (let i = 0; i < 50; i++) own.push(await send(a, `a ${i}`));
    await send(b, 'b again');
    assert.equal(await unreadOf(a), 2, "b's two messages");
    assert.equal(await unreadOf(b), 50);
    const mark = await storedMarkOf(system, id, a.id);
    // b's first message is seq 1, a's are 2–51.
    assert.deepEqual(mark?.ownUnread, [51], 'only the newest own seq is listed');
    assert.equal(mark?.ownUnreadOlder, 49, 'the rest are counted');
    // A read up to a's 10th message: older than every listed own seq.
    await retrying(() =>
      a.client.api.chat.markRead.mutate({ conversationId: id, upToMessageId: own[9]!.id }),
    );
    assert.equal(await unreadOf(a), 1, "only b's second message");
    await system.worker('chat').stop('SIGKILL');
    await system.restart(system.worker('chat'));
    assert.equal(await retrying(() => unreadOf(a)), 1, 'read back from the store by a fresh owner');
    await retrying(() =>
      a.client.api.chat.markRead.mutate({ conversationId: id, upToMessageId: own[40]!.id }),
    );
    assert.equal(await unreadOf(a), 1);
    const listed = (await a.client.api.chat.conversations.query({})).items.find((c) => c.id === id);
    assert.equal(listed?.unreadCount, 1, 'the list agrees');
    const newest = await a.client.api.chat.messages.query({ conversationId: id, limit: 1 });
    await retrying(() =>
      a.client.api.chat.markRead.mutate({ conversationId: id, upToMessageId: newest.items[0]!.id }),
    );
    assert.equal(await unreadOf(a), 0);
    assert.equal(await unreadOf(b), 50, 'b never read');
  });

  test('a member who hides message after message keeps a bounded hidden list; counts stay exact through a read and an owner restart', async () => {
    const { a, b, id, send } = await directPair(system);
    const unreadOf = async (u: TestUser) =>
      (await u.client.api.chat.conversation.query({ conversationId: id })).unreadCount;
    const fromB: Message[] = [];
    for (let i = 0; i < 60; i++) fromB.push(await send(b, `b ${i}`));
    assert.equal(await unreadOf(a), 60);
    // a hides 50 of them (newest first, so most end up counted, not listed), one twice.
    for (const m of [...fromB.slice(0, 50)].reverse())
      await retrying(() => a.client.api.chat.deleteForMe.mutate({ messageId: m.id }));
    await retrying(() => a.client.api.chat.deleteForMe.mutate({ messageId: fromB[3]!.id }));
    assert.equal(await unreadOf(a), 10, 'the ten not hidden');
    const mongo = await mongoose.createConnection(system.env.MONGO_URL!).asPromise();
    try {
      const member = await mongo
        .useDb(`${system.dbPrefix}chat`)
        .collection('members')
        .findOne<{ hiddenUnread: number[]; hiddenUnreadOlder: number }>({
          conversationId: id,
          userId: a.id,
        });
      assert.equal(member?.hiddenUnread.length, 32, 'the newest 32 hidden seqs are listed');
      assert.equal(member?.hiddenUnreadOlder, 18, 'the rest are counted');
    } finally {
      await mongo.close();
    }
    await system.worker('chat').stop('SIGKILL');
    await system.restart(system.worker('chat'));
    assert.equal(
      await retrying(() => unreadOf(a)),
      10,
      'read back from the store by a fresh owner',
    );
    // A read up to b's 20th message passes 20 hidden ones, none of them listed.
    await retrying(() =>
      a.client.api.chat.markRead.mutate({ conversationId: id, upToMessageId: fromB[19]!.id }),
    );
    assert.equal(await unreadOf(a), 10);
    await retrying(() =>
      a.client.api.chat.markRead.mutate({ conversationId: id, upToMessageId: fromB[54]!.id }),
    );
    assert.equal(await unreadOf(a), 5);
    const listed = (await a.client.api.chat.conversations.query({})).items.find((c) => c.id === id);
    assert.equal(listed?.unreadCount, 5, 'the list agrees');
  });

  test('a failed insert that stored a later message of its batch but not an earlier one leaves no gap', async () => {
    const { a, b, id, send } = await directPair(system);
    await send(a, 'one');
    await send(a, 'two');
    // What an unordered insertMany cut off mid-way can leave: b's message at seq 4, none at 3,
    // the conversation's lastSeq still 2 (the batch failed: nothing announced or applied).
    const mongo = await mongoose.createConnection(system.env.MONGO_URL!).asPromise();
    try {
      const messages = mongo.useDb(`${system.dbPrefix}chat`).collection('messages');
      const second = await messages.findOne({ conversationId: id, seq: 2 });
      assert.ok(second, 'the second message is stored at seq 2');
      await messages.insertOne({
        ...second,
        _id: new mongoose.Types.ObjectId(),
        seq: 4,
        chunk: chunkOf(id, 4),
        senderId: b.id,
        clientId: randomUUID(),
        content: 'stored by a failed batch',
      });
    } finally {
      await mongo.close();
    }
    await system.worker('chat').stop('SIGKILL');
    await system.restart(system.worker('chat'));
    const three = await send(a, 'three');
    const history = await b.client.api.chat.messages.query({ conversationId: id, limit: 10 });
    assert.deepEqual(history.items.map((m) => m.content).reverse(), [
      'one',
      'two',
      'stored by a failed batch',
      'three',
    ]);
    assert.equal(history.items[0]!.id, three.id);
    const unread = async (u: TestUser) =>
      (await u.client.api.chat.conversation.query({ conversationId: id })).unreadCount;
    assert.equal(await unread(b), 3, "b has a's three messages unread, no phantom one");
    assert.equal(await unread(a), 1, "a has b's one");
  });

  test('a group with more senders than the conversation keeps marks for: everyone counts right', async () => {
    const users = await Promise.all(Array.from({ length: 20 }, () => system.user()));
    const [owner, ...others] = users as [TestUser, ...TestUser[]];
    // The previous test restarted the chat worker: its partitions may still be coming back.
    const group = await retrying(() =>
      owner.client.api.group.create.mutate({
        name: 'many senders',
        memberIds: others.map((u) => u.id),
      }),
    );
    const id = group.conversationId;
    // Each member reads everything so far, then sends, in turn: what the others send after
    // is unread for them (a member write, then a sender mark, per member).
    let last: Message | null = null;
    for (const u of users) {
      const upTo = last?.id;
      if (upTo)
        await retrying(() =>
          u.client.api.chat.markRead.mutate({ conversationId: id, upToMessageId: upTo }),
        );
      last = await retrying(() =>
        u.client.api.chat.send.mutate({
          conversationId: id,
          clientId: randomUUID(),
          content: `from ${u.username}`,
        }),
      );
    }
    const expected = users.map((_, i) => users.length - 1 - i);
    const counts = async () =>
      Promise.all(
        users.map(
          async (u) =>
            (await u.client.api.chat.conversation.query({ conversationId: id })).unreadCount,
        ),
      );
    assert.deepEqual(await counts(), expected);
    await system.worker('chat').stop('SIGKILL');
    await system.restart(system.worker('chat'));
    assert.deepEqual(await counts(), expected, 'read back from the store');
    const clientId = randomUUID();
    await retrying(() =>
      owner.client.api.chat.send.mutate({ conversationId: id, clientId, content: 'one more' }),
    );
    assert.deepEqual(
      await counts(),
      expected.map((n, i) => (i === 0 ? n : n + 1)),
      'a fresh owner went on from the stored positions',
    );
    const mongo = await mongoose.createConnection(system.env.MONGO_URL!).asPromise();
    try {
      const conversation = await mongo
        .useDb(`${system.dbPrefix}chat`)
        .collection('conversations')
        .findOne({ _id: new mongoose.Types.ObjectId(id) });
      const marks = (conversation?.senderMarks ?? []) as unknown[];
      assert.ok(marks.length <= 16, `the conversation keeps at most 16 marks (${marks.length})`);
    } finally {
      await mongo.close();
    }
  });

  test('the owner appends its events and notifications itself: with the notification worker stopped, messages, edits, receipts and notifications still arrive; back, nothing arrives twice', async () => {
    const [a, b] = await Promise.all([system.user(), system.user()]);
    const { id } = await a.client.api.chat.openDirect.mutate({ userId: b.id });
    const [toA, toB] = await Promise.all([stream(a), stream(b)]);
    try {
      await system.worker('notification').stop();
      const sent: Message[] = [];
      try {
        for (let i = 0; i < 3; i++)
          sent.push(
            await a.client.api.chat.send.mutate({
              conversationId: id,
              clientId: randomUUID(),
              content: `while the notification worker is down #${i}`,
            }),
          );
        await a.client.api.chat.edit.mutate({ messageId: sent[0]!.id, content: 'edited' });
        await b.client.api.chat.markRead.mutate({ conversationId: id, upToMessageId: sent[2]!.id });
        const newIds = () =>
          toB.events.flatMap((e) => (e.type === 'message.new' ? [e.message.id] : []));
        await waitFor('the three messages, live, without the notification worker', () =>
          sent.every((m) => newIds().includes(m.id)),
        );
        await waitFor('the edit', () =>
          toB.events.some((e) => e.type === 'message.updated' && e.message.content === 'edited'),
        );
        await waitFor('the read receipt, to the sender', () =>
          toA.events.some((e) => e.type === 'message.status' && e.status === 'read'),
        );
        assert.deepEqual(
          newIds(),
          sent.map((m) => m.id),
          'in send order',
        );
        // The recipient is online: the owner stored and announced the notifications itself.
        await waitFor('a notification.new for each message, without the notification worker', () =>
          sent.every((m) =>
            toB.events.some(
              (e) => e.type === 'notification.new' && e.notification.messageId === m.id,
            ),
          ),
        );
        // notification.list is the notification worker's: asked once it is back.
      } finally {
        await system.restart(system.worker('notification'));
      }
      const list = await b.client.api.notification.list.query({ limit: 50 });
      for (const m of sent)
        assert.ok(
          list.items.some((n) => n.messageId === m.id),
          `a notification for ${m.id}`,
        );
      // Back, it handles what queued meanwhile (the edit's and the receipt's events, already
      // appended) and appends nothing a second time.
      await sleep(1_000);
      for (const { events } of [toA, toB]) {
        // Keyed by what makes each logical event unique (presence and the like may repeat).
        const seen = events.flatMap((e) => {
          if (e.type === 'message.new') return [`new ${e.message.id}`];
          if (e.type === 'message.updated') return [`updated ${e.message.id} ${e.message.content}`];
          if (e.type === 'message.status') return [`status ${JSON.stringify(e)}`];
          if (e.type === 'notification.new') return [`notification ${e.notification.id}`];
          return [];
        });
        assert.deepEqual(
          seen.filter((k, i) => seen.indexOf(k) !== i),
          [],
          'each event once',
        );
      }
    } finally {
      toA.stop();
      toB.stop();
    }
  });

  test('message.sent goes to the broker only for what is left to the notification worker: nothing while the recipient is online, a push once they are not', async () => {
    const [a, b] = await Promise.all([system.user(), system.user()]);
    const { id } = await a.client.api.chat.openDirect.mutate({ userId: b.id });
    const published: MessageSentEvent[] = [];
    const bus = await system.connectBus();
    await bus.subscribe({
      queue: `test.message_sent.${randomUUID()}`,
      exchange: 'chat_events',
      routingKeys: ['message.sent'],
      handler: (event) => {
        const data = event.data as MessageSentEvent;
        if (data.message.conversationId === id) published.push(data);
        return Promise.resolve();
      },
    });
    const redis = new Redis(system.env.REDIS_URL!);
    const sockets = () => redis.zcount(redisKeys.presence(b.id), Date.now(), '+inf');
    const send = (content: string) =>
      a.client.api.chat.send.mutate({ conversationId: id, clientId: randomUUID(), content });
    try {
      const toB = await stream(b);
      const online: Message[] = [];
      try {
        for (const text of ['one', 'two']) online.push(await send(text));
        await waitFor('both messages and their notifications, live', () =>
          online.every(
            (m) =>
              toB.events.some((e) => e.type === 'message.new' && e.message.id === m.id) &&
              toB.events.some(
                (e) => e.type === 'notification.new' && e.notification.messageId === m.id,
              ),
          ),
        );
      } finally {
        toB.stop();
      }
      await waitFor('b without an open socket', async () => (await sockets()) === 0);
      const offline = await send('three');
      await waitFor('the offline message published', () => published.length > 0);
      await sleep(300);
      assert.deepEqual(
        published.map((d) => ({
          id: d.message.id,
          appended: d.appended,
          notified: d.notified,
          pushTo: d.pushTo,
        })),
        [{ id: offline.id, appended: true, notified: true, pushTo: [b.id] }],
        'only the message with someone to push to',
      );
      const list = await b.client.api.notification.list.query({ limit: 10 });
      assert.deepEqual(
        list.items.map((n) => n.messageId),
        [offline.id, ...online.map((m) => m.id).reverse()],
        'every message has its notification, newest first',
      );
    } finally {
      redis.disconnect();
    }
  });

  test('a stopped user worker does not hold a send whose sender’s name the owner does not know yet; the notification follows once it is back', async () => {
    const [a, b] = await Promise.all([system.user(), system.user()]);
    const { id } = await a.client.api.chat.openDirect.mutate({ userId: b.id });
    const toB = await stream(b);
    try {
      await system.worker('user').stop();
      let sent: Message;
      try {
        // The gateway gives up after RPC_TIMEOUT_MS (2 s): a send that waited for the user
        // worker's answer would be a GATEWAY_TIMEOUT.
        sent = await a.client.api.chat.send.mutate({
          conversationId: id,
          clientId: randomUUID(),
          content: 'while the user worker is down',
        });
        await waitFor('the message, live', () =>
          toB.events.some((e) => e.type === 'message.new' && e.message.id === sent.id),
        );
      } finally {
        await system.restart(system.worker('user'));
      }
      await waitFor(
        'its notification, once names can be asked again',
        () =>
          toB.events.some(
            (e) => e.type === 'notification.new' && e.notification.messageId === sent.id,
          ),
        30_000,
      );
    } finally {
      toB.stop();
    }
  });

  /** Every event the user gets from now on (resolves once the subscription is live). */
  async function stream(user: TestUser): Promise<{ events: ClientEvent[]; stop: () => void }> {
    const events: ClientEvent[] = [];
    const client = system.client({ session: user.client.session });
    let sub: { unsubscribe(): void } | undefined;
    await new Promise<void>((resolve) => {
      sub = client.api.events.stream.subscribe(undefined, {
        onStarted: () => resolve(),
        onData: (data: unknown) => {
          const d = data as { data?: ClientEvent; type?: string };
          events.push((d.type ? d : d.data) as ClientEvent);
        },
      });
    });
    return {
      events,
      stop: () => {
        sub?.unsubscribe();
        client.close();
      },
    };
  }
});

describe('store writes that linger under load (CHAT_WRITE_LINGER_MS=50)', () => {
  let system: TestSystem;
  const inboxes: Inbox[] = [];

  before(async () => {
    system = await TestSystem.start({
      env: { RATE_SEND_PER_USER: '100000', RPC_TIMEOUT_MS: '2000', CHAT_WRITE_LINGER_MS: '50' },
    });
  });
  after(async () => {
    inboxes.forEach((i) => i.close());
    await system?.stop();
  });

  test('sends share lingering rounds; a chat worker killed with writes waiting loses nothing, stores nothing twice, keeps order', async () => {
    await loadThrough(system, inboxes, 50, async () => {
      await sleep(1_500);
      // Seven senders one send at a time each: with a 50 ms linger, rounds carry several.
      const samples = await scrape(system.metricsUrl(system.worker('chat')));
      const label = { collection: 'messages' };
      const rounds = total(samples, 'chat_write_batch_size_count', label);
      const stored = total(samples, 'chat_write_batch_size_sum', label);
      assert.ok(rounds > 0 && stored / rounds >= 2, `messages per insert: ${stored} / ${rounds}`);
      await system.worker('chat').stop('SIGKILL');
      await system.restart(system.worker('chat'));
    });
  });
});

describe('an owner whose memory holds nothing between commands (OWNER_CACHE_MAX_ITEMS=1)', () => {
  let system: TestSystem;
  before(async () => {
    system = await TestSystem.start({ env: { OWNER_CACHE_MAX_ITEMS: '1' } });
  });
  after(() => system?.stop());

  test('every conversation is reloaded from the store each time: sends, retries, receipts and unread counts stay right', async () => {
    const [a, b, c] = await Promise.all([system.user(), system.user(), system.user()]);
    const { id } = await a.client.api.chat.openDirect.mutate({ userId: b.id });
    const clientId = randomUUID();
    const first = await a.client.api.chat.send.mutate({
      conversationId: id,
      clientId,
      content: 'one',
    });
    const retried = await a.client.api.chat.send.mutate({
      conversationId: id,
      clientId,
      content: 'one',
    });
    assert.equal(retried.id, first.id, 'a retry is the same message, found in the store');
    const second = await a.client.api.chat.send.mutate({
      conversationId: id,
      clientId: randomUUID(),
      content: 'two',
    });
    const unreadOf = async (u: TestUser, conversationId: string) =>
      (await u.client.api.chat.conversation.query({ conversationId })).unreadCount;
    assert.equal(await unreadOf(b, id), 2);
    assert.equal(await unreadOf(a, id), 0, 'own messages are read');
    await b.client.api.chat.markRead.mutate({ conversationId: id, upToMessageId: second.id });
    assert.equal(await unreadOf(b, id), 0);
    const history = await a.client.api.chat.messages.query({ conversationId: id, limit: 10 });
    assert.deepEqual(
      history.items.map((m) => [m.content, m.status]),
      [
        ['two', 'read'],
        ['one', 'read'],
      ],
    );

    const group = await a.client.api.group.create.mutate({
      name: 'forgetful',
      memberIds: [b.id, c.id],
    });
    for (const text of ['g1', 'g2'])
      await b.client.api.chat.send.mutate({
        conversationId: group.conversationId,
        clientId: randomUUID(),
        content: text,
      });
    assert.deepEqual(
      await Promise.all([a, b, c].map((u) => unreadOf(u, group.conversationId))),
      [2, 0, 2],
    );
    // Nothing stayed: each conversation was dropped once its command was done.
    const samples = await scrape(system.metricsUrl(system.worker('chat')));
    assert.equal(total(samples, 'chat_owner_conversations_cached'), 0);
    assert.equal(total(samples, 'chat_owner_cached_items'), 0);
  });

  test('a deletion a crash cut short (tombstone stored, its file not yet removed) is finished by deleting again', async () => {
    const [a, b] = await Promise.all([system.user(), system.user()]);
    const { id } = await a.client.api.chat.openDirect.mutate({ userId: b.id });
    const up = await uploadAs(system, a, id, randomBytes(1500), { name: 'left.bin' });
    assert.equal(up.status, 201);
    const sent = await a.client.api.chat.send.mutate({
      conversationId: id,
      clientId: randomUUID(),
      attachments: [up.json.id],
    });
    // What a crash between the tombstone's write and the file's removal leaves in the store.
    const mongo = await mongoose.createConnection(system.env.MONGO_URL!).asPromise();
    try {
      const chat = mongo.useDb(`${system.dbPrefix}chat`);
      const tombstoned = await chat
        .collection('messages')
        .updateOne(
          { _id: new mongoose.Types.ObjectId(sent.id) },
          { $set: { content: '', attachments: [], reactions: [], deleted: true, words: [] } },
        );
      assert.equal(tombstoned.modifiedCount, 1);
      assert.equal((await download(system, up.json.url)).status, 200, 'the file is still there');

      assert.deepEqual(await a.client.api.chat.deleteForEveryone.mutate({ messageId: sent.id }), {
        ok: true,
      });
      assert.equal((await download(system, up.json.url)).status, 404, 'the file is gone');
      assert.equal(
        await chat
          .collection('attachments')
          .countDocuments({ _id: new mongoose.Types.ObjectId(up.json.id) }),
        0,
        'and its record',
      );
    } finally {
      await mongo.close();
    }
  });
});
