import { isUnauthorized } from './refresh-link.js';
import { memoryStorage, type SessionStorage } from './session-storage.js';
import type { AuthApi } from './auth-calls.js';
import { expiresWithin, toStored, type StoredSession } from './stored-session.js';

/** The part of the Web Locks API used here (`navigator.locks` in browsers). */
export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

export interface SessionManagerOptions {
  auth: Pick<AuthApi, 'refresh' | 'logout'>;
  /** Where the session lives; in memory by default. */
  storage?: SessionStorage;
  /** Refresh the access token this long before it expires. Default 60 s. */
  refreshMarginMs?: number;
  /** Cross-tab mutual exclusion; `navigator.locks` when it exists, null for none. */
  locks?: LockManagerLike | null;
  lockName?: string;
}

/**
 * The session of one signed-in user: its tokens, their silent rotation and sign-out.
 * Presenting a refresh token twice revokes the whole login, so a rotation is single-flight
 * within the process (one promise) and across browser tabs (a Web Lock, re-reading the
 * storage inside it: another tab may have rotated meanwhile).
 */
export interface SessionManager {
  get: () => StoredSession | null;
  /** Stores (or with null forgets) a session and tells subscribers. */
  set(session: StoredSession | null): void;
  subscribe: (listener: () => void) => () => void;
  /**
   * Rotates the tokens once however many callers ask: the new session, or null when the
   * server refused (signed out). Rejects on a network or server failure (session kept).
   */
  refresh(stale?: StoredSession): Promise<StoredSession | null>;
  /** A usable access token (refreshed first when about to expire), null when signed out. */
  accessToken(): Promise<string | null>;
  /** Forgets the session (in every tab sharing the storage), then revokes it on the server. */
  signOut(): Promise<void>;
  /** Stops watching the storage. */
  dispose(): void;
}

const defaultLocks = (): LockManagerLike | null =>
  (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks ?? null;

export function createSessionManager(options: SessionManagerOptions): SessionManager {
  const storage = options.storage ?? memoryStorage();
  const margin = options.refreshMarginMs ?? 60_000;
  const locks = options.locks === undefined ? defaultLocks() : options.locks;
  const lockName = options.lockName ?? 'chat.auth.refresh';
  const listeners = new Set<() => void>();
  let current = storage.load();
  let inflight: Promise<StoredSession | null> | null = null;

  const emit = () => {
    for (const listener of listeners) listener();
  };
  /** Takes a session stored elsewhere (another tab) without writing it back. */
  const adopt = (session: StoredSession | null) => {
    if (session?.accessToken === current?.accessToken) return;
    current = session;
    emit();
  };
  const set = (session: StoredSession | null) => {
    current = session;
    storage.save(session);
    emit();
  };
  const unwatch = storage.watch?.(() => adopt(storage.load())) ?? (() => undefined);

  async function rotate(stale: StoredSession): Promise<StoredSession | null> {
    const latest = storage.load();
    if (!latest) {
      adopt(null); // signed out elsewhere
      return null;
    }
    if (latest.refreshToken !== stale.refreshToken) {
      adopt(latest); // rotated elsewhere while we waited
      return latest;
    }
    // A sign-in or sign-out during the call wins over this rotation.
    const overtaken = () => current?.refreshToken !== latest.refreshToken;
    try {
      const pair = await options.auth.refresh.mutate({ refreshToken: latest.refreshToken });
      if (overtaken()) return current;
      set(toStored(latest.userId, pair));
      return current;
    } catch (error) {
      if (overtaken()) return current;
      if (!isUnauthorized(error)) throw error;
      set(null);
      return null;
    }
  }

  function refresh(stale = current ?? undefined): Promise<StoredSession | null> {
    if (!stale) return Promise.resolve(null);
    inflight ??= (async () => {
      try {
        return await (locks ? locks.request(lockName, () => rotate(stale)) : rotate(stale));
      } finally {
        inflight = null;
      }
    })();
    return inflight;
  }

  return {
    get: () => current,
    set,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refresh,
    async accessToken() {
      const session = current;
      if (!session) return null;
      if (!expiresWithin(session, margin)) return session.accessToken;
      try {
        return (await refresh(session))?.accessToken ?? null;
      } catch {
        // Offline or a worker down: let the server judge the token we have.
        return current?.accessToken ?? null;
      }
    },
    async signOut() {
      const session = current;
      set(null);
      if (!session) return;
      await options.auth.logout
        .mutate({ refreshToken: session.refreshToken })
        .catch(() => undefined); // offline: the refresh token expires on its own
    },
    dispose: unwatch,
  };
}
