import { useSyncExternalStore } from 'react';
import {
  createAuthApi,
  createSessionManager,
  toStored,
  webStorage,
  type Session,
  type StoredSession,
} from '@chat/sdk';

/**
 * The signed-in session, kept by the SDK: tokens in localStorage (shared by the tabs, which
 * follow each other's sign-in and sign-out), silent rotation single-flight within the tab
 * and across tabs (a Web Lock).
 */
const localStore = {
  // Read lazily: touching window.localStorage itself can throw (storage disabled).
  getItem: (key: string) => window.localStorage.getItem(key),
  setItem: (key: string, value: string) => window.localStorage.setItem(key, value),
  removeItem: (key: string) => window.localStorage.removeItem(key),
};

export const sessions = createSessionManager({
  auth: createAuthApi({ url: '/trpc' }),
  storage: webStorage('chat.auth', localStore, window),
  refreshMarginMs: 30_000,
});

/** After sign-in or sign-up: keep the tokens (never the profile). */
export function startSession(session: Session): void {
  sessions.set(toStored(session.user.id, session));
}

/** Forgets the session here (and in other tabs), then revokes the refresh token. */
export function signOut(): Promise<void> {
  return sessions.signOut();
}

export function useSession(): StoredSession | null {
  return useSyncExternalStore(sessions.subscribe, sessions.get);
}
