import { describeError } from '../auth/errors';
import { EmptyState } from '../ui/EmptyState';
import { ErrorState } from '../ui/ErrorState';
import { LoadingState } from '../ui/LoadingState';
import { secondaryButton } from '../ui/styles';
import { ConversationItem } from './ConversationItem';
import { useConversations } from './useConversations';

interface ConversationListProps {
  meId: string;
  selectedId: string | null;
}

/** The "Conversations" navigation: every conversation, most recent first. */
export function ConversationList({ meId, selectedId }: ConversationListProps) {
  const {
    conversations,
    isPending,
    error,
    refetch,
    hasNextPage,
    fetchNextPage,
    isFetchingNextPage,
  } = useConversations();

  return (
    <nav aria-label="Conversations" className="min-h-0 flex-1 overflow-y-auto px-2 pb-2">
      {isPending ? (
        <LoadingState label="Loading conversations…" />
      ) : error && conversations.length === 0 ? (
        <ErrorState
          message={describeError(error, 'Could not load conversations.')}
          onRetry={() => void refetch()}
        />
      ) : conversations.length === 0 ? (
        <EmptyState title="No conversations yet">
          <p>Use “New chat” to find someone, or “New group” to start a group.</p>
        </EmptyState>
      ) : (
        <>
          <ul className="space-y-0.5">
            {conversations.map((conversation) => (
              <ConversationItem
                key={conversation.id}
                conversation={conversation}
                meId={meId}
                selected={conversation.id === selectedId}
              />
            ))}
          </ul>
          {hasNextPage && (
            <div className="flex justify-center p-2">
              <button
                type="button"
                onClick={() => void fetchNextPage()}
                disabled={isFetchingNextPage}
                className={secondaryButton}
              >
                {isFetchingNextPage ? 'Loading…' : 'Show older conversations'}
              </button>
            </div>
          )}
        </>
      )}
    </nav>
  );
}
