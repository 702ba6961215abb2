import type { Message } from '@chat/api';
import { useEffect, useState } from 'react';
import { describeError } from '../auth/errors';
import { openConversation } from '../lib/route';
import { jumpRequests } from '../messages/jumpRequests';
import { trpc } from '../trpc';
import { Dialog } from '../ui/Dialog';
import { Spinner } from '../ui/Spinner';
import { inputClass, mutedText, secondaryButton } from '../ui/styles';
import { SearchResult } from './SearchResult';

const DEBOUNCE_MS = 300;
const MAX_QUERY = 200;

interface SearchDialogProps {
  meId: string;
  /** Only this conversation; all of mine without it. */
  conversationId?: string;
  onClose: () => void;
}

/**
 * "Search messages": words typed (debounced) → matching messages, newest first, more on
 * demand; picking one opens its conversation and scrolls to it.
 */
export function SearchDialog({ meId, conversationId, onClose }: SearchDialogProps) {
  const [text, setText] = useState('');
  const [query, setQuery] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setQuery(text.trim().slice(0, MAX_QUERY)), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);

  const results = trpc.chat.search.useInfiniteQuery(
    { query, limit: 20, ...(conversationId ? { conversationId } : {}) },
    { enabled: query.length > 0, getNextPageParam: (page) => page.nextCursor ?? undefined },
  );
  const items = results.data?.pages.flatMap((page) => page.items) ?? [];

  function pick(message: Message) {
    jumpRequests.request({ conversationId: message.conversationId, messageId: message.id });
    openConversation(message.conversationId);
    onClose();
  }

  let status: string;
  if (!query) status = 'Type words to find the messages that contain them.';
  else if (results.isPending) status = 'Searching…';
  else if (results.error) status = describeError(results.error, 'Could not search.');
  else if (items.length === 0) status = 'No messages found.';
  else status = `${items.length}${results.hasNextPage ? '+' : ''} found.`;

  return (
    <Dialog
      open
      onClose={onClose}
      title={conversationId ? 'Search in this chat' : 'Search messages'}
      className="max-w-lg"
    >
      <input
        type="search"
        aria-label="Search messages"
        value={text}
        maxLength={MAX_QUERY}
        onChange={(event) => setText(event.target.value)}
        className={inputClass}
        data-autofocus
      />
      <p role="status" className={`mt-2 flex items-center gap-2 text-xs ${mutedText}`}>
        {query && results.isFetching && <Spinner />}
        {status}
      </p>
      {items.length > 0 && (
        <ul aria-label="Results" className="mt-2 flex flex-col gap-1">
          {items.map((message) => (
            <SearchResult
              key={message.id}
              message={message}
              query={query}
              meId={meId}
              showConversation={!conversationId}
              onPick={pick}
            />
          ))}
        </ul>
      )}
      {results.hasNextPage && (
        <button
          type="button"
          onClick={() => void results.fetchNextPage()}
          disabled={results.isFetchingNextPage}
          className={`${secondaryButton} mt-2 w-full`}
        >
          {results.isFetchingNextPage ? 'Loading…' : 'More results'}
        </button>
      )}
    </Dialog>
  );
}
