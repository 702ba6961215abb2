import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { ClientEvent, Message } from '@chat/api';
import { TestSystem, type TestUser } from '../support/system.js';
import { sleep, waitFor } from '../support/wait.js';

/** Every `message.new` one user's subscription received, in arrival order. */
class Inbox {
  readonly messages: Message[] = [];
  readonly resyncs: number[] = [];
  private stop: () => void = () => undefined;

  constructor(readonly user: TestUser) {}

  start(system: TestSystem, gateway: number): void {
    const client = system.client({ url: system.urls[gateway]!, session: this.user.client.session });
    const sub = client.api.events.stream.subscribe(undefined, {
      onData: (data: unknown) => {
        const d = data as { id?: string; data?: ClientEvent; type?: string };
        const event = (d.type ? d : d.data) as ClientEvent;
        if (event.type === 'message.new') this.messages.push(event.message);
        if (event.type === 'resync') this.resyncs.push(this.messages.length);
      },
    });
    this.stop = () => {
      sub.unsubscribe();
      client.close();
    };
  }

  close(): void {
    this.stop();
  }
}

/**
 * The send path under load while its processes die: senders keep sending (each retrying a
 * failed send with the same clientId until it is acknowledged), the chat worker and then the
 * notification worker are killed and restarted mid-way. Every acknowledged message must be
 * stored once, delivered once to every participant, and in each conversation's order.
 */
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
    const users = await Promise.all(Array.from({ length: 7 }, () => system.user()));
    const [a, b, c, d, e, f, g] = users as [TestUser, ...TestUser[]] & TestUser[];
    const conversations = [
      await a.client.api.chat.openDirect.mutate({ userId: b!.id }),
      await c!.client.api.chat.openDirect.mutate({ userId: d!.id }),
    ];
    const group = await e!.client.api.group.create.mutate({
      name: 'load',
      memberIds: [f!.id, g!.id, a.id],
    });
    const groupConversation = await e!.client.api.chat.conversation.query({
      conversationId: group.conversationId,
    });
    conversations.push(groupConversation);
    users.forEach((u, i) => {
      const inbox = new Inbox(u);
      inbox.start(system, i % 2);
      inboxes.push(inbox);
    });
    await sleep(500);

    // Who sends where: both sides of each direct chat, three members of the group.
    const senders: Array<{ user: TestUser; conversationId: string }> = [
      { user: a, conversationId: conversations[0]!.id },
      { user: b!, conversationId: conversations[0]!.id },
      { user: c!, conversationId: conversations[1]!.id },
      { user: d!, conversationId: conversations[1]!.id },
      { user: e!, conversationId: group.conversationId },
      { user: f!, conversationId: group.conversationId },
      { user: g!, conversationId: group.conversationId },
    ];
    const PER_SENDER = 60;
    const acked = new Map<string, Message>(); // clientId → the message the sender was given
    const errors = new Map<string, number>();

    async function sendAll(user: TestUser, conversationId: string): Promise<void> {
      for (let i = 0; i < PER_SENDER; i++) {
        const clientId = randomUUID();
        for (let attempt = 0; ; attempt++) {
          try {
            const m = await user.client.api.chat.send.mutate({
              conversationId,
              clientId,
              content: `${user.username} #${i}`,
            });
            const earlier = acked.get(clientId);
            assert.ok(!earlier || earlier.id === m.id, 'a retry names the first message');
            acked.set(clientId, m);
            break;
          } catch (err) {
            const code = (err as { data?: { code?: string } }).data?.code ?? 'NETWORK';
            errors.set(code, (errors.get(code) ?? 0) + 1);
            assert.ok(
              ['SERVICE_UNAVAILABLE', 'GATEWAY_TIMEOUT', 'NETWORK'].includes(code),
              `only retry-safe failures (got ${code})`,
            );
            assert.ok(attempt < 100, 'the send succeeds again after the crash');
            await sleep(100);
          }
        }
        await sleep(40);
      }
    }

    let finished = false;
    const load = Promise.all(senders.map((s) => sendAll(s.user, s.conversationId))).finally(
      () => (finished = true),
    );
    await sleep(400);
    await system.worker('chat').stop('SIGKILL');
    await system.restart(system.worker('chat'));
    await sleep(400);
    await system.worker('notification').stop('SIGKILL');
    await system.restart(system.worker('notification'));
    assert.equal(finished, false, 'both crashes happened while the load ran');
    await load;
    assert.equal(acked.size, senders.length * PER_SENDER);

    for (const conversation of conversations) {
      const reader = users.find((u) => u.id === conversation.participants[0])!;
      const history: Message[] = [];
      let cursor: string | undefined;
      do {
        const page = await reader.client.api.chat.messages.query({
          conversationId: conversation.id,
          limit: 100,
          cursor,
        });
        history.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      const ordered = history.reverse();
      const ids = ordered.map((m) => m.id);
      assert.equal(new Set(ids).size, ids.length, 'each message stored once');
      const expected = [...acked.values()].filter((m) => m.conversationId === conversation.id);
      assert.deepEqual(new Set(ids), new Set(expected.map((m) => m.id)), 'every acked message');
      // Each sender's messages are in the order they were sent.
      for (const sender of new Set(ordered.map((m) => m.senderId))) {
        const numbers = ordered
          .filter((m) => m.senderId === sender)
          .map((m) => Number(m.content.split('#')[1]));
        assert.deepEqual(
          numbers,
          [...numbers].sort((x, y) => x - y),
          'per-sender order',
        );
      }

      for (const participant of conversation.participants) {
        const inbox = inboxes.find((i) => i.user.id === participant)!;
        await waitFor(
          `${inbox.user.username} has every message of ${conversation.id}`,
          () =>
            ids.every((id) => inbox.messages.some((m) => m.id === id)) || inbox.resyncs.length > 0,
          30_000,
        );
        const received = inbox.messages
          .filter((m) => m.conversationId === conversation.id)
          .map((m) => m.id);
        assert.equal(inbox.resyncs.length, 0, 'no resync was needed');
        assert.equal(new Set(received).size, received.length, 'delivered once');
        assert.deepEqual(received, ids, "delivered in the conversation's order");
      }

      // Nobody read anything: each participant's unread count is what others sent.
      for (const participant of conversation.participants) {
        const user = users.find((u) => u.id === participant)!;
        const view = await user.client.api.chat.conversation.query({
          conversationId: conversation.id,
        });
        assert.equal(
          view.unreadCount,
          ordered.filter((m) => m.senderId !== participant).length,
          'unread counts follow history',
        );
      }
    }
    console.log(
      `retry-safe failures seen by senders: ${JSON.stringify(Object.fromEntries(errors))}`,
    );
  });

  test('unread counts stay exact while both sides send, read and delete at once', async () => {
    const [a, b] = await Promise.all([system.user(), system.user()]);
    const { id } = await a.client.api.chat.openDirect.mutate({ userId: b.id });
    const sent: Message[] = [];
    const deleted = new Set<string>();
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
          }
        }
        await sleep(5);
      }
    })();
    await Promise.all([sendSome(a, 40), sendSome(b, 40)]);
    sending = false;
    await reader;

    // Whatever happened, one last read fixes the position; the counts follow from history.
    const history = (await b.client.api.chat.messages.query({ conversationId: id, limit: 100 }))
      .items;
    const mark = history.find((m) => m.senderId === a.id && history.indexOf(m) > 10)!;
    await b.client.api.chat.markRead.mutate({ conversationId: id, upToMessageId: mark.id });
    const newer = history.slice(0, history.indexOf(mark)); // newest first: those after `mark`
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
});
