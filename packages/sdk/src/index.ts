export { createChatClient, type ChatClient, type ChatClientOptions } from './client.js';
export { isUnauthorized } from './refresh-link.js';
export { createStreamPosition, type StreamPosition } from './stream-position.js';
export type { Session, StoredSession, TokenPair } from './session.js';
export { TRPCClientError } from '@trpc/client';
export type { AppRouter, RouterInputs, RouterOutputs } from '@chat/api';
