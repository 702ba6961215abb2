import { useSyncExternalStore } from 'react';

/** The part of a session we persist: the token pair, never the user profile. */
export interface StoredTokens {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: string;
}

const STORAGE_KEY = 'chat.auth';
const listeners = new Set<() => void>();

function isStoredTokens(value: unknown): value is StoredTokens {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.accessToken === 'string' &&
    typeof v.refreshToken === 'string' &&
    typeof v.accessTokenExpiresAt === 'string'
  );
}

/** The pair as stored right now (another tab may have rotated it since we last looked). */
export function readStoredTokens(): StoredTokens | null {
  try {
    const raw = window.localStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const parsed: unknown = JSON.parse(raw);
    return isStoredTokens(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

let current = readStoredTokens();

function emit(): void {
  for (const listener of listeners) listener();
}

export function getTokens(): StoredTokens | null {
  return current;
}

/** Adopts a pair another tab stored, without writing it back. */
export function adoptTokens(tokens: StoredTokens | null): void {
  if (tokens?.accessToken === current?.accessToken) return;
  current = tokens;
  emit();
}

/** Stores (or, with `null`, forgets) the token pair and notifies subscribers. */
export function setTokens(tokens: StoredTokens | null): void {
  current = tokens && {
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    accessTokenExpiresAt: tokens.accessTokenExpiresAt,
  };
  try {
    if (current) window.localStorage.setItem(STORAGE_KEY, JSON.stringify(current));
    else window.localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage unavailable (private mode, quota): keep the session in memory only.
  }
  emit();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// Keep tabs in sync: signing in or out in one tab applies to the others.
window.addEventListener('storage', (event) => {
  if (event.key !== STORAGE_KEY && event.key !== null) return;
  current = readStoredTokens();
  emit();
});

export function useTokens(): StoredTokens | null {
  return useSyncExternalStore(subscribe, getTokens);
}
