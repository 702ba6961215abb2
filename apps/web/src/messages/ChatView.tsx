import { lazy, Suspense, useEffect, useState } from 'react';
import { describeError } from '../auth/errors';
import { findConversation } from '../conversations/conversationCache';
import { useFileDrop } from '../files/useFileDrop';
import { openConversation } from '../lib/route';
import { TypingIndicator } from '../presence/TypingIndicator';
import { trpc } from '../trpc';
import { EmptyState } from '../ui/EmptyState';
import { ErrorState } from '../ui/ErrorState';
import { LoadingState } from '../ui/LoadingState';
import { secondaryButton } from '../ui/styles';
import { ChatHeader } from './ChatHeader';
import { Composer } from './Composer';
import { MessageList } from './MessageList';

// The group panel is only needed on demand: keep it out of the initial bundle.
const loadGroupInfo = () => import('../groups/GroupInfoDialog');
const GroupInfoDialog = lazy(() => loadGroupInfo().then((m) => ({ default: m.GroupInfoDialog })));

interface ChatViewProps {
  conversationId: string;
  meId: string;
}

/** One open conversation: header, the message log, who is typing, and the composer. */
export function ChatView({ conversationId, meId }: ChatViewProps) {
  const utils = trpc.useUtils();
  const [groupInfoOpen, setGroupInfoOpen] = useState(false);
  const drop = useFileDrop(conversationId);
  const conversation = trpc.chat.conversation.useQuery(
    { conversationId },
    { staleTime: Infinity, initialData: () => findConversation(utils, conversationId) },
  );

  const isGroup = conversation.data?.type === 'group';
  useEffect(() => {
    // Fetch the panel's code ahead of the click.
    if (isGroup) void loadGroupInfo();
  }, [isGroup]);

  if (conversation.isPending)
    return <LoadingState label="Loading conversation…" className="m-auto" />;
  if (!conversation.data) {
    const code = conversation.error?.data?.code;
    return (
      <div className="m-auto max-w-sm">
        {code === 'NOT_FOUND' || code === 'FORBIDDEN' ? (
          <EmptyState title="This conversation is not available">
            <BackButton />
          </EmptyState>
        ) : (
          <ErrorState
            message={describeError(conversation.error, 'Could not load this conversation.')}
            onRetry={() => void conversation.refetch()}
          />
        )}
      </div>
    );
  }

  const data = conversation.data;
  const member = data.participants.includes(meId);

  return (
    <section aria-label="Chat" className="flex min-h-0 flex-1 flex-col">
      <ChatHeader conversation={data} meId={meId} onOpenGroupInfo={() => setGroupInfoOpen(true)} />
      {member ? (
        <div {...drop.handlers} className="relative flex min-h-0 flex-1 flex-col">
          {drop.dragging && (
            <div
              aria-hidden="true"
              className="pointer-events-none absolute inset-2 z-10 flex items-center justify-center rounded-2xl border-2 border-dashed border-indigo-500 bg-indigo-50/90 text-lg font-medium text-indigo-800 dark:bg-indigo-950/90 dark:text-indigo-200"
            >
              Drop files to send them here
            </div>
          )}
          {/* Distinct keys: with two siblings keyed alike, the empty overlay slot before them
              sends React to key matching, which remounted both on every render (a loop). */}
          <MessageList
            key={`log:${conversationId}`}
            conversationId={conversationId}
            meId={meId}
            isGroup={data.type === 'group'}
            groupId={data.group?.id}
          />
          <TypingIndicator conversationId={conversationId} />
          <Composer key={`composer:${conversationId}`} conversationId={conversationId} />
        </div>
      ) : (
        <div className="m-auto">
          <EmptyState title="You are no longer a member of this group">
            <p>New messages here are not shown to you.</p>
            <BackButton />
          </EmptyState>
        </div>
      )}
      {groupInfoOpen && data.group && (
        <Suspense fallback={null}>
          <GroupInfoDialog
            groupId={data.group.id}
            meId={meId}
            onClose={() => setGroupInfoOpen(false)}
          />
        </Suspense>
      )}
    </section>
  );
}

function BackButton() {
  return (
    <button
      type="button"
      onClick={() => openConversation(null)}
      className={`${secondaryButton} mt-2`}
    >
      Back to conversations
    </button>
  );
}
