import { QueryClient } from '@tanstack/react-query';
import { createTRPCReact } from '@trpc/react-query';
import type { AppRouter } from '@chat/api';
import { chatLinks } from '@chat/sdk';
import { sessions } from './auth/session';
import { eventSocket } from './connection/wsClient';

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

/** Retry after refresh on UNAUTHORIZED, `events.stream` over the WebSocket, the rest over batched HTTP. */
export function createTrpcClient() {
  return trpc.createClient({ links: chatLinks({ url: '/trpc', sessions, ws: eventSocket }) });
}
