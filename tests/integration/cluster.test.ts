// A small cluster on this machine, as `npm run cluster` runs one: two gateways behind NGINX
// (deploy/nginx.conf's rules, Debian's nginx) and two replicas of every worker role. A
// conversation works end to end through NGINX: HTTP calls, and events.stream over WebSockets
// that NGINX spreads over both gateways, so each event crosses from one gateway's user to
// the other's.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { ClientEvent } from '@chat/api';
import { scrape, total } from '../support/metrics.js';
import { TestSystem, type TestUser } from '../support/system.js';
import { waitFor } from '../support/wait.js';

let system: TestSystem;

before(async () => {
  system = await TestSystem.start({ gateways: 2, workerReplicas: 2, nginx: true });
});
after(() => system?.stop());

/** Everything one user's events.stream (through NGINX) delivers. */
function listen(user: TestUser): { events: ClientEvent[]; stop: () => void } {
  const events: ClientEvent[] = [];
  const sub = user.client.api.events.stream.subscribe(undefined, {
    onData: (data: unknown) => {
      const d = data as { id?: string; data?: ClientEvent; type?: string };
      events.push(d.type ? (d as ClientEvent) : d.data!);
    },
    onError: () => undefined,
  });
  return { events, stop: () => sub.unsubscribe() };
}

const openSockets = async (url: string) =>
  total(await scrape(`${url}/metrics`), 'websocket_open_connections');

void test('every role runs twice and NGINX serves the app', async () => {
  for (const role of ['auth', 'user', 'chat', 'notification'] as const) {
    const replicas = system.replicas(role);
    assert.equal(replicas.length, 2, role);
    for (const p of replicas) assert.ok(p.running, `${p.name} runs`);
  }
  const page = await fetch(`${system.url}/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  const ready = await fetch(`${system.url}/ready`);
  assert.equal(ready.status, 200);
  assert.ok(ready.headers.get('x-request-id'), 'NGINX sets a request id');
});

void test('a conversation works end to end through NGINX, across both gateways', async () => {
  const alice = await system.user();
  const bob = await system.user();
  const aliceFeed = listen(alice);
  const bobFeed = listen(bob);
  try {
    // The two sockets land on different gateways (WebSockets go round-robin).
    await waitFor('one socket on each gateway', async () => {
      const counts = await Promise.all(system.urls.map(openSockets));
      return counts.every((n) => n === 1);
    });

    const conversation = await alice.client.api.chat.openDirect.mutate({ userId: bob.id });
    // Sends until one reaches bob live (the first may beat his subscription going live).
    const sent = await waitFor('bob receives alice’s message live', async () => {
      const message = await alice.client.api.chat.send.mutate({
        conversationId: conversation.id,
        clientId: randomUUID(),
        content: 'hello through nginx',
      });
      const got = bobFeed.events.some(
        (e) => e.type === 'message.new' && e.message.id === message.id,
      );
      return got ? message : undefined;
    });
    // Alice's own message reaches her other devices too (her socket is on the other gateway).
    await waitFor('alice sees her own message.new', () =>
      aliceFeed.events.some((e) => e.type === 'message.new' && e.message.id === sent.id),
    );

    await bob.client.api.chat.markRead.mutate({
      conversationId: conversation.id,
      upToMessageId: sent.id,
    });
    await waitFor('alice learns that bob read it', () =>
      aliceFeed.events.some(
        (e) => e.type === 'message.status' && e.status === 'read' && e.messageIds.includes(sent.id),
      ),
    );

    await bob.client.api.chat.typing.mutate({ conversationId: conversation.id, isTyping: true });
    await waitFor('alice sees bob typing (live, via Redis pub/sub)', () =>
      aliceFeed.events.some((e) => e.type === 'typing' && e.userId === bob.id && e.isTyping),
    );

    const history = await bob.client.api.chat.messages.query({
      conversationId: conversation.id,
      limit: 50,
    });
    assert.ok(history.items.some((m) => m.id === sent.id && m.status === 'read'));
    assert.ok(system.proxy!.upstreams().length > 0, 'requests went through NGINX');
  } finally {
    aliceFeed.stop();
    bobFeed.stop();
  }
});
