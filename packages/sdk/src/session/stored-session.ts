import type { RouterOutputs } from '@chat/api';

export type Session = RouterOutputs['auth']['login'];
export type TokenPair = RouterOutputs['auth']['refresh'];

/** What a client keeps between runs (e.g. in localStorage): the tokens and who they belong to. */
export interface StoredSession {
  userId: string;
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: string;
}

export const toStored = (userId: string, tokens: TokenPair): StoredSession => ({
  userId,
  accessToken: tokens.accessToken,
  refreshToken: tokens.refreshToken,
  accessTokenExpiresAt: tokens.accessTokenExpiresAt,
});

/** Whether the access token expires within `ms` (an unreadable expiry counts as fresh). */
export function expiresWithin(s: StoredSession, ms: number): boolean {
  const expiresAt = Date.parse(s.accessTokenExpiresAt);
  return Number.isFinite(expiresAt) && expiresAt - Date.now() <= ms;
}
