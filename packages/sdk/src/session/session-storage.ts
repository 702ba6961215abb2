import type { StoredSession } from './stored-session.js';

/** Where a session is kept between runs; `watch` reports changes made elsewhere (other tabs). */
export interface SessionStorage {
  load(): StoredSession | null;
  save(session: StoredSession | null): void;
  watch?(onChange: () => void): () => void;
}

/** The part of the Web Storage API used here (localStorage, sessionStorage). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Where `storage` events arrive (a browser's `window`). */
export interface StorageEventSource {
  addEventListener(type: 'storage', listener: (event: { key: string | null }) => void): void;
  removeEventListener(type: 'storage', listener: (event: { key: string | null }) => void): void;
}

/** Keeps the session in memory only (Node scripts, tests); persist with `onSessionChange`. */
export function memoryStorage(initial: StoredSession | null = null): SessionStorage {
  let session = initial;
  return {
    load: () => session,
    save(next) {
      session = next;
    },
  };
}

/** The `sub` claim of a JWT, for sessions stored before the user id was kept with them. */
function subjectOf(token: string): string | null {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const sub = (JSON.parse(json) as { sub?: unknown }).sub;
    return typeof sub === 'string' ? sub : null;
  } catch {
    return null;
  }
}

function parseSession(raw: string | null): StoredSession | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Record<string, unknown> | null;
    if (
      typeof v?.accessToken !== 'string' ||
      typeof v.refreshToken !== 'string' ||
      typeof v.accessTokenExpiresAt !== 'string'
    )
      return null;
    const userId = typeof v.userId === 'string' ? v.userId : subjectOf(v.accessToken);
    if (!userId) return null;
    return {
      userId,
      accessToken: v.accessToken,
      refreshToken: v.refreshToken,
      accessTokenExpiresAt: v.accessTokenExpiresAt,
    };
  } catch {
    return null;
  }
}

/**
 * A session under `key` in a Web Storage (localStorage shares it between tabs,
 * sessionStorage keeps it to one tab); `events` (the window) reports other tabs' changes.
 * Unavailable storage (private mode, quota) degrades to a session in memory.
 */
export function webStorage(
  key: string,
  storage: KeyValueStorage,
  events?: StorageEventSource,
): SessionStorage {
  return {
    load() {
      try {
        return parseSession(storage.getItem(key));
      } catch {
        return null;
      }
    },
    save(session) {
      try {
        if (session) storage.setItem(key, JSON.stringify(session));
        else storage.removeItem(key);
      } catch {
        // Storage unavailable: the session lives in memory only.
      }
    },
    watch(onChange) {
      if (!events) return () => undefined;
      const listener = (event: { key: string | null }) => {
        if (event.key === key || event.key === null) onChange();
      };
      events.addEventListener('storage', listener);
      return () => events.removeEventListener('storage', listener);
    },
  };
}
