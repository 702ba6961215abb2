import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ClientEvent, Conversation, Message } from '@chat/api';
import type { TestSystem, TestUser } from './system.js';
import { sleep, waitFor } from './wait.js';

/** Every `message.new` one user's subscription received, in arrival order. */
export class Inbox {
  readonly messages: Message[] = [];
  readonly resyncs: number[] = [];
  private stop: () => void = () => undefined;

  constructor(readonly user: TestUser) {}

  start(system: TestSystem, gateway = 0): this {
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
    for (let attempt = 0; ; attempt++) {
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
        assert.ok(attempt < 150, 'the send succeeds again after the failure');
        await sleep(100);
      }
    }
    await sleep(pauseMs);
  }
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
 * once and in the conversation's order (without a resync), and unread counts equal what the
 * others sent (nobody read anything).
 */
export async function verifyConversation(
  conversation: Conversation,
  users: TestUser[],
  inboxes: Inbox[],
  acked: Map<string, Message>,
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
    await waitFor(
      `${inbox.user.username} has every message of ${conversation.id}`,
      () => ids.every((id) => inbox.messages.some((m) => m.id === id)) || inbox.resyncs.length > 0,
      30_000,
    );
    const received = inbox.messages
      .filter((m) => m.conversationId === conversation.id)
      .map((m) => m.id);
    assert.equal(inbox.resyncs.length, 0, 'no resync was needed');
    assert.equal(new Set(received).size, received.length, 'delivered once');
    assert.deepEqual(received, ids, "delivered in the conversation's order");
    const user = users.find((u) => u.id === participant)!;
    const view = await user.client.api.chat.conversation.query({ conversationId: conversation.id });
    assert.equal(
      view.unreadCount,
      ordered.filter((m) => m.senderId !== participant).length,
      'unread counts follow history',
    );
  }
}
