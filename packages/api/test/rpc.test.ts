import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TRPCError } from '@trpc/server';
import { AppError, createLogger, type RequestMeta } from '@chat/core';
import { createDispatcher, requireUserId, serviceOf, toTRPCError } from '../src/rpc.js';

const log = createLogger({ service: 'test', level: 'silent' });
const meta: RequestMeta = { requestId: 'req-1', userId: 'u1', ip: '127.0.0.1' };

describe('serviceOf', () => {
  const cases: Array<[string, string]> = [
    ['auth.login', 'auth'],
    ['auth.refresh', 'auth'],
    ['user.me', 'user'],
    ['user.provision', 'user'],
    ['chat.send', 'chat'],
    ['group.create', 'chat'],
    ['notification.list', 'notification'],
  ];
  for (const [method, service] of cases) {
    test(`${method} → ${service}`, () => assert.equal(serviceOf(method), service));
  }

  test('an unknown prefix throws', () => {
    for (const method of ['billing.charge', 'nope', '', '.me', 'Auth.login']) {
      assert.throws(() => serviceOf(method), /No worker serves/, method);
    }
  });

  test('names inherited from Object.prototype are unknown too', () => {
    for (const method of ['constructor.x', 'toString.x', '__proto__.x', 'hasOwnProperty.x']) {
      assert.throws(() => serviceOf(method), /No worker serves/, method);
    }
  });
});

describe('createDispatcher', () => {
  test('routes a method to its handler with input, meta and logger', async () => {
    const calls: unknown[][] = [];
    const dispatch = createDispatcher({
      'user.me': (input, m, l) => {
        calls.push([input, m, l]);
        return Promise.resolve({ id: 'u1' } as never);
      },
      'user.byId': () => Promise.reject(new Error('not this one')),
    });
    assert.deepEqual(await dispatch('user.me', {}, meta, log), { id: 'u1' });
    assert.deepEqual(calls, [[{}, meta, log]]);
  });

  test('refuses an unknown method with BAD_REQUEST', async () => {
    const dispatch = createDispatcher({ 'user.me': () => Promise.resolve({} as never) });
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
    const dispatch = createDispatcher({ 'user.me': () => Promise.resolve({} as never) });
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
    const dispatch = createDispatcher({ 'user.byId': () => Promise.reject(boom) });
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
