import { MessageAttachments } from '../files/MessageAttachments';
import { formatFull, formatTime } from '../lib/time';
import { focusRing } from '../ui/styles';
import { MessageStatus } from './MessageStatus';
import { MessageText } from './MessageText';
import { SenderName } from './SenderName';
import type { DisplayMessage } from './useMessages';

interface MessageBubbleProps {
  message: DisplayMessage;
  mine: boolean;
  showSender: boolean;
  onRetry: (clientId: string) => void;
  onDelete: (message: DisplayMessage) => void;
}

/** One message: own ones on the right with their state, others on the left. */
export function MessageBubble({
  message,
  mine,
  showSender,
  onRetry,
  onDelete,
}: MessageBubbleProps) {
  const failed = message.state === 'failed';
  const hasAttachments = message.attachments.length > 0;
  return (
    <div
      data-testid="message"
      data-message-id={message.id ?? undefined}
      data-client-id={message.clientId}
      data-mine={mine || undefined}
      className={`group flex items-center gap-1 px-2 py-0.5 ${mine ? 'flex-row-reverse' : ''}`}
    >
      <div
        className={`flex max-w-[85%] flex-col sm:max-w-[70%] ${mine ? 'items-end' : 'items-start'}`}
      >
        {showSender && <SenderName userId={message.senderId} />}
        <div
          className={`max-w-full rounded-2xl shadow-sm ${
            mine
              ? `rounded-br-md text-white ${failed ? 'bg-red-700 dark:bg-red-800' : 'bg-indigo-600 dark:bg-indigo-600'}`
              : 'rounded-bl-md bg-white text-slate-900 ring-1 ring-slate-200 dark:bg-slate-800 dark:text-slate-100 dark:ring-slate-700'
          }`}
        >
          {mine && <span className="sr-only">You: </span>}
          {hasAttachments && <MessageAttachments attachments={message.attachments} mine={mine} />}
          <div className={hasAttachments ? 'px-3 pb-1.5' : 'px-3 py-1.5'}>
            {message.content && <MessageText content={message.content} />}
            <span
              className={`mt-0.5 flex items-center justify-end gap-1 text-[0.6875rem] ${mine ? 'text-indigo-100/90' : 'text-slate-600 dark:text-slate-400'}`}
            >
              <time dateTime={message.createdAt} title={formatFull(message.createdAt)}>
                {formatTime(message.createdAt)}
              </time>
              {mine && !failed && (
                <MessageStatus state={message.state as Exclude<typeof message.state, 'failed'>} />
              )}
            </span>
          </div>
        </div>
        {failed && (
          <p
            role="alert"
            className="mt-1 flex items-center gap-2 text-xs text-red-700 dark:text-red-300"
          >
            <span>Not sent{message.error ? `: ${message.error}` : ''}</span>
            <button
              type="button"
              onClick={() => onRetry(message.clientId)}
              className={`rounded font-semibold underline underline-offset-2 ${focusRing}`}
            >
              Retry
            </button>
          </p>
        )}
      </div>
      {(message.id || failed) && (
        <button
          type="button"
          onClick={() => onDelete(message)}
          aria-label="Delete message for me"
          title="Delete for me"
          className={`shrink-0 rounded-full p-1.5 text-slate-400 opacity-0 group-hover:opacity-100 hover:bg-slate-100 hover:text-red-600 focus-visible:opacity-100 dark:hover:bg-slate-800 dark:hover:text-red-400 ${focusRing}`}
        >
          <svg
            aria-hidden="true"
            viewBox="0 0 20 20"
            className="size-4"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.6"
            strokeLinecap="round"
          >
            <path d="M4 6h12M8 6V4h4v2M6 6l1 10h6l1-10" />
          </svg>
        </button>
      )}
    </div>
  );
}
