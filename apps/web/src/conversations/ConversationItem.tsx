import type { Conversation } from '@chat/api';
import { formatFull, formatListTime } from '../lib/time';
import { PresenceDot } from '../presence/PresenceDot';
import { statusLabel } from '../presence/statusLabels';
import { Avatar } from '../ui/Avatar';
import { focusRing } from '../ui/styles';
import { useConversationDetails } from './useConversationDetails';
import { CountBadge } from '../ui/CountBadge';

interface ConversationItemProps {
  conversation: Conversation;
  meId: string;
  selected: boolean;
}

function preview(conversation: Conversation, meId: string): string {
  const last = conversation.lastMessage;
  if (!last) return conversation.type === 'group' ? 'Group created' : 'No messages yet';
  const text = last.type === 'text' ? last.content : `[${last.type}]`;
  return last.senderId === meId ? `You: ${text}` : text;
}

/** One row of the list: avatar with presence, name, preview, time and unread badge. */
export function ConversationItem({ conversation, meId, selected }: ConversationItemProps) {
  const { title, avatar, other } = useConversationDetails(conversation, meId);
  const time = conversation.lastMessage?.createdAt ?? conversation.updatedAt;
  const unread = conversation.unreadCount;

  return (
    <li>
      <a
        href={`#/c/${conversation.id}`}
        aria-current={selected ? 'page' : undefined}
        className={`flex items-center gap-3 rounded-lg px-3 py-2.5 hover:bg-slate-100 aria-[current=page]:bg-indigo-50 dark:hover:bg-slate-800/70 dark:aria-[current=page]:bg-indigo-950/60 ${focusRing} -outline-offset-2`}
      >
        <Avatar name={title} src={avatar}>
          {other && <PresenceDot status={other.status} decorative />}
        </Avatar>
        <span className="min-w-0 flex-1">
          <span className="flex items-baseline justify-between gap-2">
            <span className={`truncate ${unread ? 'font-semibold' : 'font-medium'}`}>
              {title}
              {other && <span className="sr-only"> ({statusLabel[other.status]})</span>}
            </span>
            <span className="sr-only">, </span>
            <time
              dateTime={time}
              title={formatFull(time)}
              className="shrink-0 text-xs text-slate-600 dark:text-slate-400"
            >
              {formatListTime(time)}
            </time>
          </span>
          <span className="sr-only">, </span>
          <span className="flex items-center justify-between gap-2">
            <span
              className={`truncate text-sm ${unread ? 'text-slate-800 dark:text-slate-200' : 'text-slate-600 dark:text-slate-400'}`}
            >
              {preview(conversation, meId)}
            </span>
            <CountBadge
              count={unread}
              testId="unread-badge"
              className="inline-flex min-w-5 shrink-0 items-center justify-center rounded-full bg-indigo-600 px-1.5 text-xs font-semibold text-white dark:bg-indigo-500"
            />
          </span>
        </span>
      </a>
    </li>
  );
}
