import { randomUUID } from 'node:crypto';
import { initTRPC, TRPCError } from '@trpc/server';
import { z } from 'zod';
import { AppError } from '@chat/core';
import { metaOf, type ApiContext, type RateLimitRule } from './context.js';
import { exposesErrorStacks } from './error-stacks.js';
import type { RpcInput, RpcMethod, RpcOutput } from '@chat/contract';
import { toTRPCError } from './rpc.js';

const isProduction = process.env.NODE_ENV === 'production';

/** "username: Username must be …; email: Invalid email address" — readable without parsing. */
function summarize(err: z.ZodError): string {
  const parts = err.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
  return `Invalid input — ${parts.join('; ')}`;
}

const t = initTRPC.context<ApiContext>().create({
  // Never tRPC's own stack traces (it would add them in any development run): the formatter
  // adds one only when the gateway opted in (see error-stacks.ts).
  isDev: false,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const zodError = cause instanceof z.ZodError ? cause : null;
    const hideMessage = isProduction && error.code === 'INTERNAL_SERVER_ERROR';
    return {
      ...shape,
      message: hideMessage
        ? 'Internal server error'
        : zodError
          ? summarize(zodError)
          : shape.message,
      data: {
        ...shape.data,
        zodError: zodError ? z.flattenError(zodError) : null,
        retryAfterMs:
          cause instanceof AppError && typeof cause.data?.retryAfterMs === 'number'
            ? cause.data.retryAfterMs
            : undefined,
        ...(exposesErrorStacks() && error.stack ? { stack: error.stack } : {}),
      },
    };
  },
});

export const router = t.router;
export const middleware = t.middleware;
export const createCallerFactory = t.createCallerFactory;

/** Gives each call a request id (WebSocket calls share a context) and reports its outcome. */
const observed = t.middleware(async ({ ctx, next, path, type }) => {
  const started = performance.now();
  const requestId = ctx.requestId ?? randomUUID();
  const call = async () => {
    const result = await next({ ctx: { ...ctx, requestId } });
    return { result, code: result.ok ? 'OK' : result.error.code };
  };
  const { result, code } = ctx.traceCall ? await ctx.traceCall(path, type, call) : await call();
  ctx.onProcedureDone?.({
    requestId,
    userId: ctx.user?.id ?? null,
    path,
    type,
    durationMs: performance.now() - started,
    code,
  });
  return result;
});

/** Every call counts against the per-connection limit (docs/api.md: 100/s). */
const rateLimited = t.middleware(async ({ ctx, next }) => {
  await consumeLimit(ctx, 'default', ctx.connectionKey);
  return next();
});

export const publicProcedure = t.procedure.use(observed).use(rateLimited);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user)
    throw new TRPCError({ code: 'UNAUTHORIZED', message: ctx.authError ?? 'Missing access token' });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

/** Counts one call against `rule` for `key`; over the limit → TOO_MANY_REQUESTS with retryAfterMs. */
export async function consumeLimit(
  ctx: ApiContext,
  rule: RateLimitRule,
  key: string,
): Promise<void> {
  try {
    await ctx.limits.consume(rule, key);
  } catch (err) {
    throw toTRPCError(err);
  }
}

/** Calls the worker that owns `method` on behalf of the caller, mapping its errors for tRPC. */
export async function callWorker<M extends RpcMethod>(
  ctx: ApiContext & { requestId: string },
  method: M,
  input: RpcInput<M>,
): Promise<RpcOutput<M>> {
  try {
    return await ctx.rpc(method, input, metaOf(ctx));
  } catch (err) {
    throw toTRPCError(err);
  }
}
