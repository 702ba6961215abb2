import { trpc } from '../trpc';
import { CONVERSATIONS_INPUT } from './conversationCache';

/**
 * The signed-in user's conversations, most recent activity first. Kept live by the event
 * stream (no polling); more pages load on demand.
 */
export function useConversations() {
  const query = trpc.chat.conversations.useInfiniteQuery(CONVERSATIONS_INPUT, {
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    staleTime: Infinity,
  });
  const conversations = query.data?.pages.flatMap((page) => page.items) ?? [];
  return { ...query, conversations };
}
