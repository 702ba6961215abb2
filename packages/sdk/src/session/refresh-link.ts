import { TRPCClientError, type TRPCLink } from '@trpc/client';
import { observable, type Unsubscribable } from '@trpc/server/observable';
import type { AppRouter } from '@chat/api';
import type { SessionManager } from './session-manager.js';

export const isUnauthorized = (err: unknown) =>
  err instanceof TRPCClientError &&
  (err.data as { code?: string } | undefined)?.code === 'UNAUTHORIZED';

/**
 * Retries a query or mutation once after an UNAUTHORIZED answer, with a refreshed access
 * token (clocks drift; a token can expire in flight) — or at once if the tokens changed
 * while it ran. auth.* calls are never retried; subscriptions reconnect on their own.
 */
export function refreshOnUnauthorizedLink(
  sessions: Pick<SessionManager, 'get' | 'refresh'>,
): TRPCLink<AppRouter> {
  return () =>
    ({ next, op }) =>
      observable((observer) => {
        let subscription: Unsubscribable | undefined;
        let closed = false;
        let retried = false;
        const usedToken = sessions.get()?.accessToken;

        const attempt = () => {
          subscription = next(op).subscribe({
            next: (value) => observer.next(value),
            complete: () => observer.complete(),
            error: (error) => {
              const session = sessions.get();
              const canRetry =
                !retried &&
                !closed &&
                op.type !== 'subscription' &&
                !op.path.startsWith('auth.') &&
                session !== null &&
                isUnauthorized(error);
              if (!canRetry) return observer.error(error);
              retried = true;
              const fresh =
                session.accessToken !== usedToken
                  ? Promise.resolve(session)
                  : sessions.refresh(session);
              fresh.then(
                (next) => {
                  if (closed) return;
                  if (next) attempt();
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
}
