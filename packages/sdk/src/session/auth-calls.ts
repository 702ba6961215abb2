import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { AppRouter } from '@chat/api';

/** The gateway's default MAX_BATCH_SIZE: bigger batches are split into several requests. */
export const MAX_BATCH_ITEMS = 50;

export interface HttpOptions {
  /** The tRPC endpoint, e.g. `http://127.0.0.1:4000/trpc` or `/trpc` in a browser. */
  url: string;
  fetch?: typeof fetch;
  /** Extra headers for every HTTP call (e.g. x-request-id in tests). */
  headers?: () => Record<string, string>;
}

/** The batched HTTP link every client of this SDK uses, with an optional bearer token. */
export function chatHttpLink(options: HttpOptions, token?: () => Promise<string | null>) {
  return httpBatchLink<AppRouter>({
    url: options.url,
    maxItems: MAX_BATCH_ITEMS,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    async headers() {
      const bearer = token ? await token() : null;
      return {
        ...(options.headers?.() ?? {}),
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      };
    },
  });
}

/**
 * A bare client for `auth.*`: it goes through no refresh/retry link, so refreshing can
 * never recurse into itself.
 */
export function createAuthApi(options: HttpOptions) {
  return createTRPCClient<AppRouter>({ links: [chatHttpLink(options)] }).auth;
}
export type AuthApi = ReturnType<typeof createAuthApi>;
