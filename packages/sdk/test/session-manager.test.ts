import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TRPCClientError } from '@trpc/client';
import { createSessionManager, type LockManagerLike } from '../src/session/session-manager.js';
import { memoryStorage, webStorage, type KeyValueStorage } from '../src/session/session-storage.js';
import type { StoredSession } from '../src/session/stored-session.js';

const soon = () => new Date(Date.now() + 5_000).toISOString();
const later = () => new Date(Date.now() + 3_600_000).toISOString();
const session = (n: number, expiresAt = later()): StoredSession => ({
  userId: 'u1',
  accessToken: `access-${n}`,
  refreshToken: `refresh-${n}`,
  accessTokenExpiresAt: expiresAt,
});

const unauthorized = () =>
  TRPCClientError.from({ error: { message: 'no', code: -32001, data: { code: 'UNAUTHORIZED' } } });

/** A fake auth.refresh: rotates `refresh-n` to `…-(n+1)`, after `release()` when held. */
function fakeAuth() {
  const calls: string[] = [];
  let fail: (() => Error) | null = null;
  return {
    calls,
    failWith(error: () => Error) {
      fail = error;
    },
    auth: {
      refresh: {
        mutate: async ({ refreshToken }: { refreshToken: string }) => {
          calls.push(refreshToken);
          await new Promise((r) => setTimeout(r, 10));
          if (fail) throw fail();
          const n = Number(refreshToken.split('-')[1]) + 1;
          return {
            accessToken: `access-${n}`,
            refreshToken: `refresh-${n}`,
            accessTokenExpiresAt: later(),
          };
        },
      },
      logout: { mutate: () => Promise.resolve({ ok: true as const }) },
    } as unknown as Parameters<typeof createSessionManager>[0]['auth'],
  };
}

/** One lock holder at a time, like navigator.locks. */
function fakeLocks(): LockManagerLike & { requests: number } {
  let queue = Promise.resolve();
  const locks = {
    requests: 0,
    request<T>(_name: string, callback: () => Promise<T>): Promise<T> {
      locks.requests++;
      const run = queue.then(callback);
      queue = run.then(
        () => undefined,
        () => undefined,
      );
      return run;
    },
  };
  return locks;
}

function mapStorage(): KeyValueStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
}

describe('session manager', () => {
  test('concurrent refreshes rotate once (in-process single flight)', async () => {
    const { auth, calls } = fakeAuth();
    const sessions = createSessionManager({
      auth,
      storage: memoryStorage(session(1)),
      locks: null,
    });
    const results = await Promise.all([sessions.refresh(), sessions.refresh(), sessions.refresh()]);
    assert.deepEqual(calls, ['refresh-1']);
    assert.deepEqual(
      results.map((s) => s?.refreshToken),
      ['refresh-2', 'refresh-2', 'refresh-2'],
    );
  });

  test('two tabs sharing a storage: the second adopts the first one’s rotation under the lock', async () => {
    const shared = mapStorage();
    const locks = fakeLocks();
    const a = fakeAuth();
    const b = fakeAuth();
    shared.setItem('k', JSON.stringify(session(1)));
    const tabA = createSessionManager({ auth: a.auth, storage: webStorage('k', shared), locks });
    const tabB = createSessionManager({ auth: b.auth, storage: webStorage('k', shared), locks });
    const [fromA, fromB] = await Promise.all([tabA.refresh(), tabB.refresh()]);
    assert.equal(a.calls.length + b.calls.length, 1, 'one refresh token presented once');
    assert.equal(fromA?.refreshToken, 'refresh-2');
    assert.equal(fromB?.refreshToken, 'refresh-2');
    assert.equal(locks.requests, 2);
  });

  test('a refused refresh signs out; a network failure keeps the session', async () => {
    const offline = fakeAuth();
    offline.failWith(() => new TypeError('fetch failed'));
    const kept = createSessionManager({
      auth: offline.auth,
      storage: memoryStorage(session(1, soon())),
      locks: null,
    });
    await assert.rejects(kept.refresh(), TypeError);
    assert.equal(kept.get()?.refreshToken, 'refresh-1');
    assert.equal(await kept.accessToken(), 'access-1', 'falls back to the token it has');

    const refused = fakeAuth();
    refused.failWith(unauthorized);
    const ended = createSessionManager({
      auth: refused.auth,
      storage: memoryStorage(session(1)),
      locks: null,
    });
    let changes = 0;
    ended.subscribe(() => changes++);
    assert.equal(await ended.refresh(), null);
    assert.equal(ended.get(), null);
    assert.equal(changes, 1);
  });

  test('accessToken refreshes only a token about to expire', async () => {
    const { auth, calls } = fakeAuth();
    const fresh = createSessionManager({ auth, storage: memoryStorage(session(1)), locks: null });
    assert.equal(await fresh.accessToken(), 'access-1');
    const expiring = createSessionManager({
      auth,
      storage: memoryStorage(session(5, soon())),
      locks: null,
    });
    assert.equal(await expiring.accessToken(), 'access-6');
    assert.deepEqual(calls, ['refresh-5']);
  });

  test('a sign-in during a refresh wins over the rotation', async () => {
    const { auth } = fakeAuth();
    const sessions = createSessionManager({
      auth,
      storage: memoryStorage(session(1)),
      locks: null,
    });
    const rotation = sessions.refresh();
    sessions.set(session(9));
    assert.equal((await rotation)?.refreshToken, 'refresh-9');
    assert.equal(sessions.get()?.refreshToken, 'refresh-9');
  });

  test('webStorage reads sessions stored before the user id was kept (from the token)', () => {
    const store = mapStorage();
    const payload = Buffer.from(JSON.stringify({ sub: 'user-7' })).toString('base64url');
    const { userId: _omit, ...old } = session(1);
    store.setItem('k', JSON.stringify({ ...old, accessToken: `h.${payload}.s` }));
    assert.equal(webStorage('k', store).load()?.userId, 'user-7');
    store.setItem('k', '{not json');
    assert.equal(webStorage('k', store).load(), null);
  });
});
