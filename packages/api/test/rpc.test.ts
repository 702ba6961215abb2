import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TRPCError } from '@trpc/server';
import { AppError, createLogger, type RequestMeta } from '@chat/core';
import { PARTITIONS, partitionOf, type RpcMethod } from '@chat/contract';
import { createDispatcher, requireUserId, routeOf, toTRPCError } from '../src/rpc.js';

const log = createLogger({ service: 'test', level: 'silent' });
const meta: RequestMeta = { requestId: 'req-1', userId: 'u1', ip: '127.0.0.1' };
const opts = { validateOutputs: false };

describe('routeOf', () => {
  const id = 'a'.repeat(24);
  const cases: Array<[RpcMethod, unknown, string]> = [
    ['auth.login', { identifier: 'x', password: 'y' }, 'auth'],
    ['auth.refresh', { refreshToken: 'x' }, 'auth'],
    ['user.me', {}, 'user'],
    ['user.provision', { id, username: 'u', email: 'e' }, 'user'],
    ['chat.messages', { conversationId: id, limit: 50 }, 'chat'],
    ['group.create', { name: 'g', memberIds: [id] }, 'chat'],
    ['notification.list', { limit: 50 }, 'notification'],
  ];
  for (const [method, input, service] of cases) {
    test(`${method} → ${service}'s shared queue`, () =>
      assert.deepEqual(routeOf(method, input as never), { service, partition: null }));
  }

  test("conversation-scoped methods go to the owner of the conversation's partition", () => {
    const conversationId = '65f0c0ffee0000000000abcd';
    const partition = partitionOf(conversationId);
    assert.ok(partition >= 0 && partition < PARTITIONS);
    const input = { conversationId, clientId: 'c', content: 'hi', type: 'text' } as const;
    assert.deepEqual(routeOf('chat.send', input), { service: 'chat', partition });
    assert.deepEqual(routeOf('chat.markRead', { conversationId, upToMessageId: conversationId }), {
      service: 'chat',
      partition,
    });
    // A group is its conversation: its changes go to the same owner.
    assert.deepEqual(routeOf('group.update', { groupId: conversationId }), {
      service: 'chat',
      partition,
    });
  });

  test('partitionOf is stable and spreads ids over every partition', () => {
    assert.equal(partitionOf('65f0c0ffee0000000000abcd'), partitionOf('65f0c0ffee0000000000abcd'));
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(partitionOf(i.toString(16).padStart(24, '0')));
    assert.equal(seen.size, PARTITIONS);
  });
});

describe('createDispatcher', () => {
  test('routes a method to its handler with input, meta and logger', async () => {
    const calls: unknown[][] = [];
    const dispatch = createDispatcher(
      {
        'user.me': (input, m, l) => {
          calls.push([input, m, l]);
          return Promise.resolve({ id: 'u1' } as never);
        },
        'user.byId': () => Promise.reject(new Error('not this one')),
      },
      opts,
    );
    assert.deepEqual(await dispatch('user.me', {}, meta, log), { id: 'u1' });
    assert.deepEqual(calls, [[{}, meta, log]]);
  });

  test('outside production, an answer that breaks its output schema is a bug', async () => {
    const dispatch = createDispatcher(
      { 'user.me': () => Promise.resolve({ id: 'u1' } as never) },
      { validateOutputs: true },
    );
    await assert.rejects(dispatch('user.me', {}, meta, log), /breaks its schema/);
  });

  test('refuses an unknown method with BAD_REQUEST', async () => {
    const dispatch = createDispatcher({ 'user.me': () => Promise.resolve({} as never) }, opts);
    await assert.rejects(
      async () => dispatch('user.nope', {}, meta, log),
      (err: unknown) =>
        err instanceof AppError && err.code === 'BAD_REQUEST' && /user\.nope/.test(err.message),
    );
    await assert.rejects(
      async () => dispatch('auth.login', {}, meta, log),
      (err: unknown) => err instanceof AppError && err.code === 'BAD_REQUEST',
    );
  });

  test('refuses names inherited from Object.prototype', async () => {
    const dispatch = createDispatcher({ 'user.me': () => Promise.resolve({} as never) }, opts);
    for (const method of ['toString', 'constructor', 'hasOwnProperty']) {
      await assert.rejects(
        async () => dispatch(method, {}, meta, log),
        (err: unknown) => err instanceof AppError && err.code === 'BAD_REQUEST',
        method,
      );
    }
  });

  test('passes handler errors through unchanged', async () => {
    const boom = new AppError('NOT_FOUND', 'User not found');
    const dispatch = createDispatcher({ 'user.byId': () => Promise.reject(boom) }, opts);
    await assert.rejects(dispatch('user.byId', { userId: 'x' }, meta, log), (err) => err === boom);
  });
});

describe('requireUserId', () => {
  test('returns the caller or refuses with UNAUTHORIZED', () => {
    assert.equal(requireUserId(meta), 'u1');
    for (const m of [
      { requestId: 'r' },
      { requestId: 'r', userId: null },
      { requestId: 'r', userId: '' },
    ]) {
      assert.throws(
        () => requireUserId(m),
        (err: unknown) => err instanceof AppError && err.code === 'UNAUTHORIZED',
      );
    }
  });
});

describe('toTRPCError', () => {
  test('keeps code, message and the AppError as cause', () => {
    const app = new AppError('CONFLICT', 'Username already taken', { field: 'username' });
    const err = toTRPCError(app);
    assert.ok(err instanceof TRPCError);
    assert.equal(err.code, 'CONFLICT');
    assert.equal(err.message, 'Username already taken');
    assert.equal(err.cause, app);
  });

  test('maps every error code', () => {
    for (const code of [
      'BAD_REQUEST',
      'UNAUTHORIZED',
      'FORBIDDEN',
      'NOT_FOUND',
      'TOO_MANY_REQUESTS',
      'SERVICE_UNAVAILABLE',
      'GATEWAY_TIMEOUT',
      'PAYLOAD_TOO_LARGE',
    ] as const) {
      assert.equal(toTRPCError(new AppError(code, 'x')).code, code);
    }
  });

  test('hides unknown errors as INTERNAL_SERVER_ERROR', () => {
    for (const thrown of [
      new Error('connection string mongodb://secret@db'),
      'a string',
      null,
      { code: 'NOT_FOUND', message: 'fake' },
    ]) {
      const err = toTRPCError(thrown);
      assert.equal(err.code, 'INTERNAL_SERVER_ERROR');
      assert.equal(err.message, 'Internal server error');
    }
  });

  test('returns a TRPCError as it is', () => {
    const original = new TRPCError({ code: 'FORBIDDEN', message: 'no' });
    assert.equal(toTRPCError(original), original);
  });
});
