import { callWorker, protectedProcedure, router } from '../trpc.js';
import {
  addMembersInput,
  createGroupInput,
  groupIdInput,
  removeMemberInput,
  setRoleInput,
  updateGroupInput,
} from '../schemas/index.js';

export const groupRouter = router({
  create: protectedProcedure
    .input(createGroupInput)
    .mutation(({ ctx, input }) => callWorker(ctx, 'group.create', input)),
  get: protectedProcedure
    .input(groupIdInput)
    .query(({ ctx, input }) => callWorker(ctx, 'group.get', input)),
  update: protectedProcedure
    .input(updateGroupInput)
    .mutation(({ ctx, input }) => callWorker(ctx, 'group.update', input)),
  addMembers: protectedProcedure
    .input(addMembersInput)
    .mutation(({ ctx, input }) => callWorker(ctx, 'group.addMembers', input)),
  removeMember: protectedProcedure
    .input(removeMemberInput)
    .mutation(({ ctx, input }) => callWorker(ctx, 'group.removeMember', input)),
  setRole: protectedProcedure
    .input(setRoleInput)
    .mutation(({ ctx, input }) => callWorker(ctx, 'group.setRole', input)),
  leave: protectedProcedure
    .input(groupIdInput)
    .mutation(({ ctx, input }) => callWorker(ctx, 'group.leave', input)),
});
