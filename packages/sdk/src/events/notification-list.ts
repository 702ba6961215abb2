import type { Notification } from '@chat/api';

/** The newest notifications (as `notification.list` answers) and the unread count. */
export interface NotificationList {
  items: Notification[];
  unread: number;
}

/** A `notification.new`: first in the list (kept to `limit`), once, counted if unread. */
export function addNotification(
  list: NotificationList,
  notification: Notification,
  limit: number,
): NotificationList {
  if (list.items.some((n) => n.id === notification.id)) return list;
  return {
    items: [notification, ...list.items].slice(0, limit),
    unread: list.unread + (notification.read ? 0 : 1),
  };
}
