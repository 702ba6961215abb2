import type { Notification } from '@chat/api';
import { lazy, Suspense } from 'react';
import { describeError } from '../auth/errors';
import { openConversation } from '../lib/route';
import { trpc } from '../trpc';
import { Dialog } from '../ui/Dialog';
import { EmptyState } from '../ui/EmptyState';
import { ErrorState } from '../ui/ErrorState';
import { LoadingState } from '../ui/LoadingState';
import { secondaryButton } from '../ui/styles';
import { markNotificationsRead } from './notificationCache';
import { NotificationItem } from './NotificationItem';
import { useNotifications } from './useNotifications';

// The push on/off control only shows in this dialog: it stays out of the initial bundle.
const DesktopNotifications = lazy(() =>
  import('../push/DesktopNotifications').then((m) => ({ default: m.DesktopNotifications })),
);

interface NotificationsDialogProps {
  open: boolean;
  onClose: () => void;
}

/** Desktop notifications (Web Push) on or off, then the list, newest first, with "Mark all as read". */
export function NotificationsDialog({ open, onClose }: NotificationsDialogProps) {
  const utils = trpc.useUtils();
  const notifications = useNotifications();
  const data = notifications.data;

  function onOpen(notification: Notification) {
    if (!notification.read) markNotificationsRead(utils, [notification.id]);
    if (notification.conversationId) {
      openConversation(notification.conversationId);
      onClose();
    }
  }

  return (
    <Dialog open={open} onClose={onClose} title="Notifications">
      <Suspense fallback={<LoadingState label="Loading notification settings…" />}>
        <DesktopNotifications />
      </Suspense>
      {notifications.isPending ? (
        <LoadingState label="Loading notifications…" />
      ) : !data ? (
        <ErrorState
          message={describeError(notifications.error, 'Could not load notifications.')}
          onRetry={() => void notifications.refetch()}
        />
      ) : data.items.length === 0 ? (
        <EmptyState title="No notifications">
          <p>Messages you miss and groups you are added to show up here.</p>
        </EmptyState>
      ) : (
        <div className="space-y-3">
          {data.unread > 0 && (
            <div className="flex justify-end">
              <button
                type="button"
                onClick={() => markNotificationsRead(utils)}
                className={secondaryButton}
              >
                Mark all as read
              </button>
            </div>
          )}
          <ul aria-label="Notification list" className="space-y-1">
            {data.items.map((notification) => (
              <NotificationItem key={notification.id} notification={notification} onOpen={onOpen} />
            ))}
          </ul>
        </div>
      )}
    </Dialog>
  );
}
