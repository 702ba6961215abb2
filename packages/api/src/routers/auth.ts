import { AppError } from '@chat/core';
import { callWorker, consumeLimit, publicProcedure, router } from '../trpc.js';
import { toTRPCError } from '../rpc.js';
import { loginInput, refreshInput, registerInput } from '@chat/contract';

export const authRouter = router({
  register: publicProcedure.input(registerInput).mutation(async ({ ctx, input }) => {
    await consumeLimit(ctx, 'register', ctx.ip);
    return callWorker(ctx, 'auth.register', input);
  }),

  login: publicProcedure.input(loginInput).mutation(async ({ ctx, input }) => {
    await ctx.limits.assertLoginAllowed(input.identifier, ctx.ip).catch((err: unknown) => {
      throw toTRPCError(err);
    });
    try {
      const session = await ctx.rpc('auth.login', input, { requestId: ctx.requestId, ip: ctx.ip });
      await ctx.limits.recordLoginSuccess(input.identifier);
      return session;
    } catch (err) {
      if (err instanceof AppError && err.code === 'UNAUTHORIZED') {
        await ctx.limits.recordLoginFailure(input.identifier, ctx.ip);
      }
      throw toTRPCError(err);
    }
  }),

  refresh: publicProcedure
    .input(refreshInput)
    .mutation(({ ctx, input }) => callWorker(ctx, 'auth.refresh', input)),

  logout: publicProcedure
    .input(refreshInput)
    .mutation(({ ctx, input }) => callWorker(ctx, 'auth.logout', input)),
});
