import { useState } from 'react';
import { iconButton } from '../ui/styles';
import { NotificationsDialog } from './NotificationsDialog';
import { useNotifications } from './useNotifications';
import { CountBadge } from '../ui/CountBadge';

/** The bell: unread count on it, the list in a dialog. */
export function NotificationBell() {
  const [open, setOpen] = useState(false);
  const unread = useNotifications().data?.unread ?? 0;

  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        className={`${iconButton} relative`}
        title="Notifications"
      >
        <span className="sr-only">Notifications</span>
        <svg
          aria-hidden="true"
          viewBox="0 0 20 20"
          className="size-5"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.6"
          strokeLinecap="round"
          strokeLinejoin="round"
        >
          <path d="M5 8a5 5 0 0110 0c0 4 1.5 5.5 1.5 5.5h-13S5 12 5 8zM8.5 16.5a1.6 1.6 0 003 0" />
        </svg>
        <CountBadge
          count={unread}
          testId="notification-count"
          className="absolute -top-0.5 -right-0.5 inline-flex min-w-4.5 items-center justify-center rounded-full bg-red-600 px-1 text-[0.625rem] leading-4.5 font-bold text-white"
        />
      </button>
      <NotificationsDialog open={open} onClose={() => setOpen(false)} />
    </>
  );
}
