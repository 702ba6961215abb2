import type { QueryClient, QueryKey } from '@tanstack/react-query';

let client: QueryClient | null = null;

/** The app's QueryClient (main.tsx), so cache changes can outlive the page loads they race. */
export function trackPageLoads(queryClient: QueryClient): void {
  client = queryClient;
}

/**
 * When a load of `queryKey` is in flight, calls `apply` again once it has ended. An infinite
 * query's load writes back the pages it started from plus the page it fetched (TanStack
 * Query), so a live change made to the cache meanwhile — a message arriving while older pages
 * load — would be dropped. Every change given here is idempotent: applying it twice is safe.
 */
export function afterPageLoad(queryKey: QueryKey, apply: () => void): void {
  const cache = client?.getQueryCache();
  const query = cache?.find({ queryKey, exact: true });
  if (!cache || !query || query.state.fetchStatus !== 'fetching') return;
  const unsubscribe = cache.subscribe((event) => {
    if (event.query !== query || query.state.fetchStatus === 'fetching') return;
    unsubscribe();
    apply();
  });
}
