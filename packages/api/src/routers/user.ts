import { callWorker, protectedProcedure, router } from '../trpc.js';
import {
  setStatusInput,
  updateProfileInput,
  userByIdInput,
  userSearchInput,
} from '../schemas/index.js';

export const userRouter = router({
  me: protectedProcedure.query(({ ctx }) => callWorker(ctx, 'user.me', {})),
  byId: protectedProcedure
    .input(userByIdInput)
    .query(({ ctx, input }) => callWorker(ctx, 'user.byId', input)),
  search: protectedProcedure
    .input(userSearchInput)
    .query(({ ctx, input }) => callWorker(ctx, 'user.search', input)),
  updateProfile: protectedProcedure
    .input(updateProfileInput)
    .mutation(({ ctx, input }) => callWorker(ctx, 'user.updateProfile', input)),
  setStatus: protectedProcedure
    .input(setStatusInput)
    .mutation(({ ctx, input }) => callWorker(ctx, 'user.setStatus', input)),
});
