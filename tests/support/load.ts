import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ClientEvent, Conversation, Message } from '@chat/api';
import type { TestSystem, TestUser } from './system.js';
import { sleep, waitFor } from './wait.js';

/** Every `message.new` one user's subscription received, in arrival order. */
export class Inbox {
  readonly messages: Message[] = [];
  /** The event id each of `messages` came with. */
  readonly eventIds: string[] = [];
  readonly resyncs: number[] = [];
  private stop: () => void = () => undefined;

  constructor(readonly user: TestUser) {}

  start(system: TestSystem, gateway = 0): this {
    const client = system.client({ url: system.urls[gateway]!, session: this.user.client.session });
    const sub = client.api.events.stream.subscribe(undefined, {
      onData: (data: unknown) => {
        const d = data as { id?: string; data?: ClientEvent; type?: string };
        const event = (d.type ? d : d.data) as ClientEvent;
        if (event.type === 'message.new') {
          this.messages.push(event.message);
          this.eventIds.push(d.type ? '' : (d.id ?? ''));
        }
        if (event.type === 'resync') this.resyncs.push(this.messages.length);
      },
    });
    this.stop = () => {
      sub.unsubscribe();
      client.close();
    };
    return this;
  }

  close(): void {
    this.stop();
  }
}

const RETRY_SAFE = ['SERVICE_UNAVAILABLE', 'GATEWAY_TIMEOUT', 'NETWORK'];

/**
 * A client that sends `count` messages one after another into a conversation (and more
 * while `keepGoing` says so), retrying a failed send with the same clientId (only on
 * failures docs/api.md calls safe to retry) until it is acknowledged. Records what it was given
 * in `acked` and the failure codes in `errors`.
 */
export async function sendSequence(
  user: TestUser,
  conversationId: string,
  count: number,
  record: { acked: Map<string, Message>; errors: Map<string, number> },
  pauseMs = 40,
  keepGoing: () => boolean = () => false,
): Promise<void> {
  for (let i = 0; i < count || keepGoing(); i++) {
    const clientId = randomUUID();
    const firstTry = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const m = await user.client.api.chat.send.mutate({
          conversationId,
          clientId,
          content: `${user.username} #${i}`,
        });
        const earlier = record.acked.get(clientId);
        assert.ok(!earlier || earlier.id === m.id, 'a retry names the first message');
        record.acked.set(clientId, m);
        break;
      } catch (err) {
        const code = (err as { data?: { code?: string } }).data?.code ?? 'NETWORK';
        record.errors.set(code, (record.errors.get(code) ?? 0) + 1);
        assert.ok(RETRY_SAFE.includes(code), `only retry-safe failures (got ${code})`);
        assert.ok(
          Date.now() - firstTry < 90_000,
          `the send succeeds again after the failure (${user.username} #${i}, still ${code} after ${attempt} attempts)`,
        );
        await sleep(100);
      }
    }
    await sleep(pauseMs);
  }
}

/**
 * Seven users with two direct chats and a group of four, every user subscribed (spread over
 * the system's gateways), and who sends where: both sides of each direct chat, three members
 * of the group.
 */
export async function loadScenario(system: TestSystem): Promise<{
  users: TestUser[];
  conversations: Conversation[];
  inboxes: Inbox[];
  senders: Array<[TestUser, string]>;
}> {
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
  conversations.push(
    await e!.client.api.chat.conversation.query({ conversationId: group.conversationId }),
  );
  const inboxes = users.map((u, i) => new Inbox(u).start(system, i % system.urls.length));
  await sleep(500);
  const senders: Array<[TestUser, string]> = [
    [a, conversations[0]!.id],
    [b!, conversations[0]!.id],
    [c!, conversations[1]!.id],
    [d!, conversations[1]!.id],
    [e!, group.conversationId],
    [f!, group.conversationId],
    [g!, group.conversationId],
  ];
  return { users, conversations, inboxes, senders };
}

/** A conversation's whole history, oldest first, read by one of its participants. */
export async function historyOf(reader: TestUser, conversationId: string): Promise<Message[]> {
  const history: Message[] = [];
  let cursor: string | undefined;
  do {
    const page = await reader.client.api.chat.messages.query({
      conversationId,
      limit: 100,
      cursor,
    });
    history.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return history.reverse();
}

/**
 * Checks one conversation after a load: every acknowledged message stored once, each
 * sender's messages in the order sent, every participant's subscription got each message
 * once and in the conversation's order, and unread counts equal what the others sent
 * (nobody read anything). Without `resyncAllowed`, every message must have arrived live and
 * no resync been needed; with it (Redis may lose its newest writes in a crash), a message
 * may be missing only from a subscription that was told `resync`, and the conversation's
 * last message (sent after the outage) must have arrived live.
 */
export async function verifyConversation(
  conversation: Conversation,
  users: TestUser[],
  inboxes: Inbox[],
  acked: Map<string, Message>,
  { resyncAllowed = false }: { resyncAllowed?: boolean } = {},
): Promise<void> {
  const reader = users.find((u) => u.id === conversation.participants[0])!;
  const ordered = await historyOf(reader, conversation.id);
  const ids = ordered.map((m) => m.id);
  assert.equal(new Set(ids).size, ids.length, 'each message stored once');
  const expected = [...acked.values()].filter((m) => m.conversationId === conversation.id);
  assert.deepEqual(new Set(ids), new Set(expected.map((m) => m.id)), 'every acked message');
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
    const has = (id: string) => inbox.messages.some((m) => m.id === id);
    await waitFor(
      `${inbox.user.username} has every message of ${conversation.id}`,
      () =>
        resyncAllowed
          ? has(ids.at(-1)!) && (inbox.resyncs.length > 0 || ids.every(has))
          : ids.every(has) || inbox.resyncs.length > 0,
      30_000,
    );
    const received = inbox.messages
      .filter((m) => m.conversationId === conversation.id)
      .map((m) => m.id);
    assert.equal(new Set(received).size, received.length, 'delivered once');
    if (resyncAllowed) {
      const position = new Map(ids.map((id, i) => [id, i]));
      const at = received.map((id) => position.get(id) ?? -1);
      const wrong = at.findIndex((p, i) => p < 0 || (i > 0 && p <= at[i - 1]!));
      assert.ok(
        wrong < 0,
        `delivered in the conversation's order: ${inbox.user.username} got ${received[wrong - 1]} ` +
          `(${ordered[at[wrong - 1]!]?.content}) before ${received[wrong]} ` +
          `(${ordered[at[wrong]!]?.content}); event ids ${[received[wrong - 1], received[wrong]].map((id) => inbox.eventIds[inbox.messages.findIndex((m) => m.id === id)]).join(' then ')}; positions received ${at.join(' ')}; resyncs after ${inbox.resyncs.join(', ')}`,
      );
      if (received.length < ids.length)
        assert.ok(inbox.resyncs.length > 0, 'a message is missing only after a resync');
    } else {
      assert.equal(inbox.resyncs.length, 0, 'no resync was needed');
      assert.deepEqual(received, ids, "delivered in the conversation's order");
    }
    const user = users.find((u) => u.id === participant)!;
    const view = await user.client.api.chat.conversation.query({ conversationId: conversation.id });
    assert.equal(
      view.unreadCount,
      ordered.filter((m) => m.senderId !== participant).length,
      `unread counts follow history (${user.username} in ${conversation.id})`,
    );
  }
}
