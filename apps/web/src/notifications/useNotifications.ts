import { trpc } from '../trpc';
import { NOTIFICATIONS_INPUT } from './notificationCache';

/** Recent notifications and the unread count; `notification.new` events keep it current. */
export function useNotifications() {
  return trpc.notification.list.useQuery(NOTIFICATIONS_INPUT, { staleTime: Infinity });
}
