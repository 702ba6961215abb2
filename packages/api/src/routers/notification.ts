import { router } from '../trpc.js';
import { forwardMutation, forwardQuery } from '../forward.js';

export const notificationRouter = router({
  list: forwardQuery('notification.list'),
  markRead: forwardMutation('notification.markRead'),
});
