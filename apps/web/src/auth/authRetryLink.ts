import type { TRPCLink } from '@trpc/client';
import { observable, type Unsubscribable } from '@trpc/server/observable';
import type { AppRouter } from '@chat/api';
import { refreshSession } from './session';
import { getTokens } from './tokens';

/**
 * Retries a query or mutation once after an UNAUTHORIZED answer, with a refreshed access
 * token (clocks drift; a token can expire in flight). Subscriptions reconnect on their own.
 */
export const authRetryLink: TRPCLink<AppRouter> =
  () =>
  ({ op, next }) =>
    observable((observer) => {
      let subscription: Unsubscribable | undefined;
      let closed = false;
      let retried = false;
      const usedToken = getTokens()?.accessToken;

      const attempt = () => {
        subscription = next(op).subscribe({
          next: (value) => observer.next(value),
          complete: () => observer.complete(),
          error: (error) => {
            const tokens = getTokens();
            const canRetry =
              !retried &&
              !closed &&
              op.type !== 'subscription' &&
              !op.path.startsWith('auth.') &&
              tokens !== null &&
              error.data?.code === 'UNAUTHORIZED';
            if (!canRetry) {
              observer.error(error);
              return;
            }
            retried = true;
            const fresh =
              tokens.accessToken !== usedToken ? Promise.resolve(tokens) : refreshSession(tokens);
            fresh.then(
              (pair) => {
                if (closed) return;
                if (pair) attempt();
                else observer.error(error);
              },
              () => observer.error(error),
            );
          },
        });
      };

      attempt();
      return () => {
        closed = true;
        subscription?.unsubscribe();
      };
    });
