import type { TrpcUtils } from '../trpc';

export const NOTIFICATIONS_INPUT = { limit: 30 };

/** Marks these notifications read, here at once and then on the server. */
export function markNotificationsRead(utils: TrpcUtils, ids?: string[]): void {
  const data = utils.notification.list.getData(NOTIFICATIONS_INPUT);
  if (ids && ids.length === 0) return;
  if (data) {
    const affected = new Set(ids ?? data.items.map((n) => n.id));
    const newlyRead = data.items.filter((n) => !n.read && affected.has(n.id)).length;
    utils.notification.list.setData(NOTIFICATIONS_INPUT, {
      items: data.items.map((n) => (affected.has(n.id) ? { ...n, read: true } : n)),
      unread: ids ? Math.max(0, data.unread - newlyRead) : 0,
    });
  }
  utils.client.notification.markRead
    .mutate(ids ? { ids } : {})
    .then(({ unread }) =>
      utils.notification.list.setData(NOTIFICATIONS_INPUT, (old) =>
        old ? { ...old, unread } : old,
      ),
    )
    .catch(() => void utils.notification.list.invalidate());
}

/** Reading a conversation also reads its notifications. */
export function markConversationNotificationsRead(utils: TrpcUtils, conversationId: string): void {
  const data = utils.notification.list.getData(NOTIFICATIONS_INPUT);
  const ids = data?.items
    .filter((n) => !n.read && n.conversationId === conversationId)
    .map((n) => n.id);
  if (ids?.length) markNotificationsRead(utils, ids);
}
