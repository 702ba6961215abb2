import { QueryClient } from '@tanstack/react-query';
import { httpBatchLink, splitLink, wsLink } from '@trpc/client';
import { createTRPCReact } from '@trpc/react-query';
import type { AppRouter } from '@chat/api';
import { authRetryLink } from './auth/authRetryLink';
import { getAccessToken } from './auth/session';
import { wsClient } from './connection/wsClient';

export const trpc = createTRPCReact<AppRouter>();
export type TrpcUtils = ReturnType<typeof trpc.useUtils>;

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      // Live updates come from `events.stream`; nothing polls or refetches on focus.
      queries: { staleTime: 60_000, retry: 1, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
}

export function createTrpcClient() {
  return trpc.createClient({
    links: [
      authRetryLink,
      splitLink({
        condition: (op) => op.type === 'subscription',
        // `events.stream` over the WebSocket (token in connectionParams) …
        true: wsLink({ client: wsClient }),
        // … everything else over batched HTTP with a fresh bearer token.
        false: httpBatchLink({
          url: '/trpc',
          // The gateway refuses batches over MAX_BATCH_SIZE (50); bigger ones are split.
          maxItems: 50,
          async headers() {
            const token = await getAccessToken();
            return token ? { Authorization: `Bearer ${token}` } : {};
          },
        }),
      }),
    ],
  });
}
