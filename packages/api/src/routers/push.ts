import { callWorker, publicProcedure, router } from '../trpc.js';
import { forwardMutation } from '../forward.js';

export const pushRouter = router({
  // Public: a browser needs the key before the user has decided anything.
  vapidPublicKey: publicProcedure.query(({ ctx }) => callWorker(ctx, 'push.vapidPublicKey', {})),
  subscribe: forwardMutation('push.subscribe'),
  unsubscribe: forwardMutation('push.unsubscribe'),
});
