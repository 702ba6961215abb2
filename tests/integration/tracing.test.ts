import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import type { AppRouter } from '@chat/api';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { TestSystem } from '../support/system.js';
import { sleep, waitFor } from '../support/wait.js';

/**
 * Tracing on (OTEL_EXPORTER_OTLP_ENDPOINT) with a real OTLP/HTTP receiver: one `chat.send`
 * that carries a client's `traceparent` becomes one connected trace across the gateway, the
 * chat worker (its MongoDB writes) and the notification worker (its Redis appends).
 */
describe('distributed tracing', () => {
  const receiver = new OtlpReceiver();
  let system: TestSystem;
  /** The traceparent the next HTTP call carries (none outside the traced send). */
  let traceparent: string | null = null;

  before(async () => {
    const endpoint = await receiver.start();
    system = await TestSystem.start({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' },
    });
  });
  after(async () => {
    await system?.stop();
    await receiver.stop();
  });

  test('chat.send with a traceparent: one trace through gateway, chat and notification workers', async () => {
    const headers = () => (traceparent ? { traceparent } : ({} as Record<string, string>));
    const alice = await system.user({ headers });
    const bob = await system.user();
    const conversation = await alice.client.api.chat.openDirect.mutate({ userId: bob.id });

    const traceId = randomBytes(16).toString('hex');
    const clientSpanId = randomBytes(8).toString('hex');
    traceparent = `00-${traceId}-${clientSpanId}-01`;
    const message = await alice.client.api.chat.send.mutate({
      conversationId: conversation.id,
      clientId: randomUUID(),
      content: 'traced hello',
    });
    traceparent = null;
    assert.equal(message.content, 'traced hello');

    const inTrace = () => receiver.spans.filter((s) => s.traceId === traceId);
    // Spans arrive in batches, a parent possibly after its children: wait for the whole tree.
    const spans = await waitFor(
      'a connected trace from gateway, chat worker and notification worker',
      () => {
        const spans = inTrace();
        const services = new Set(spans.map((s) => s.service));
        const complete =
          ['gateway', 'chat-worker', 'notification-worker'].every((s) => services.has(s)) &&
          spans.some((s) => s.name === 'process message.sent') &&
          unconnected(spans, clientSpanId).length === 0;
        return complete && spans;
      },
      20_000,
    ).catch(async (err: Error) => {
      await sleep(0);
      throw new Error(`${err.message}\n${describeTrace(inTrace(), clientSpanId)}`);
    });

    // Rooted at the client's span: the gateway's call span is its child.
    const roots = spans.filter((s) => s.parentSpanId === clientSpanId);
    assert.deepEqual(
      roots.map((s) => [s.service, s.name]),
      [['gateway', 'chat.send']],
    );
    assert.deepEqual(unconnected(spans, clientSpanId), []);
    const ids = spans.map((s) => s.spanId);
    assert.equal(new Set(ids).size, ids.length, 'span ids are unique');

    // The path: gateway call → chat worker handles it → publishes → notification worker.
    const byName = (service: string, name: string) =>
      spans.find((s) => s.service === service && s.name === name);
    const gatewayCall = byName('gateway', 'call chat.send');
    const handled = byName('chat-worker', 'handle chat.send');
    const published = byName('chat-worker', 'publish message.sent');
    const processed = byName('notification-worker', 'process message.sent');
    assert.ok(gatewayCall && handled && published && processed, describeTrace(spans, clientSpanId));
    assert.equal(gatewayCall.parentSpanId, roots[0]!.spanId);
    assert.equal(handled.parentSpanId, gatewayCall.spanId);
    assert.ok(isAncestor(spans, handled, published), 'the publish happens inside the handler');
    assert.equal(processed.parentSpanId, published.spanId);

    // The databases: the chat worker's MongoDB insert, Redis in the gateway and both workers.
    const mongo = spans.filter((s) => s.attributes['db.system.name'] === 'mongodb');
    assert.ok(
      mongo.some((s) => s.service === 'chat-worker' && s.name === 'insert messages'),
      describeTrace(spans, clientSpanId),
    );
    const redis = spans.filter((s) => s.attributes['db.system.name'] === 'redis');
    assert.ok(redis.some((s) => s.service === 'gateway')); // rate limits
    // The owner appends message.new to the logs itself; the notification worker, the notification.
    const ownerAppends = redis.filter((s) => s.service === 'chat-worker');
    assert.ok(ownerAppends.length > 0, describeTrace(spans, clientSpanId));
    assert.ok(ownerAppends.every((s) => isAncestor(spans, handled, s)));
    const appends = redis.filter((s) => s.service === 'notification-worker');
    assert.ok(appends.length > 0, describeTrace(spans, clientSpanId));
    assert.ok(appends.every((s) => isAncestor(spans, processed, s)));
  });

  test('a call without traceparent starts a trace of its own at the gateway', async () => {
    const before = new Set(receiver.spans.map((s) => s.traceId));
    const carol = await system.user();
    await carol.client.api.user.me.query();
    const root = await waitFor('a root span for user.me', () =>
      receiver.spans.find(
        (s) => s.name === 'user.me' && s.parentSpanId === '' && !before.has(s.traceId),
      ),
    );
    assert.equal(root.service, 'gateway');
    await waitFor('the user worker span in the same trace', () =>
      receiver.spans.some(
        (s) =>
          s.traceId === root.traceId && s.service === 'user-worker' && s.name === 'handle user.me',
      ),
    );
  });

  test('a WebSocket call continues the traceparent of its upgrade request', async () => {
    const dave = await system.user();
    const traceId = randomBytes(16).toString('hex');
    const clientSpanId = randomBytes(8).toString('hex');
    // What a client that traces its connection sends: the header on the upgrade request.
    class TracedWebSocket extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: { traceparent: `00-${traceId}-${clientSpanId}-01` } });
      }
    }
    const ws = createWSClient({
      url: `${system.url.replace(/^http/, 'ws')}/trpc`,
      WebSocket: TracedWebSocket as unknown as typeof globalThis.WebSocket,
      connectionParams: { token: dave.client.session!.accessToken },
    });
    try {
      const api = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
      const me = await api.user.me.query();
      assert.equal(me.id, dave.id);
    } finally {
      await ws.close();
    }
    // Each process exports on its own schedule: the worker's span can arrive before the
    // gateway's, so wait for both.
    const spans = await waitFor('the WebSocket call and its worker span in the trace', () => {
      const spans = receiver.spans.filter((s) => s.traceId === traceId);
      return (
        spans.some((s) => s.service === 'user-worker' && s.name === 'handle user.me') &&
        spans.some((s) => s.name === 'user.me') &&
        spans
      );
    });
    const call = spans.find((s) => s.name === 'user.me');
    assert.equal(call?.service, 'gateway');
    assert.equal(call.parentSpanId, clientSpanId);
  });
});

/** Spans whose parent is neither the client's span nor another span of the trace. */
function unconnected(spans: ReceivedSpan[], clientSpanId: string): ReceivedSpan[] {
  const ids = new Set(spans.map((s) => s.spanId));
  return spans.filter((s) => s.parentSpanId !== clientSpanId && !ids.has(s.parentSpanId));
}

function isAncestor(spans: ReceivedSpan[], ancestor: ReceivedSpan, span: ReceivedSpan): boolean {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  for (let s = byId.get(span.parentSpanId); s; s = byId.get(s.parentSpanId))
    if (s === ancestor) return true;
  return false;
}

function describeTrace(spans: ReceivedSpan[], clientSpanId: string): string {
  return `spans received:\n${spans
    .map(
      (s) =>
        `  ${s.service} ${s.name} ${s.spanId} ← ${s.parentSpanId === clientSpanId ? 'client' : s.parentSpanId || '(root)'}`,
    )
    .join('\n')}`;
}
