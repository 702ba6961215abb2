import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { appRouter, type ApiContext, type StreamItem } from '@chat/api';
import { serveTrpcSockets } from '../src/sockets/trpc-sockets.js';
import { batchLimitedEncoder } from '../src/ws-encoder.js';

/**
 * The adapter on its own: the real router, a context whose event source is a test stream
 * (no Redis here — the integration tests run the whole gateway), a real socket on loopback.
 */
class TestStream implements AsyncIterableIterator<StreamItem> {
  private readonly queued: StreamItem[] = [];
  private wake: (() => void) | null = null;
  returned = false;

  push(item: StreamItem): void {
    this.queued.push(item);
    this.wake?.();
  }

  async next(): Promise<IteratorResult<StreamItem, undefined>> {
    while (!this.returned && this.queued.length === 0)
      await new Promise<void>((resolve) => (this.wake = resolve));
    if (this.returned) return { done: true, value: undefined };
    return { done: false, value: this.queued.shift()! };
  }

  return(): Promise<IteratorResult<StreamItem, undefined>> {
    this.returned = true;
    this.wake?.();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

const streams: TestStream[] = [];
const errors: string[] = [];
let url = '';
const server = createServer();
const wss = new WebSocketServer({ server });

function context(): ApiContext {
  return {
    requestId: null,
    ip: '127.0.0.1',
    connectionKey: 'ws:test',
    user: { id: '0123456789abcdef01234567', username: 'tester' },
    limits: { consume: () => Promise.resolve() },
    events: {
      open: () => {
        const stream = new TestStream();
        streams.push(stream);
        return Promise.resolve(stream);
      },
    },
  } as unknown as ApiContext;
}

before(async () => {
  serveTrpcSockets({
    wss,
    router: appRouter,
    encoder: batchLimitedEncoder(50),
    createContext: () => Promise.resolve(context()),
    onError: ({ error }) => errors.push(error.code),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/trpc`;
});
after(() => {
  for (const client of wss.clients) client.terminate();
  wss.close();
  server.close();
});

interface Frame {
  id?: unknown;
  result?: { type?: string; id?: string; data?: unknown };
  error?: { message?: string; data?: { code?: string } };
}

async function connect(): Promise<{
  ws: WebSocket;
  next: (m: (f: Frame) => boolean) => Promise<Frame>;
}> {
  const ws = new WebSocket(url);
  const frames: Frame[] = [];
  const waiters: Array<{ match: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  ws.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString()) as Frame;
    frames.push(frame);
    for (const w of [...waiters])
      if (w.match(frame)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(frame);
      }
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const next = (match: (f: Frame) => boolean) =>
    new Promise<Frame>((resolve, reject) => {
      const seen = frames.find(match);
      if (seen) return resolve(seen);
      const timer = setTimeout(() => reject(new Error('no such frame in 5 s')), 5_000);
      waiters.push({
        match,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  return { ws, next };
}

const subscribe = (ws: WebSocket, id: number) =>
  ws.send(JSON.stringify({ id, method: 'subscription', params: { path: 'events.stream' } }));
const isType = (id: number, type: string) => (f: Frame) => f.id === id && f.result?.type === type;

/** A socket with subscription `id` started, and the stream it reads. */
async function subscribed(id: number) {
  const socket = await connect();
  subscribe(socket.ws, id);
  await socket.next(isType(id, 'started'));
  return { ...socket, stream: streams.at(-1)! };
}

test('items as tRPC frames them: tracked with their id, untracked bare; stop ends the iterator', async () => {
  const { ws, next, stream } = await subscribed(1);
  stream.push({ id: '5-1700000000000-0', event: { type: 'resync' } });
  stream.push({ id: null, event: { type: 'typing', conversationId: 'c', userId: 'u' } as never });
  const tracked = await next((f) => isType(1, 'data')(f) && f.result?.id !== undefined);
  assert.deepEqual(tracked.result, {
    type: 'data',
    data: { id: '5-1700000000000-0', data: { type: 'resync' } },
    id: '5-1700000000000-0',
  });
  const untracked = await next((f) => isType(1, 'data')(f) && f.result?.id === undefined);
  assert.deepEqual(untracked.result, {
    type: 'data',
    data: { type: 'typing', conversationId: 'c', userId: 'u' },
  });
  ws.send(JSON.stringify({ id: 1, method: 'subscription.stop' }));
  await next(isType(1, 'stopped'));
  assert.equal(stream.returned, true);
  ws.close();
});

test('an item the encoder cannot write ends the subscription with an error, not the process', async () => {
  const { ws, next, stream } = await subscribed(2);
  stream.push({ id: null, event: { type: 'typing', at: 1n } as never });
  const failed = await next((f) => f.id === 2 && f.error !== undefined);
  assert.equal(failed.error?.data?.code, 'INTERNAL_SERVER_ERROR');
  await next(isType(2, 'stopped'));
  assert.equal(stream.returned, true);
  assert.ok(errors.includes('INTERNAL_SERVER_ERROR'), 'reported through onError');
  ws.close();
});

test('a duplicate subscription id is refused and its iterator ended; closing ends the first', async () => {
  const { ws, next, stream: first } = await subscribed(3);
  subscribe(ws, 3);
  const refused = await next((f) => f.id === 3 && f.error !== undefined);
  assert.match(refused.error?.message ?? '', /Duplicate id 3/);
  const duplicate = streams.at(-1)!;
  assert.notEqual(duplicate, first);
  assert.equal(duplicate.returned, true);
  assert.equal(first.returned, false);
  ws.close();
  await new Promise((resolve) => ws.once('close', resolve));
  for (let i = 0; i < 50 && !first.returned; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(first.returned, true);
});
