import type { Conversation } from '@chat/api';
import { attachmentsPreview } from '../files/format';
import { formatFull, formatListTime } from '../lib/time';
import { messagesInput } from '../messages/types';
import { PresenceDot } from '../presence/PresenceDot';
import { statusLabel } from '../presence/statusLabels';
import { Avatar } from '../ui/Avatar';
import { trpc, type TrpcUtils } from '../trpc';
import { focusRing } from '../ui/styles';
import { isMuted } from './mute';
import { MutedIcon } from './MutedIcon';
import { useConversationDetails } from './useConversationDetails';
import { CountBadge } from '../ui/CountBadge';

interface ConversationItemProps {
  conversation: Conversation;
  meId: string;
  selected: boolean;
}

/** How many files the last message has, when that message is in the cache (the list doesn't say). */
function attachmentCount(utils: TrpcUtils, conversationId: string, messageId: string) {
  for (const page of utils.chat.messages.getInfiniteData(messagesInput(conversationId))?.pages ??
    []) {
    const found = page.items.find((m) => m.id === messageId);
    if (found) return found.attachments.length;
  }
  return undefined;
}

function preview(conversation: Conversation, meId: string, utils: TrpcUtils): string {
  const last = conversation.lastMessage;
  if (!last) return conversation.type === 'group' ? 'Group created' : 'No messages yet';
  // Deleted for everyone: the preview keeps the message, emptied.
  if (last.type === 'text' && !last.content) return 'This message was deleted';
  const text =
    last.type === 'text'
      ? last.content
      : attachmentsPreview(
          last.type,
          last.content,
          attachmentCount(utils, conversation.id, last.id),
        );
  return last.senderId === meId ? `You: ${text}` : text;
}

/** One row of the list: avatar with presence, name, preview, time and unread badge. */
export function ConversationItem({ conversation, meId, selected }: ConversationItemProps) {
  const { title, avatar, other } = useConversationDetails(conversation, meId);
  const time = conversation.lastMessage?.createdAt ?? conversation.updatedAt;
  const unread = conversation.unreadCount;
  const muted = isMuted(conversation);
  const utils = trpc.useUtils();

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
              {preview(conversation, meId, utils)}
            </span>
            {muted && (
              <span className="shrink-0 text-slate-500 dark:text-slate-400" title="Muted">
                <MutedIcon />
                <span className="sr-only">, muted</span>
              </span>
            )}
            <CountBadge
              count={unread}
              testId="unread-badge"
              className={`inline-flex min-w-5 shrink-0 items-center justify-center rounded-full px-1.5 text-xs font-semibold text-white ${muted ? 'bg-slate-500 dark:bg-slate-600' : 'bg-indigo-600 dark:bg-indigo-500'}`}
            />
          </span>
        </span>
      </a>
    </li>
  );
}
