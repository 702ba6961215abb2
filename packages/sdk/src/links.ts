import { splitLink, wsLink, type TRPCLink } from '@trpc/client';
import type { AppRouter } from '@chat/api';
import { chatHttpLink, type HttpOptions } from './session/auth-calls.js';
import { refreshOnUnauthorizedLink } from './session/refresh-link.js';
import type { SessionManager } from './session/session-manager.js';
import type { ChatWsClient } from './ws-client.js';

/**
 * The links of a signed-in client: a retry after a refresh on UNAUTHORIZED, subscriptions
 * over the WebSocket, everything else over batched HTTP with a fresh bearer token.
 */
export function chatLinks(
  options: HttpOptions & {
    sessions: Pick<SessionManager, 'get' | 'refresh' | 'accessToken'>;
    ws: ChatWsClient;
  },
): TRPCLink<AppRouter>[] {
  const { sessions, ws } = options;
  return [
    refreshOnUnauthorizedLink(sessions),
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: wsLink({ client: ws.client }),
      false: chatHttpLink(options, () => sessions.accessToken()),
    }),
  ];
}
