import { callWorker, protectedProcedure, router } from '../trpc.js';
import { notificationListInput, notificationMarkReadInput } from '../schemas/index.js';

export const notificationRouter = router({
  list: protectedProcedure
    .input(notificationListInput)
    .query(({ ctx, input }) => callWorker(ctx, 'notification.list', input)),
  markRead: protectedProcedure
    .input(notificationMarkReadInput)
    .mutation(({ ctx, input }) => callWorker(ctx, 'notification.markRead', input)),
});
