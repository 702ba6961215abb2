import type { Conversation } from '@chat/api';
import { isMuted, mutedForever } from '../conversations/mute';
import { MuteControl } from '../conversations/MuteControl';
import { MutedIcon } from '../conversations/MutedIcon';
import { useConversationDetails } from '../conversations/useConversationDetails';
import { formatFull } from '../lib/time';
import { LazySearchDialog } from '../search/LazySearchDialog';
import { SearchIcon } from '../search/SearchIcon';
import { openConversation } from '../lib/route';
import { PresenceDot } from '../presence/PresenceDot';
import { PresenceText } from '../presence/PresenceText';
import { Avatar } from '../ui/Avatar';
import { useState } from 'react';
import { iconButton, mutedText, secondaryButton } from '../ui/styles';

interface ChatHeaderProps {
  conversation: Conversation;
  meId: string;
  onOpenGroupInfo: () => void;
}

/** Who the conversation is with, their presence, and (in groups) the info button. */
export function ChatHeader({ conversation, meId, onOpenGroupInfo }: ChatHeaderProps) {
  const { title, avatar, isGroup, other } = useConversationDetails(conversation, meId);
  const member = conversation.participants.includes(meId);
  const [searching, setSearching] = useState(false);

  return (
    <header className="flex items-center gap-3 border-b border-slate-200 bg-white px-3 py-2 dark:border-slate-800 dark:bg-slate-900">
      <button
        type="button"
        onClick={() => openConversation(null)}
        aria-label="Back to conversations"
        className={`${iconButton} md:hidden`}
      >
        <svg
          aria-hidden="true"
          viewBox="0 0 20 20"
          className="size-5"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
          strokeLinecap="round"
          strokeLinejoin="round"
        >
          <path d="M12.5 4.5L7 10l5.5 5.5" />
        </svg>
      </button>
      <Avatar name={title} src={avatar}>
        {other && <PresenceDot status={other.status} />}
      </Avatar>
      <div className="min-w-0 flex-1">
        <h2 className="flex items-center gap-1.5 truncate font-semibold">
          {title}
          {isMuted(conversation) && (
            <span
              className={mutedText}
              title={
                conversation.mutedUntil && !mutedForever(conversation)
                  ? `Muted until ${formatFull(conversation.mutedUntil)}`
                  : 'Muted'
              }
            >
              <MutedIcon label="Muted" />
            </span>
          )}
        </h2>
        <p className={`truncate text-xs ${mutedText}`}>
          {isGroup ? (
            `${conversation.participants.length} members`
          ) : other ? (
            <PresenceText user={other} />
          ) : (
            ' '
          )}
        </p>
      </div>
      {member && (
        <button
          type="button"
          onClick={() => setSearching(true)}
          className={iconButton}
          aria-label="Search in this chat"
          title="Search in this chat"
        >
          <SearchIcon />
        </button>
      )}
      {searching && (
        <LazySearchDialog
          meId={meId}
          conversationId={conversation.id}
          onClose={() => setSearching(false)}
        />
      )}
      {member && <MuteControl conversation={conversation} />}
      {isGroup && member && (
        <button type="button" onClick={onOpenGroupInfo} className={secondaryButton}>
          Group info
        </button>
      )}
    </header>
  );
}
