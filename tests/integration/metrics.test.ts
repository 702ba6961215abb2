import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { ClientEvent } from '@chat/api';
import { scrape, total, type Sample } from '../support/metrics.js';
import { TestSystem, type WorkerName } from '../support/system.js';
import { waitFor } from '../support/wait.js';

let system: TestSystem;

before(async () => {
  system = await TestSystem.start({ env: { QUEUE_SAMPLE_INTERVAL_MS: '200' } });
});
after(() => system?.stop());

const workerMetrics = (name: WorkerName) => scrape(system.metricsUrl(system.worker(name)));
const gatewayMetrics = () => scrape(`${system.url}/metrics`);

/** Scrapes until `check` holds (counters move asynchronously: events, queue samples). */
const until = (what: string, read: () => Promise<Sample[]>, check: (s: Sample[]) => boolean) =>
  waitFor(what, async () => {
    const samples = await read();
    return check(samples) ? samples : undefined;
  });

void test('a send moves the counters of the gateway, the chat and the notification worker', async () => {
  const [alice, bob, carol] = [await system.user(), await system.user(), await system.user()];
  const before = {
    chat: await workerMetrics('chat'),
    notification: await workerMetrics('notification'),
    gateway: await gatewayMetrics(),
  };
  const conversation = await alice.client.api.chat.openDirect.mutate({ userId: bob.id });
  const received: ClientEvent[] = [];
  const sub = bob.client.api.events.stream.subscribe(undefined, {
    onData: (data: unknown) => received.push((data as { data: ClientEvent }).data),
    onError: () => undefined,
  });
  try {
    // Sends until one reaches bob live (the first may precede his subscription).
    await waitFor('bob receives a message live', async () => {
      await alice.client.api.chat.send.mutate({
        conversationId: conversation.id,
        clientId: randomUUID(),
        content: 'metrics',
      });
      return received.some((e) => e?.type === 'message.new');
    });
  } finally {
    sub.unsubscribe();
  }

  const chat = await workerMetrics('chat');
  const sends = { service: 'chat', method: 'chat.send', outcome: 'OK' };
  assert.ok(
    total(chat, 'rpc_handler_duration_seconds_count', sends) >
      total(before.chat, 'rpc_handler_duration_seconds_count', sends),
  );
  assert.ok(
    total(chat, 'chat_messages_stored_total') > total(before.chat, 'chat_messages_stored_total'),
  );
  assert.ok(total(chat, 'chat_write_batch_size_count', { collection: 'messages' }) >= 1);
  // Each group-committed round is timed: the message's insert, then its conversation's update.
  for (const collection of ['messages', 'conversations'])
    assert.ok(
      total(chat, 'chat_write_duration_seconds_count', { collection }) >
        total(before.chat, 'chat_write_duration_seconds_count', { collection }),
      collection,
    );
  // The owner appends message.new to both participants' logs (the sender's other devices too).
  assert.ok(
    total(chat, 'event_log_appends_total', { outcome: 'appended' }) >=
      total(before.chat, 'event_log_appends_total', { outcome: 'appended' }) + 2,
  );
  assert.ok(total(chat, 'process_resident_memory_bytes') > 0);
  assert.ok(total(chat, 'dependency_up', { dependency: 'mongodb' }) === 1);

  // The owner stores bob's notification and appends his notification.new itself (he is online).
  assert.ok(
    total(chat, 'event_log_appends_total', { outcome: 'appended' }) >=
      total(before.chat, 'event_log_appends_total', { outcome: 'appended' }) + 3,
  );
  // carol has no socket: her message's event goes to the notification worker (for a push).
  const toCarol = await alice.client.api.chat.openDirect.mutate({ userId: carol.id });
  await alice.client.api.chat.send.mutate({
    conversationId: toCarol.id,
    clientId: randomUUID(),
    content: 'metrics, offline',
  });
  const queue = 'notification.chat_events';
  const handled = { queue, type: 'message.sent', outcome: 'ok' };
  const notification = await until(
    'the notification worker counts the event',
    () => workerMetrics('notification'),
    (s) => total(s, 'event_handler_duration_seconds_count', handled) > 0,
  );
  assert.equal(total(notification, 'events_dead_lettered_total', { queue }), 0);

  const gateway = await gatewayMetrics();
  assert.ok(total(gateway, 'event_delivery_lag_seconds_count', { type: 'message.new' }) >= 1);
  assert.ok(
    total(gateway, 'http_responses_total', { status: '2xx' }) >
      total(before.gateway, 'http_responses_total', { status: '2xx' }),
  );
  assert.ok(
    total(gateway, 'trpc_procedure_duration_seconds_count', { procedure: 'chat.send' }) >= 1,
  );
});

void test('queue depth is sampled for every queue a worker consumes', async () => {
  const ns = system.env.BUS_NAMESPACE!;
  const chat = await until(
    'the chat worker samples its queues',
    () => workerMetrics('chat'),
    (s) =>
      s.some((x) => x.name === 'queue_messages_ready' && x.labels.queue === `${ns}rpc.chat.p15`),
  );
  for (const queue of ['rpc.chat.shared', 'rpc.chat.p00', 'dead_letters'])
    assert.ok(
      chat.some((x) => x.name === 'queue_messages_ready' && x.labels.queue === `${ns}${queue}`),
      `queue_messages_ready{queue="${ns}${queue}"}`,
    );
});

void test('a poison event is retried, then dead-lettered, and counted as such', async () => {
  const bus = await system.connectBus();
  const queue = 'notification.chat_events';
  const ns = system.env.BUS_NAMESPACE!;
  const before = await workerMetrics('notification');
  // Fails validation in the notification worker on every delivery.
  await bus.publish(
    'chat_events',
    'message.sent',
    { not: 'a message' },
    { requestId: randomUUID() },
    0,
  );
  const after = await until(
    'the event is dead-lettered',
    () => workerMetrics('notification'),
    (s) =>
      total(s, 'events_dead_lettered_total', { queue }) ===
        total(before, 'events_dead_lettered_total', { queue }) + 1 &&
      total(s, 'queue_messages_ready', { queue: `${ns}dead_letters` }) >= 1,
  );
  assert.ok(
    total(after, 'event_redeliveries_total', { queue }) >=
      total(before, 'event_redeliveries_total', { queue }) + 5,
    'each retry is counted as a redelivery',
  );
  assert.ok(total(after, 'event_handler_duration_seconds_count', { queue, outcome: 'retry' }) >= 5);
});
