import { memo, useState } from 'react';
import { MessageAttachments } from '../files/MessageAttachments';
import { formatFull, formatTime } from '../lib/time';
import { focusRing } from '../ui/styles';
import { MessageActions } from './MessageActions';
import { MessageEditor } from './MessageEditor';
import { MessageStatus } from './MessageStatus';
import { MessageText } from './MessageText';
import { Reactions } from './Reactions';
import { ReplyQuote } from './ReplyQuote';
import { SenderName } from './SenderName';
import type { Message } from './types';
import type { DisplayMessage } from './useMessages';

/** What the list does for a bubble's buttons (one object for every bubble). */
export interface BubbleHandlers {
  retry: (clientId: string) => void;
  deleteForMe: (message: DisplayMessage) => void;
  reply: (message: Message) => void;
  openReactions: (message: Message) => void;
  toggleReaction: (message: Message, emoji: string, reacted: boolean) => void;
  edit: (message: Message, content: string) => Promise<unknown>;
  confirmDeleteForEveryone: (message: Message) => void;
  jumpTo: (messageId: string) => void;
}

interface MessageBubbleProps {
  message: DisplayMessage;
  meId: string;
  mine: boolean;
  showSender: boolean;
  /** Mine, or I moderate this group (owner or admin). */
  canDeleteForEveryone: boolean;
  handlers: BubbleHandlers;
}

/**
 * One message: own ones on the right with their state, others on the left; its quote,
 * reactions and actions (reply, react, edit, delete); a tombstone once deleted for everyone.
 */
export const MessageBubble = memo(function MessageBubble({
  message,
  meId,
  mine,
  showSender,
  canDeleteForEveryone,
  handlers,
}: MessageBubbleProps) {
  const [editing, setEditing] = useState(false);
  const failed = message.state === 'failed';
  const server = message.message;
  const deleted = server?.deleted ?? false;
  const hasAttachments = message.attachments.length > 0;
  const live = server && !deleted ? server : undefined;

  return (
    <div
      data-testid="message"
      data-message-id={message.id ?? undefined}
      data-client-id={message.clientId}
      data-mine={mine || undefined}
      // A quote's target takes the focus (keyboard users land on it); not a tab stop.
      tabIndex={-1}
      className={`group flex items-center gap-1 px-2 py-0.5 transition-colors duration-700 ${mine ? 'flex-row-reverse' : ''} data-highlighted:bg-amber-100 dark:data-highlighted:bg-amber-900/40 focus:outline-none`}
    >
      <div
        className={`flex max-w-[85%] flex-col sm:max-w-[70%] ${mine ? 'items-end' : 'items-start'}`}
      >
        {showSender && <SenderName userId={message.senderId} />}
        <div
          className={`max-w-full rounded-2xl shadow-sm ${
            deleted
              ? 'bg-slate-100 text-slate-600 ring-1 ring-slate-200 dark:bg-slate-800/60 dark:text-slate-300 dark:ring-slate-700'
              : mine
                ? `rounded-br-md text-white ${failed ? 'bg-red-700 dark:bg-red-800' : 'bg-indigo-600 dark:bg-indigo-600'}`
                : 'rounded-bl-md bg-white text-slate-900 ring-1 ring-slate-200 dark:bg-slate-800 dark:text-slate-100 dark:ring-slate-700'
          }`}
        >
          {mine && <span className="sr-only">You: </span>}
          {!deleted && message.replyTo && (
            <ReplyQuote quote={message.replyTo} mine={mine} onJump={handlers.jumpTo} />
          )}
          {!deleted && hasAttachments && (
            <MessageAttachments attachments={message.attachments} mine={mine} />
          )}
          {editing && live ? (
            <MessageEditor
              initial={live.content}
              onSave={(content) => handlers.edit(live, content)}
              onDone={() => setEditing(false)}
            />
          ) : (
            <div className={!deleted && hasAttachments ? 'px-3 pb-1.5' : 'px-3 py-1.5'}>
              {deleted ? (
                <p className="italic">This message was deleted</p>
              ) : (
                message.content && <MessageText content={message.content} />
              )}
              <span
                className={`mt-0.5 flex items-center justify-end gap-1 text-[0.6875rem] ${mine && !deleted ? 'text-indigo-100/90' : 'text-slate-600 dark:text-slate-400'}`}
              >
                {live?.editedAt && (
                  <span title={`Edited ${formatFull(live.editedAt)}`}>edited ·</span>
                )}
                <time dateTime={message.createdAt} title={formatFull(message.createdAt)}>
                  {formatTime(message.createdAt)}
                </time>
                {mine && !failed && !deleted && (
                  <MessageStatus state={message.state as Exclude<typeof message.state, 'failed'>} />
                )}
              </span>
            </div>
          )}
        </div>
        {live && (
          <Reactions
            reactions={live.reactions}
            meId={meId}
            mine={mine}
            onToggle={(emoji, reacted) => handlers.toggleReaction(live, emoji, reacted)}
          />
        )}
        {failed && (
          <p
            role="alert"
            className="mt-1 flex items-center gap-2 text-xs text-red-700 dark:text-red-300"
          >
            <span>Not sent{message.error ? `: ${message.error}` : ''}</span>
            <button
              type="button"
              onClick={() => handlers.retry(message.clientId)}
              className={`rounded font-semibold underline underline-offset-2 ${focusRing}`}
            >
              Retry
            </button>
          </p>
        )}
      </div>
      {!editing && (message.id || failed) && (
        <MessageActions
          onReply={live && (() => handlers.reply(live))}
          onReact={live && (() => handlers.openReactions(live))}
          onEdit={live && mine && live.content ? () => setEditing(true) : undefined}
          onDeleteForEveryone={
            live && canDeleteForEveryone ? () => handlers.confirmDeleteForEveryone(live) : undefined
          }
          onDeleteForMe={() => handlers.deleteForMe(message)}
        />
      )}
    </div>
  );
});
