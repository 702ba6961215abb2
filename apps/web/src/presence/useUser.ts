import { trpc } from '../trpc';

/**
 * A user's public profile. Presence events patch this cache entry, so it never needs
 * refetching while the stream is up.
 */
export function useUser(userId: string | null | undefined) {
  return trpc.user.byId.useQuery(
    { userId: userId ?? '' },
    { enabled: Boolean(userId), staleTime: Infinity, gcTime: 30 * 60_000 },
  );
}

/** The name to show for a user: display name, else @username, else a placeholder. */
export function displayNameOf(
  user: { displayName: string; username: string } | undefined,
  fallback = 'Unknown user',
): string {
  if (!user) return fallback;
  return user.displayName || user.username;
}
