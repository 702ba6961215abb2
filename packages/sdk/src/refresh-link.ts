import { TRPCClientError, type TRPCLink } from '@trpc/client';
import { observable, type Unsubscribable } from '@trpc/server/observable';
import type { AppRouter } from '@chat/api';

export const isUnauthorized = (err: unknown) =>
  err instanceof TRPCClientError &&
  (err.data as { code?: string } | undefined)?.code === 'UNAUTHORIZED';

/**
 * Retries a call once after refreshing the access token when the server answers
 * UNAUTHORIZED (e.g. the token expired in flight). auth.* calls are never retried.
 */
export function refreshOnUnauthorizedLink(refresh: () => Promise<boolean>): TRPCLink<AppRouter> {
  return () =>
    ({ next, op }) =>
      observable((observer) => {
        let retried = false;
        let sub: Unsubscribable;
        const attempt = () => {
          sub = next(op).subscribe({
            next: (value) => observer.next(value),
            complete: () => observer.complete(),
            error: (err) => {
              const retryable =
                !retried &&
                op.type !== 'subscription' &&
                !op.path.startsWith('auth.') &&
                isUnauthorized(err);
              if (!retryable) return observer.error(err);
              retried = true;
              refresh().then(
                (ok) => (ok ? attempt() : observer.error(err)),
                () => observer.error(err),
              );
            },
          });
        };
        attempt();
        return () => sub.unsubscribe();
      });
}
