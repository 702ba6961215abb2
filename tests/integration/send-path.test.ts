import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Message } from '@chat/api';
import { Inbox, sendSequence, verifyConversation } from '../support/load.js';
import { TestSystem, type TestUser } from '../support/system.js';
import { sleep } from '../support/wait.js';

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
    conversations.push(
      await e!.client.api.chat.conversation.query({ conversationId: group.conversationId }),
    );
    users.forEach((u, i) => inboxes.push(new Inbox(u).start(system, i % 2)));
    await sleep(500);

    // Who sends where: both sides of each direct chat, three members of the group.
    const senders: Array<[TestUser, string]> = [
      [a, conversations[0]!.id],
      [b!, conversations[0]!.id],
      [c!, conversations[1]!.id],
      [d!, conversations[1]!.id],
      [e!, group.conversationId],
      [f!, group.conversationId],
      [g!, group.conversationId],
    ];
    const PER_SENDER = 60;
    const record = { acked: new Map<string, Message>(), errors: new Map<string, number>() };

    let finished = false;
    const load = Promise.all(
      senders.map(([user, id]) => sendSequence(user, id, PER_SENDER, record)),
    ).finally(() => (finished = true));
    await sleep(400);
    await system.worker('chat').stop('SIGKILL');
    await system.restart(system.worker('chat'));
    await sleep(400);
    await system.worker('notification').stop('SIGKILL');
    await system.restart(system.worker('notification'));
    assert.equal(finished, false, 'both crashes happened while the load ran');
    await load;
    assert.equal(record.acked.size, senders.length * PER_SENDER);
    for (const conversation of conversations)
      await verifyConversation(conversation, users, inboxes, record.acked);
    console.log(
      `retry-safe failures seen by senders: ${JSON.stringify(Object.fromEntries(record.errors))}`,
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
});
