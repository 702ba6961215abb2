import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getTRPCErrorShape, TRPCError } from '@trpc/server';
import { z } from 'zod';
import { AppError, createLogger, type RequestMeta } from '@chat/core';
import {
  appRouter,
  createCallerFactory,
  setExposeErrorStacks,
  type ApiContext,
  type RateLimitRule,
  type RpcCaller,
} from '../src/index.js';

const createCaller = createCallerFactory(appRouter);

const me = {
  id: 'u1',
  username: 'alice',
  displayName: 'alice',
  avatar: null,
  bio: '',
  status: 'online' as const,
  lastSeen: null,
  email: 'alice@example.test',
};
const session = {
  user: me,
  accessToken: 'a',
  refreshToken: 'r',
  accessTokenExpiresAt: new Date().toISOString(),
};

interface Fake {
  ctx: ApiContext;
  rpcCalls: Array<{ method: string; input: unknown; meta: RequestMeta }>;
  limitCalls: Array<[string, ...string[]]>;
  done: Array<{ path: string; code: string; userId: string | null }>;
}

/** A context of stubs: `answer` plays the worker, `limits` overrides single limiter methods. */
function fakeContext(
  options: {
    user?: { id: string } | null;
    authError?: string;
    answer?: (method: string, input: unknown) => unknown;
    limits?: Partial<ApiContext['limits']>;
  } = {},
): Fake {
  const rpcCalls: Fake['rpcCalls'] = [];
  const limitCalls: Fake['limitCalls'] = [];
  const done: Fake['done'] = [];
  const rpc = ((method: string, input: unknown, meta: RequestMeta): Promise<unknown> => {
    rpcCalls.push({ method, input, meta });
    // A throw inside the executor becomes a rejection, like a worker's error over the bus.
    return new Promise((resolve) => resolve(options.answer ? options.answer(method, input) : me));
  }) as RpcCaller;
  const limits: ApiContext['limits'] = {
    consume: (rule: RateLimitRule, key: string) => {
      limitCalls.push(['consume', rule, key]);
      return options.limits?.consume ? options.limits.consume(rule, key) : Promise.resolve();
    },
    assertLoginAllowed: (identifier, ip) => {
      limitCalls.push(['assertLoginAllowed', identifier, ip]);
      return options.limits?.assertLoginAllowed?.(identifier, ip) ?? Promise.resolve();
    },
    recordLoginFailure: (identifier, ip) => {
      limitCalls.push(['recordLoginFailure', identifier, ip]);
      return Promise.resolve();
    },
    recordLoginSuccess: (identifier) => {
      limitCalls.push(['recordLoginSuccess', identifier]);
      return Promise.resolve();
    },
  };
  const ctx: ApiContext = {
    requestId: 'req-1',
    ip: '203.0.113.7',
    connectionKey: 'http:203.0.113.7',
    user: options.user === undefined ? { id: 'u1' } : options.user,
    ...(options.authError ? { authError: options.authError } : {}),
    rpc,
    limits,
    // No test here subscribes; an empty stream keeps the context complete.
    events: {
      open: () => Promise.resolve((async function* () {})()),
    },
    log: createLogger({ service: 'test', level: 'silent' }),
    onProcedureDone: (info) => done.push({ path: info.path, code: info.code, userId: info.userId }),
  };
  return { ctx, rpcCalls, limitCalls, done };
}

/** Awaits a call that must fail with a TRPCError of `code`. */
async function rejectsWith(promise: Promise<unknown>, code: TRPCError['code']): Promise<TRPCError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof TRPCError, `expected a TRPCError, got ${String(err)}`);
    assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
    return err;
  }
  assert.fail(`expected ${code}, but the call succeeded`);
}

/** The error as a client would see it, through the router's own errorFormatter. */
const shapeOf = (error: TRPCError, path: string, ctx: ApiContext) =>
  getTRPCErrorShape({
    config: appRouter._def._config,
    error,
    type: 'mutation',
    path,
    input: undefined,
    ctx,
  });

describe('protected procedures', () => {
  test('refuse a null user with UNAUTHORIZED, without calling a worker', async () => {
    const fake = fakeContext({ user: null });
    const caller = createCaller(fake.ctx);
    const calls = [
      caller.user.me(),
      caller.user.byId({ userId: 'u2' }),
      caller.user.search({ query: 'al' }),
      caller.user.updateProfile({ bio: 'x' }),
      caller.user.setStatus({ status: 'away' }),
    ];
    for (const call of calls) await rejectsWith(call, 'UNAUTHORIZED');
    assert.deepEqual(fake.rpcCalls, []);
  });

  test('say why the token was refused (ctx.authError)', async () => {
    const fake = fakeContext({ user: null, authError: 'Token expired' });
    const err = await rejectsWith(createCaller(fake.ctx).user.me(), 'UNAUTHORIZED');
    assert.equal(err.message, 'Token expired');
  });

  test('call the worker with the caller in meta, never in the input', async () => {
    const fake = fakeContext({ user: { id: 'u42' } });
    assert.deepEqual(await createCaller(fake.ctx).user.me(), me);
    assert.equal(fake.rpcCalls.length, 1);
    const [call] = fake.rpcCalls;
    assert.equal(call!.method, 'user.me');
    assert.deepEqual(call!.input, {});
    const { callId, ...meta } = call!.meta;
    assert.deepEqual(meta, { requestId: 'req-1', userId: 'u42', ip: '203.0.113.7' });
    assert.match(callId ?? '', /^[0-9a-f-]{36}$/, 'each call gets its own callId');
  });

  test('give every worker call its own callId, even within one request', async () => {
    const fake = fakeContext({ user: { id: 'u42' } });
    const caller = createCaller(fake.ctx);
    await Promise.all([caller.user.me(), caller.user.me()]);
    const [a, b] = fake.rpcCalls.map((c) => c.meta.callId);
    assert.ok(a && b && a !== b, `callIds ${a} and ${b}`);
  });

  test('pass the parsed input (defaults applied) to the worker', async () => {
    const fake = fakeContext({ answer: () => ({ items: [], nextCursor: null }) });
    await createCaller(fake.ctx).user.search({ query: '  al  ' });
    assert.deepEqual(fake.rpcCalls[0]!.input, { query: 'al', limit: 20 });
  });

  test('map worker AppErrors to the same tRPC code and message', async () => {
    const fake = fakeContext({
      answer: () => {
        throw new AppError('NOT_FOUND', 'User not found');
      },
    });
    const err = await rejectsWith(createCaller(fake.ctx).user.byId({ userId: 'u2' }), 'NOT_FOUND');
    assert.equal(err.message, 'User not found');
  });

  test('hide unknown worker errors as INTERNAL_SERVER_ERROR', async () => {
    const fake = fakeContext({
      answer: () => {
        throw new Error('mongo exploded at 10.0.0.3');
      },
    });
    const err = await rejectsWith(createCaller(fake.ctx).user.me(), 'INTERNAL_SERVER_ERROR');
    assert.equal(err.message, 'Internal server error');
    const shape = shapeOf(err, 'user.me', fake.ctx);
    assert.doesNotMatch(JSON.stringify(shape), /mongo exploded/);
  });

  test('report each call once to onProcedureDone, with its outcome', async () => {
    const fake = fakeContext();
    await createCaller(fake.ctx).user.me();
    await rejectsWith(createCaller({ ...fake.ctx, user: null }).user.me(), 'UNAUTHORIZED');
    assert.deepEqual(fake.done, [
      { path: 'user.me', code: 'OK', userId: 'u1' },
      { path: 'user.me', code: 'UNAUTHORIZED', userId: null },
    ]);
  });
});

describe('input validation', () => {
  test('BAD_REQUEST carries the ZodError; the formatted error has zodError and a readable message', async () => {
    const fake = fakeContext({ user: null });
    const err = await rejectsWith(
      createCaller(fake.ctx).auth.register({ username: 'Alice', email: 'nope', password: 'short' }),
      'BAD_REQUEST',
    );
    assert.ok(err.cause instanceof z.ZodError, 'the cause is the ZodError');
    const shape = shapeOf(err, 'auth.register', fake.ctx);
    assert.equal(shape.data.code, 'BAD_REQUEST');
    assert.equal(shape.data.httpStatus, 400);
    assert.ok(shape.data.zodError, 'zodError is set');
    assert.deepEqual(Object.keys(shape.data.zodError.fieldErrors).sort(), [
      'email',
      'password',
      'username',
    ]);
    assert.match(shape.message, /^Invalid input — /);
    assert.match(shape.message, /username/);
    assert.deepEqual(fake.rpcCalls, [], 'no worker is called');
  });

  test('unknown keys are BAD_REQUEST, named in formErrors', async () => {
    const fake = fakeContext();
    const err = await rejectsWith(
      createCaller(fake.ctx).user.updateProfile({ bio: 'x', admin: true } as never),
      'BAD_REQUEST',
    );
    const shape = shapeOf(err, 'user.updateProfile', fake.ctx);
    assert.match(shape.data.zodError?.formErrors.join(' ') ?? '', /admin/);
  });

  test('errors that are not validation errors have zodError null', async () => {
    const fake = fakeContext({ user: null });
    const err = await rejectsWith(createCaller(fake.ctx).user.me(), 'UNAUTHORIZED');
    const shape = shapeOf(err, 'user.me', fake.ctx);
    assert.equal(shape.data.zodError, null);
    assert.equal(shape.data.httpStatus, 401);
    assert.equal(shape.data.stack, undefined, 'no stack trace, whatever NODE_ENV is');
  });

  test('a stack trace only when the gateway opts in (EXPOSE_ERROR_STACKS)', async () => {
    const fake = fakeContext({ user: null });
    const err = await rejectsWith(createCaller(fake.ctx).user.me(), 'UNAUTHORIZED');
    setExposeErrorStacks(true);
    try {
      assert.match(String(shapeOf(err, 'user.me', fake.ctx).data.stack), /UNAUTHORIZED|Error/);
    } finally {
      setExposeErrorStacks(false);
    }
    assert.equal(shapeOf(err, 'user.me', fake.ctx).data.stack, undefined);
  });
});

describe('auth.login', () => {
  const input = { identifier: ' Alice ', password: 'whatever' };

  test('success: checks the limiter, calls the worker with the ip, records success', async () => {
    const fake = fakeContext({ user: null, answer: () => session });
    assert.deepEqual(await createCaller(fake.ctx).auth.login(input), session);
    assert.deepEqual(fake.rpcCalls[0]!.input, { identifier: 'alice', password: 'whatever' });
    assert.equal(fake.rpcCalls[0]!.meta.ip, '203.0.113.7');
    assert.deepEqual(fake.limitCalls.slice(1), [
      ['assertLoginAllowed', 'alice', '203.0.113.7'],
      ['recordLoginSuccess', 'alice'],
    ]);
  });

  test('records a failure on UNAUTHORIZED from the worker', async () => {
    const fake = fakeContext({
      user: null,
      answer: () => {
        throw new AppError('UNAUTHORIZED', 'Wrong username or password');
      },
    });
    const err = await rejectsWith(createCaller(fake.ctx).auth.login(input), 'UNAUTHORIZED');
    assert.equal(err.message, 'Wrong username or password');
    const failures = fake.limitCalls.filter(([m]) => m === 'recordLoginFailure');
    assert.deepEqual(failures, [['recordLoginFailure', 'alice', '203.0.113.7']]);
    assert.equal(fake.limitCalls.filter(([m]) => m === 'recordLoginSuccess').length, 0);
  });

  test('does not record a failure for other worker errors', async () => {
    const thrown: unknown[] = [
      new AppError('SERVICE_UNAVAILABLE', 'auth worker down'),
      new AppError('GATEWAY_TIMEOUT', 'no answer'),
      new Error('boom'),
    ];
    for (const error of thrown) {
      const fake = fakeContext({
        user: null,
        answer: () => {
          throw error;
        },
      });
      const code = error instanceof AppError ? error.code : 'INTERNAL_SERVER_ERROR';
      await rejectsWith(createCaller(fake.ctx).auth.login(input), code);
      assert.deepEqual(
        fake.limitCalls.filter(([m]) => m.startsWith('record')),
        [],
        `no record after ${String(error)}`,
      );
    }
  });

  test('a refused login attempt (limiter) never reaches the worker; retryAfterMs is kept', async () => {
    const fake = fakeContext({
      user: null,
      limits: {
        assertLoginAllowed: () =>
          Promise.reject(
            new AppError('TOO_MANY_REQUESTS', 'Too many attempts', { retryAfterMs: 1234 }),
          ),
      },
    });
    const err = await rejectsWith(createCaller(fake.ctx).auth.login(input), 'TOO_MANY_REQUESTS');
    assert.equal(err.message, 'Too many attempts');
    assert.deepEqual(fake.rpcCalls, []);
    const shape = shapeOf(err, 'auth.login', fake.ctx);
    assert.equal(shape.data.retryAfterMs, 1234);
    assert.equal(shape.data.httpStatus, 429);
  });
});

describe('rate limits', () => {
  test('every call consumes the default limit of its connection', async () => {
    const fake = fakeContext();
    await createCaller(fake.ctx).user.me();
    assert.deepEqual(fake.limitCalls, [['consume', 'default', 'http:203.0.113.7']]);
  });

  test('a TOO_MANY_REQUESTS AppError from limits.consume becomes a TRPCError with that code', async () => {
    const fake = fakeContext({
      limits: {
        consume: () =>
          Promise.reject(new AppError('TOO_MANY_REQUESTS', 'Slow down', { retryAfterMs: 250 })),
      },
    });
    const err = await rejectsWith(createCaller(fake.ctx).user.me(), 'TOO_MANY_REQUESTS');
    assert.equal(err.message, 'Slow down');
    assert.equal(shapeOf(err, 'user.me', fake.ctx).data.retryAfterMs, 250);
    assert.deepEqual(fake.rpcCalls, []);
  });

  test('auth.register consumes the register limit of the ip', async () => {
    const fake = fakeContext({ user: null, answer: () => session });
    await createCaller(fake.ctx).auth.register({
      username: 'alice',
      email: 'a@example.test',
      password: 'password123',
    });
    assert.deepEqual(fake.limitCalls, [
      ['consume', 'default', 'http:203.0.113.7'],
      ['consume', 'register', '203.0.113.7'],
    ]);
  });

  test('a refused sign-up never reaches the worker', async () => {
    const fake = fakeContext({
      user: null,
      limits: {
        consume: (rule) =>
          rule === 'register'
            ? Promise.reject(
                new AppError('TOO_MANY_REQUESTS', 'Too many sign-ups', { retryAfterMs: 60_000 }),
              )
            : Promise.resolve(),
      },
    });
    await rejectsWith(
      createCaller(fake.ctx).auth.register({
        username: 'alice',
        email: 'a@example.test',
        password: 'password123',
      }),
      'TOO_MANY_REQUESTS',
    );
    assert.deepEqual(fake.rpcCalls, []);
  });
});

describe('auth.refresh / auth.logout', () => {
  test('are public and forward the token to the auth worker', async () => {
    const fake = fakeContext({
      user: null,
      answer: (method) => (method === 'auth.logout' ? { ok: true } : session),
    });
    const caller = createCaller(fake.ctx);
    await caller.auth.refresh({ refreshToken: 'rt' });
    assert.deepEqual(await caller.auth.logout({ refreshToken: 'rt' }), { ok: true });
    assert.deepEqual(
      fake.rpcCalls.map((c) => [c.method, c.input]),
      [
        ['auth.refresh', { refreshToken: 'rt' }],
        ['auth.logout', { refreshToken: 'rt' }],
      ],
    );
  });

  test('an empty refresh token is BAD_REQUEST', async () => {
    const fake = fakeContext({ user: null });
    await rejectsWith(createCaller(fake.ctx).auth.refresh({ refreshToken: '' }), 'BAD_REQUEST');
  });
});
