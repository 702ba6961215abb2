import type { Notification } from '@chat/api';
import { formatFull, formatListTime } from '../lib/time';
import { focusRing, mutedText } from '../ui/styles';

interface NotificationItemProps {
  notification: Notification;
  onOpen: (notification: Notification) => void;
}

/** One notification; opening it goes to its conversation (if any) and marks it read. */
export function NotificationItem({ notification, onOpen }: NotificationItemProps) {
  return (
    <li>
      <button
        type="button"
        onClick={() => onOpen(notification)}
        className={`flex w-full items-start gap-3 rounded-lg px-2 py-2 text-left hover:bg-slate-100 dark:hover:bg-slate-800 ${focusRing}`}
      >
        <span
          aria-hidden="true"
          className={`mt-1.5 size-2 shrink-0 rounded-full ${notification.read ? 'bg-transparent' : 'bg-indigo-500'}`}
        />
        <span className="min-w-0 flex-1">
          <span className="flex items-baseline justify-between gap-2">
            <span className={`truncate ${notification.read ? 'font-medium' : 'font-semibold'}`}>
              {notification.title}
              {!notification.read && <span className="sr-only"> (unread)</span>}
            </span>
            <time
              dateTime={notification.createdAt}
              title={formatFull(notification.createdAt)}
              className={`shrink-0 text-xs ${mutedText}`}
            >
              {formatListTime(notification.createdAt)}
            </time>
          </span>
          {notification.body && (
            <span className={`line-clamp-2 text-sm break-words ${mutedText}`}>
              {notification.body}
            </span>
          )}
        </span>
      </button>
    </li>
  );
}
