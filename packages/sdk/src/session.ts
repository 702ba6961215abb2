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

export const expiresWithin = (s: StoredSession, ms: number) =>
  Date.parse(s.accessTokenExpiresAt) - Date.now() <= ms;
