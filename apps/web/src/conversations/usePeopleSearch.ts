import { useEffect, useState } from 'react';
import { trpc } from '../trpc';

/** Debounced `user.search` for a search box. */
export function usePeopleSearch(text: string) {
  const [query, setQuery] = useState(text.trim());
  useEffect(() => {
    const timer = setTimeout(() => setQuery(text.trim()), 250);
    return () => clearTimeout(timer);
  }, [text]);
  const result = trpc.user.search.useQuery(
    { query, limit: 20 },
    { enabled: query.length > 0, staleTime: 30_000 },
  );
  return { ...result, query, settled: query === text.trim() };
}
