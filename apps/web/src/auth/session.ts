import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '@chat/api';
import { adoptTokens, getTokens, readStoredTokens, setTokens, type StoredTokens } from './tokens';

/**
 * Session upkeep: silent refresh-token rotation, single-flight within a tab (one promise)
 * and across tabs (a Web Lock, re-reading localStorage inside it). Presenting a refresh
 * token twice revokes the whole login, so two tabs must never rotate the same one.
 */

/** A bare client for `auth.*`: it must not go through the app's auth-retry link. */
const authClient = createTRPCClient<AppRouter>({ links: [httpLink({ url: '/trpc' })] });

/** Refresh this long before the access token expires. */
const REFRESH_MARGIN_MS = 30_000;
const LOCK_NAME = 'chat.auth.refresh';

let inflight: Promise<StoredTokens | null> | null = null;

function isUnauthorized(error: unknown): boolean {
  return (
    error instanceof TRPCClientError &&
    (error as TRPCClientError<AppRouter>).data?.code === 'UNAUTHORIZED'
  );
}

async function rotate(stale: StoredTokens): Promise<StoredTokens | null> {
  const latest = readStoredTokens();
  if (!latest) {
    // Signed out in another tab.
    adoptTokens(null);
    return null;
  }
  if (latest.refreshToken !== stale.refreshToken) {
    // Another tab rotated while we waited for the lock: use its pair.
    adoptTokens(latest);
    return latest;
  }
  try {
    const pair = await authClient.auth.refresh.mutate({ refreshToken: latest.refreshToken });
    setTokens(pair);
    return getTokens();
  } catch (error) {
    if (isUnauthorized(error)) {
      setTokens(null);
      return null;
    }
    throw error; // offline or a worker down: keep the session, the caller may retry
  }
}

/**
 * Rotates the refresh token once, however many callers ask at the same time.
 * Resolves to the new pair, or `null` when the session is over (signed out).
 */
export function refreshSession(stale: StoredTokens): Promise<StoredTokens | null> {
  inflight ??= (async () => {
    try {
      if (typeof navigator !== 'undefined' && 'locks' in navigator) {
        return await navigator.locks.request(LOCK_NAME, () => rotate(stale));
      }
      return await rotate(stale);
    } finally {
      inflight = null;
    }
  })();
  return inflight;
}

function expiresSoon(tokens: StoredTokens): boolean {
  const expiresAt = Date.parse(tokens.accessTokenExpiresAt);
  return Number.isFinite(expiresAt) && expiresAt - Date.now() < REFRESH_MARGIN_MS;
}

/**
 * A usable access token, refreshed first when it is about to expire; `null` when signed
 * out. A failed refresh (network) falls back to the current token and lets the server decide.
 */
export async function getAccessToken(): Promise<string | null> {
  const tokens = getTokens();
  if (!tokens) return null;
  if (!expiresSoon(tokens)) return tokens.accessToken;
  try {
    return (await refreshSession(tokens))?.accessToken ?? null;
  } catch {
    return getTokens()?.accessToken ?? null;
  }
}

/** Forgets the session here (and in other tabs), then revokes the refresh token. */
export async function signOut(): Promise<void> {
  const tokens = getTokens();
  setTokens(null);
  if (!tokens) return;
  try {
    await authClient.auth.logout.mutate({ refreshToken: tokens.refreshToken });
  } catch {
    // Offline: the refresh token simply expires on its own.
  }
}
