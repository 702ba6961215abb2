import { callWorker, protectedProcedure, router } from '../trpc.js';
import { forwardMutation, forwardQuery } from '../forward.js';

export const userRouter = router({
  // No input at all (`GET /trpc/user.me` with just a token).
  me: protectedProcedure.query(({ ctx }) => callWorker(ctx, 'user.me', {})),
  byId: forwardQuery('user.byId'),
  search: forwardQuery('user.search'),
  updateProfile: forwardMutation('user.updateProfile'),
  setStatus: forwardMutation('user.setStatus'),
});
