import { createWSClient } from '@trpc/client';
import type { SessionManager } from './session/session-manager.js';
import { createStreamPosition, type StreamPosition } from './stream-position.js';

/** The gateway closes a socket with this code when its access token expires. */
export const TOKEN_EXPIRED_CLOSE_CODE = 4001;

type WsOptions = Parameters<typeof createWSClient>[0];

export interface ChatWsClientOptions extends Omit<
  WsOptions,
  'connectionParams' | 'experimental_encoder' | 'WebSocket'
> {
  sessions: Pick<SessionManager, 'accessToken'>;
  /** WebSocket implementation; browsers have one, in Node pass `ws`'s. */
  WebSocket?: unknown;
}

export interface ChatWsClient {
  client: ReturnType<typeof createWSClient>;
  /** Where `events.stream` resumes; `reset()` it on sign-out. */
  position: StreamPosition;
}

/**
 * The WebSocket for `events.stream`: every (re)connect — also after the gateway's 4001 on
 * token expiry — presents a fresh access token (refreshed first when about to expire), and
 * the stream resumes after the last *tracked* event (see createStreamPosition).
 */
export function createChatWsClient(options: ChatWsClientOptions): ChatWsClient {
  const { sessions, WebSocket, ...rest } = options;
  const position = createStreamPosition();
  const client = createWSClient({
    ...rest,
    ...(WebSocket ? { WebSocket: WebSocket as typeof globalThis.WebSocket } : {}),
    experimental_encoder: position.encoder,
    connectionParams: async () => {
      const token = await sessions.accessToken();
      return token ? { token } : null;
    },
  });
  return { client, position };
}
