import { callWorker, consumeLimit, protectedProcedure } from './trpc.js';
import type { RateLimitRule } from './context.js';
import { methods, type RpcInput, type RpcMethod } from '@chat/contract';

interface ForwardOptions {
  /** A per-user limit counted before the call (besides the per-connection one). */
  limit?: RateLimitRule;
}

/**
 * A protected procedure that validates its input with the method table's schema and
 * forwards it to the worker that owns the method: the router is built from the table, so
 * a procedure can't drift from the RPC it calls.
 */
function forward<M extends RpcMethod>(method: M, options: ForwardOptions = {}) {
  return protectedProcedure
    .input(methods[method].input as Methods<M>)
    .use(async ({ ctx, next }) => {
      if (options.limit) await consumeLimit(ctx, options.limit, ctx.user.id);
      return next();
    });
}

type Methods<M extends RpcMethod> = (typeof methods)[M]['input'];

export const forwardQuery = <M extends RpcMethod>(method: M, options?: ForwardOptions) =>
  forward(method, options).query(({ ctx, input }) => callWorker(ctx, method, input as RpcInput<M>));

export const forwardMutation = <M extends RpcMethod>(method: M, options?: ForwardOptions) =>
  forward(method, options).mutation(({ ctx, input }) =>
    callWorker(ctx, method, input as RpcInput<M>),
  );
