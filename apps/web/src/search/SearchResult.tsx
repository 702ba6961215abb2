import type { Message } from '@chat/api';
import { findConversation } from '../conversations/conversationCache';
import { useConversationDetails } from '../conversations/useConversationDetails';
import { formatFull, formatListTime } from '../lib/time';
import { displayNameOf, useUser } from '../presence/useUser';
import { trpc } from '../trpc';
import { focusRing, mutedText } from '../ui/styles';
import { highlight } from './highlight';

interface SearchResultProps {
  message: Message;
  query: string;
  meId: string;
  /** Searching everywhere: say which conversation it is in. */
  showConversation: boolean;
  onPick: (message: Message) => void;
}

/** One found message: who, where and when, the text with the words marked. */
export function SearchResult({
  message,
  query,
  meId,
  showConversation,
  onPick,
}: SearchResultProps) {
  const utils = trpc.useUtils();
  const conversation = trpc.chat.conversation.useQuery(
    { conversationId: message.conversationId },
    {
      enabled: showConversation,
      staleTime: Infinity,
      initialData: () => findConversation(utils, message.conversationId),
    },
  );
  const { title } = useConversationDetails(conversation.data, meId);
  const sender = useUser(message.senderId);
  const who = message.senderId === meId ? 'You' : displayNameOf(sender.data, '…');
  return (
    <li>
      <button
        type="button"
        onClick={() => onPick(message)}
        data-testid="search-result"
        className={`block w-full rounded-lg px-3 py-2 text-left hover:bg-slate-100 dark:hover:bg-slate-800 ${focusRing}`}
      >
        <span className={`flex justify-between gap-2 text-xs ${mutedText}`}>
          <span className="truncate">
            <span className="font-semibold">{who}</span>
            {showConversation && <> in {title}</>}
          </span>
          <time dateTime={message.createdAt} title={formatFull(message.createdAt)}>
            {formatListTime(message.createdAt)}
          </time>
        </span>
        <span className="line-clamp-3 text-sm break-words">
          {highlight(message.content, query)}
        </span>
      </button>
    </li>
  );
}
