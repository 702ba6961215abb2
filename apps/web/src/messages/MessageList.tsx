import {
  Fragment,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { describeError } from '../auth/errors';
import { setActiveConversation } from '../conversations/activeConversation';
import { dayKey } from '../lib/time';
import { EmptyState } from '../ui/EmptyState';
import { ErrorState } from '../ui/ErrorState';
import { LoadingState } from '../ui/LoadingState';
import { Spinner } from '../ui/Spinner';
import { focusRing, mutedText, secondaryButton } from '../ui/styles';
import { DaySeparator } from './DaySeparator';
import { DeleteForEveryoneDialog } from './DeleteForEveryoneDialog';
import { MessageBubble, type BubbleHandlers } from './MessageBubble';
import { outbox } from './outbox';
import { ReactionPicker } from './ReactionPicker';
import { quoteOf, replies } from './replyStore';
import type { Message } from './types';
import { useCanModerate } from './useCanModerate';
import { useDeleteMessage } from './useDeleteMessage';
import { jumpRequests, useJumpRequest } from './jumpRequests';
import { useJumpToMessage } from './useJumpToMessage';
import { useMessageActions } from './useMessageActions';
import { useMarkRead } from './useMarkRead';
import { useMessages, type DisplayMessage } from './useMessages';
import { useSendMessage } from './useSendMessage';

interface MessageListProps {
  conversationId: string;
  meId: string;
  isGroup: boolean;
  groupId?: string;
}

/** Within this many pixels of the bottom counts as "at the bottom". */
const BOTTOM_SLACK = 48;
/** Start loading older messages this close to the top. */
const TOP_TRIGGER = 200;

/**
 * The "Messages" log: newest at the bottom; scrolling up loads older pages without the
 * view jumping; new messages keep it pinned to the bottom if it was there.
 */
export function MessageList({ conversationId, meId, isGroup, groupId }: MessageListProps) {
  const { messages, isPending, error, refetch, hasNextPage, fetchNextPage, isFetchingNextPage } =
    useMessages(conversationId, meId);
  const { retry } = useSendMessage(conversationId);
  const deleteMessage = useDeleteMessage(conversationId);
  const actions = useMessageActions(conversationId);
  const canModerate = useCanModerate(groupId, meId);
  const [reacting, setReacting] = useState<Message>();
  const [deleting, setDeleting] = useState<Message>();
  const [notice, setNotice] = useState<string>();

  const scroller = useRef<HTMLDivElement>(null);
  const [atBottom, setAtBottom] = useState(true);
  const atBottomRef = useRef(true);
  const anchor = useRef<{ firstKey: string | undefined; scrollHeight: number }>({
    firstKey: undefined,
    scrollHeight: 0,
  });

  const loadOlder = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    const bottom = el.scrollHeight - el.scrollTop - el.clientHeight < BOTTOM_SLACK;
    atBottomRef.current = bottom;
    setAtBottom(bottom);
    if (el.scrollTop < TOP_TRIGGER) loadOlder();
  }, [loadOlder]);

  // Keep the view steady: older messages prepended → keep the same message under the eye;
  // anything appended while at the bottom → stay at the bottom.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const firstKey = messages[0]?.key;
    const previous = anchor.current;
    if (previous.firstKey && firstKey !== previous.firstKey && previous.scrollHeight) {
      el.scrollTop += el.scrollHeight - previous.scrollHeight;
    } else if (atBottomRef.current) {
      el.scrollTop = el.scrollHeight;
    }
    anchor.current = { firstKey, scrollHeight: el.scrollHeight };
  }, [messages]);

  // Pages shorter than the viewport cannot be scrolled: load more until they fill it.
  useEffect(() => {
    const el = scroller.current;
    if (el && el.scrollHeight <= el.clientHeight) loadOlder();
  }, [messages, loadOlder]);

  useEffect(() => {
    setActiveConversation({ conversationId, atBottom });
    return () => setActiveConversation(null);
  }, [conversationId, atBottom]);

  const newestFromOthers = useMemo(() => {
    for (let i = messages.length - 1; i >= 0; i--) {
      const m = messages[i]!;
      if (m.senderId !== meId && m.message) return m.message;
    }
    return undefined;
  }, [messages, meId]);
  useMarkRead(
    conversationId,
    meId,
    isPending ? undefined : newestFromOthers,
    atBottom && !isPending,
  );

  const onNotFound = useCallback(
    () => setNotice('The original message is not available here.'),
    [],
  );
  const jumpTo = useJumpToMessage({
    scroller,
    messages,
    hasNextPage,
    isFetchingNextPage,
    fetchNextPage,
    onNotFound,
    // The at-bottom state follows the jump now, not at the next scroll event.
    onScrolled: onScroll,
  });

  // A search result picked (maybe before this log was open): show it once loaded.
  const jumpRequest = useJumpRequest();
  useEffect(() => {
    if (isPending || jumpRequest?.conversationId !== conversationId) return;
    const messageId = jumpRequests.take(conversationId);
    if (messageId) jumpTo(messageId);
  }, [jumpRequest, isPending, conversationId, jumpTo]);

  const onDelete = useCallback(
    (message: DisplayMessage) => {
      if (message.id) deleteMessage(message.id);
      else outbox.remove(message.clientId);
    },
    [deleteMessage],
  );

  const failed = useCallback(
    (what: string) => (reason: unknown) => setNotice(describeError(reason, what)),
    [],
  );
  const handlers = useMemo<BubbleHandlers>(
    () => ({
      retry,
      deleteForMe: onDelete,
      reply: (message) => replies.start(conversationId, quoteOf(message)),
      openReactions: setReacting,
      toggleReaction: (message, emoji, reacted) =>
        void (reacted ? actions.unreact : actions.react)(message.id, emoji).catch(
          failed('Could not change the reaction.'),
        ),
      edit: (message, content) => actions.edit(message.id, content),
      confirmDeleteForEveryone: setDeleting,
      jumpTo,
    }),
    [retry, onDelete, conversationId, actions, failed, jumpTo],
  );
  // The picker follows the cached copy, so its pressed emoji stay current.
  const reactingNow = reacting && messages.find((m) => m.id === reacting.id)?.message;

  let body;
  if (isPending) body = <LoadingState label="Loading messages…" className="flex-1" />;
  else if (error && messages.length === 0)
    body = (
      <ErrorState
        message={describeError(error, 'Could not load messages.')}
        onRetry={() => void refetch()}
      />
    );
  else if (messages.length === 0)
    body = (
      <EmptyState title="No messages yet">
        <p>Say hello!</p>
      </EmptyState>
    );
  else
    body = (
      <>
        <div className="flex min-h-10 items-center justify-center py-2">
          {isFetchingNextPage ? (
            <p className={`flex items-center gap-2 text-xs ${mutedText}`}>
              <Spinner /> Loading older messages…
            </p>
          ) : hasNextPage ? (
            <button type="button" onClick={loadOlder} className={`${secondaryButton} text-xs`}>
              Load older messages
            </button>
          ) : (
            <p className={`text-xs ${mutedText}`}>This is the beginning of the conversation.</p>
          )}
        </div>
        {messages.map((message, index) => {
          const previous = messages[index - 1];
          const newDay = !previous || dayKey(previous.createdAt) !== dayKey(message.createdAt);
          const mine = message.senderId === meId;
          const showSender =
            isGroup && !mine && (newDay || previous?.senderId !== message.senderId);
          return (
            <Fragment key={message.key}>
              {newDay && <DaySeparator iso={message.createdAt} />}
              <MessageBubble
                message={message}
                meId={meId}
                mine={mine}
                showSender={showSender}
                canDeleteForEveryone={mine || canModerate}
                handlers={handlers}
              />
            </Fragment>
          );
        })}
      </>
    );

  return (
    <div className="relative flex min-h-0 flex-1 flex-col">
      {notice && (
        <p
          role="alert"
          className="flex items-center justify-between gap-2 bg-amber-50 px-3 py-1.5 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100"
        >
          {notice}
          <button
            type="button"
            onClick={() => setNotice(undefined)}
            className={`rounded px-1 font-semibold underline ${focusRing}`}
          >
            Dismiss
          </button>
        </p>
      )}
      <div
        ref={scroller}
        role="log"
        aria-label="Messages"
        aria-busy={isPending || isFetchingNextPage || undefined}
        tabIndex={0}
        onScroll={onScroll}
        className={`min-h-0 flex-1 overflow-y-auto pb-2 [overflow-anchor:none] ${focusRing} -outline-offset-2`}
      >
        {body}
      </div>
      {!atBottom && messages.length > 0 && (
        <button
          type="button"
          onClick={() => {
            const el = scroller.current;
            if (el) el.scrollTo({ top: el.scrollHeight, behavior: 'smooth' });
          }}
          className={`absolute right-4 bottom-3 rounded-full bg-white px-3 py-1.5 text-xs font-medium shadow-md ring-1 ring-slate-200 hover:bg-slate-50 dark:bg-slate-800 dark:ring-slate-700 dark:hover:bg-slate-700 ${focusRing}`}
        >
          Jump to latest ↓
        </button>
      )}
      {reactingNow && (
        <ReactionPicker
          open
          mine={reactingNow.reactions.filter((r) => r.userIds.includes(meId)).map((r) => r.emoji)}
          onPick={(emoji, reacted) => {
            setReacting(undefined);
            handlers.toggleReaction(reactingNow, emoji, reacted);
          }}
          onClose={() => setReacting(undefined)}
        />
      )}
      {deleting && (
        <DeleteForEveryoneDialog
          onConfirm={() => {
            const message = deleting;
            setDeleting(undefined);
            actions.deleteForEveryone(message).catch(failed('Could not delete the message.'));
          }}
          onClose={() => setDeleting(undefined)}
        />
      )}
    </div>
  );
}
