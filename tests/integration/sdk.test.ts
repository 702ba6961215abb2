import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import WebSocket from 'ws';
import type { AppRouter, StoredSession } from '@chat/sdk';
import { signToken } from '@chat/tokens';
import { TestSystem } from '../support/system.js';
import { rejectsWith } from '../support/errors.js';

// The test system runs with NODE_ENV=test, so processes use the development secrets below.
const ACCESS = {
  secret: 'dev-only-access-secret-0123456789abcdef',
  issuer: 'chat-auth',
  audience: 'chat-api',
};
const FAR_FUTURE = new Date(Date.now() + 365 * 24 * 60 * 60 * 1000).toISOString();

const expiredAccessToken = async (userId: string) =>
  (await signToken('access', { ...ACCESS, ttlSeconds: -10 }, { sub: userId })).token;

/** A stored session whose access token the server refuses, but which the client believes is fresh. */
async function withExpiredAccess(session: StoredSession): Promise<StoredSession> {
  return {
    ...session,
    accessToken: await expiredAccessToken(session.userId),
    accessTokenExpiresAt: FAR_FUTURE,
  };
}

/** Records every onSessionChange call. */
function sessionLog() {
  const calls: Array<StoredSession | null> = [];
  return { calls, onSessionChange: (s: StoredSession | null) => void calls.push(s) };
}

/** A fetch that answers auth.refresh only after `release()`; `answered` resolves when the server has answered. */
function holdRefreshAnswers() {
  let onAnswered!: () => void;
  const answered = new Promise<void>((r) => (onAnswered = r));
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const holding: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    if (String(input instanceof Request ? input.url : input).includes('auth.refresh')) {
      onAnswered();
      await released;
    }
    return res;
  };
  return { fetch: holding, answered, release };
}

async function waitFor(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('sdk', () => {
  let system: TestSystem;
  before(async () => {
    system = await TestSystem.start();
  });
  after(() => system.stop());

  describe('refresh on UNAUTHORIZED', () => {
    test('a call with an expired access token refreshes and succeeds', async () => {
      const { client: origin, id } = await system.user();
      const stored = origin.session!;
      const log = sessionLog();
      const client = system.client({
        session: await withExpiredAccess(stored),
        onSessionChange: log.onSessionChange,
      });

      const me = await client.api.user.me.query();
      assert.equal(me.id, id);
      const now = client.session!;
      assert.notEqual(now.refreshToken, stored.refreshToken, 'the refresh token rotated');
      assert.notEqual(now.accessToken, stored.accessToken);
      assert.equal(now.userId, id);
      assert.ok(
        Date.parse(now.accessTokenExpiresAt) < Date.parse(FAR_FUTURE),
        'the real expiry replaced the fake one',
      );
      assert.deepEqual(log.calls, [now], 'onSessionChange got the new session, once');
    });

    test('when the refresh is refused the call fails with UNAUTHORIZED and the client signs out', async () => {
      const { client: origin } = await system.user();
      const stored = origin.session!;
      const log = sessionLog();
      const client = system.client({
        session: await withExpiredAccess(stored),
        onSessionChange: log.onSessionChange,
      });
      // Another client ends that login on the server.
      assert.deepEqual(
        await system.client().api.auth.logout.mutate({ refreshToken: stored.refreshToken }),
        { ok: true },
      );

      await rejectsWith(client.api.user.me.query(), 'UNAUTHORIZED');
      assert.equal(client.session, null);
      assert.deepEqual(log.calls, [null]);
      // Signed out: the next call fails at once, without a token.
      await rejectsWith(client.api.user.me.query(), 'UNAUTHORIZED');
      assert.deepEqual(log.calls, [null]);
    });

    test('concurrent calls that hit UNAUTHORIZED share one refresh', async () => {
      const { client: origin, id } = await system.user();
      const stored = origin.session!;
      const log = sessionLog();
      const client = system.client({
        session: await withExpiredAccess(stored),
        onSessionChange: log.onSessionChange,
      });

      const results = await Promise.all(
        Array.from({ length: 5 }, () => client.api.user.me.query()),
      );
      assert.deepEqual(
        results.map((r) => r.id),
        [id, id, id, id, id],
      );
      assert.equal(log.calls.length, 1, 'one rotation');
      assert.notEqual(client.session!.refreshToken, stored.refreshToken);
      // The new pair works for further calls without another rotation.
      assert.equal((await client.api.user.me.query()).id, id);
      assert.equal(log.calls.length, 1);

      // Last, since it revokes the family: the original refresh token was used exactly once.
      await rejectsWith(
        system.client().api.auth.refresh.mutate({ refreshToken: stored.refreshToken }),
        'UNAUTHORIZED',
      );
    });

    test('concurrent calls in separate requests also share one refresh', async () => {
      const { client: origin, id } = await system.user();
      const stored = origin.session!;
      const log = sessionLog();
      const client = system.client({
        session: await withExpiredAccess(stored),
        onSessionChange: log.onSessionChange,
      });

      // Different macrotasks, so httpBatchLink sends separate HTTP requests.
      const calls: Array<Promise<{ id: string }>> = [];
      for (let i = 0; i < 5; i++) {
        calls.push(client.api.user.me.query());
        await new Promise((r) => setImmediate(r));
      }
      const results = await Promise.all(calls);
      assert.ok(results.every((r) => r.id === id));
      assert.equal(log.calls.length, 1, `one rotation, got ${log.calls.length}`);
    });

    test('auth.* calls are never retried through a refresh', async () => {
      const { client } = await system.user();
      const log = sessionLog();
      const other = system.client({
        session: client.session,
        onSessionChange: log.onSessionChange,
      });
      await rejectsWith(other.api.auth.refresh.mutate({ refreshToken: 'garbage' }), 'UNAUTHORIZED');
      assert.deepEqual(log.calls, [], 'no refresh, no sign-out');
      assert.ok(other.session);
    });
  });

  describe('refresh()', () => {
    test('refresh() returns false and signs out when the server refuses', async () => {
      const { client: origin } = await system.user();
      const stored = origin.session!;
      await system.client().api.auth.logout.mutate({ refreshToken: stored.refreshToken });
      const log = sessionLog();
      const client = system.client({ session: stored, onSessionChange: log.onSessionChange });
      assert.equal(await client.refresh(), false);
      assert.equal(client.session, null);
      assert.deepEqual(log.calls, [null]);
    });

    test('parallel refresh() calls rotate once', async () => {
      const { client, id } = await system.user();
      const before = client.session!;
      const results = await Promise.all([client.refresh(), client.refresh(), client.refresh()]);
      assert.deepEqual(results, [true, true, true]);
      assert.notEqual(client.session!.refreshToken, before.refreshToken);
      // A second rotation would have used `before` twice and revoked the family: the new token still works.
      assert.equal(await client.refresh(), true);
      assert.equal((await client.api.user.me.query()).id, id);
    });

    test('a refresh that completes after logout() does not sign the client back in', async () => {
      const { client: origin } = await system.user();
      const stored = origin.session!;
      // Hold the answer to auth.refresh until logout() has finished.
      const held = holdRefreshAnswers();
      const log = sessionLog();
      const client = system.client({
        session: stored,
        fetch: held.fetch,
        onSessionChange: log.onSessionChange,
      });

      const refreshing = client.refresh();
      await held.answered;
      await client.logout();
      assert.equal(client.session, null);
      held.release();
      assert.equal(await refreshing, false);
      assert.equal(client.session, null, 'still signed out');
      assert.equal(log.calls.at(-1), null, 'the last reported session is null');
    });

    test('a refresh that completes after login() keeps the new login', async () => {
      const { client: origin } = await system.user();
      const other = await system.user();
      const held = holdRefreshAnswers();
      const log = sessionLog();
      const client = system.client({
        session: origin.session,
        fetch: held.fetch,
        onSessionChange: log.onSessionChange,
      });

      const refreshing = client.refresh();
      await held.answered;
      const session = await client.login({ identifier: other.username, password: other.password });
      held.release();
      assert.equal(await refreshing, true);
      assert.equal(client.session?.userId, other.id);
      assert.equal(client.session?.refreshToken, session.refreshToken);
      assert.equal(log.calls.at(-1)?.userId, other.id);
    });
  });

  describe('logout()', () => {
    test('clears the session and the server refuses the old refresh token', async () => {
      const log = sessionLog();
      const { client } = await system.user({ onSessionChange: log.onSessionChange });
      const stored = client.session!;
      assert.equal(log.calls.length, 1, 'register reported the session');
      await client.logout();
      assert.equal(client.session, null);
      assert.equal(log.calls.at(-1), null);
      await rejectsWith(
        system.client().api.auth.refresh.mutate({ refreshToken: stored.refreshToken }),
        'UNAUTHORIZED',
      );
      await rejectsWith(client.api.user.me.query(), 'UNAUTHORIZED');
      // Logging out twice is harmless.
      await client.logout();
    });
  });

  describe('login()', () => {
    test('login replaces the session and reports it', async () => {
      const { username, password, id } = await system.user();
      const log = sessionLog();
      const client = system.client({ onSessionChange: log.onSessionChange });
      assert.equal(client.session, null);
      const session = await client.login({ identifier: username, password });
      assert.deepEqual(client.session, {
        userId: id,
        accessToken: session.accessToken,
        refreshToken: session.refreshToken,
        accessTokenExpiresAt: session.accessTokenExpiresAt,
      });
      assert.deepEqual(log.calls, [client.session]);
    });
  });
});

describe('sdk with 3-second access tokens', () => {
  let system: TestSystem;
  before(async () => {
    system = await TestSystem.start({ env: { ACCESS_TOKEN_TTL_S: '3' } });
  });
  after(() => system.stop());

  test('the client refreshes before expiry without any call', async () => {
    const log = sessionLog();
    const { client, id } = await system.user({
      refreshMarginMs: 2_000,
      onSessionChange: log.onSessionChange,
    });
    const first = client.session!;
    assert.ok(Date.parse(first.accessTokenExpiresAt) - Date.now() <= 3_000);
    await waitFor(
      'a new access token',
      () => client.session?.accessToken !== first.accessToken,
      5_000,
    );
    assert.notEqual(client.session!.refreshToken, first.refreshToken);
    assert.ok(log.calls.length >= 2);
    // Keeps going: after the original token's expiry, calls still work without an UNAUTHORIZED round.
    await new Promise((r) =>
      setTimeout(r, Math.max(0, Date.parse(first.accessTokenExpiresAt) - Date.now() + 500)),
    );
    assert.equal((await client.api.user.me.query()).id, id);
  });

  test('a call just before expiry refreshes first (inside the margin)', async () => {
    const log = sessionLog();
    // A margin longer than the token's life: every call sees an expiring token and refreshes first.
    const { client, id } = await system.user({
      refreshMarginMs: 10_000,
      onSessionChange: log.onSessionChange,
    });
    const first = client.session!;
    assert.equal((await client.api.user.me.query()).id, id);
    assert.notEqual(client.session!.accessToken, first.accessToken);
  });

  test('a WebSocket closed with 4001 at expiry reconnects with the refreshed token', async () => {
    const { client, id } = await system.user({ refreshMarginMs: 2_000 });
    const closeCodes: number[] = [];
    let opens = 0;
    const wsClient = createWSClient({
      url: `${system.url.replace(/^http/, 'ws')}/trpc`,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
      retryDelayMs: () => 100,
      onOpen: () => void opens++,
      onClose: (cause) => void closeCodes.push(cause?.code ?? -1),
      connectionParams: () => ({ token: client.session?.accessToken ?? '' }),
    });
    const wsApi = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
    try {
      assert.equal((await wsApi.user.me.query()).id, id);
      await waitFor(
        'the server to close the socket with 4001',
        () => closeCodes.includes(4001),
        6_000,
      );
      await waitFor('a second connection', () => opens >= 2, 3_000);
      assert.equal(
        (await wsApi.user.me.query()).id,
        id,
        'authenticated again on the new connection',
      );
    } finally {
      await wsClient.close();
    }
  });
});
