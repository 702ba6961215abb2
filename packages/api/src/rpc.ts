import { TRPCError } from '@trpc/server';
import { AppError, toAppError, type Logger, type RequestMeta } from '@chat/core';
import {
  methods,
  partitionOf,
  type RpcInput,
  type RpcMethod,
  type RpcOutput,
} from '@chat/contract';

/** Where one call goes: the owning service's shared queue, or one of its partitions. */
export interface RpcRoute {
  service: string;
  /** Null: any worker of the service may answer (its shared queue). */
  partition: number | null;
}

export function routeOf<M extends RpcMethod>(method: M, input: RpcInput<M>): RpcRoute {
  const spec = methods[method] as {
    service: string;
    partitionKey?: (input: unknown) => string;
  };
  return {
    service: spec.service,
    partition: spec.partitionKey ? partitionOf(spec.partitionKey(input)) : null,
  };
}

/** Sends one RPC (gateway → worker, worker → worker). Rejects with AppError. */
export type RpcCaller = <M extends RpcMethod>(
  method: M,
  input: RpcInput<M>,
  meta: RequestMeta,
) => Promise<RpcOutput<M>>;

/** What the bus offers for a call; the typed caller only adds routing and types. */
export interface RpcTransport {
  call(route: RpcRoute, method: string, input: unknown, meta: RequestMeta): Promise<unknown>;
}

export function createRpcCaller(transport: RpcTransport): RpcCaller {
  return async (method, input, meta) =>
    (await transport.call(routeOf(method, input), method, input, meta)) as never;
}

export type RpcHandler<M extends RpcMethod> = (
  input: RpcInput<M>,
  meta: RequestMeta,
  log: Logger,
) => Promise<RpcOutput<M>>;

/** The handlers one worker implements: every method whose name starts with one of `P`. */
export type RpcHandlers<P extends string> = {
  [M in RpcMethod as M extends `${P}.${string}` ? M : never]: RpcHandler<M>;
};

export interface DispatchOptions {
  /** Check every answer against its output schema (development and tests): a mismatch is a bug. */
  validateOutputs: boolean;
}

/** Turns a typed handler table into the untyped dispatch function the bus calls. */
export function createDispatcher(
  handlers: Partial<{ [M in RpcMethod]: RpcHandler<M> }>,
  options: DispatchOptions,
) {
  const table = handlers as Record<string, RpcHandler<RpcMethod> | undefined>;
  return async (
    method: string,
    input: unknown,
    meta: RequestMeta,
    log: Logger,
  ): Promise<unknown> => {
    // Own properties only: `toString` and friends are not methods.
    const handler = Object.hasOwn(table, method) ? table[method] : undefined;
    if (!handler) throw new AppError('BAD_REQUEST', `Unknown method ${method}`);
    const output = await handler(input as never, meta, log);
    if (options.validateOutputs) {
      const checked = methods[method as RpcMethod].output.safeParse(output);
      if (!checked.success) {
        log.error({ method, issues: checked.error.issues.slice(0, 5) }, 'output breaks its schema');
        throw new Error(`${method} answered with an output that breaks its schema`);
      }
    }
    return output;
  };
}

/** Whether a method is served from the service's partitions (one owner at a time). */
export const isPartitioned = (method: string): boolean =>
  Object.hasOwn(methods, method) &&
  (methods[method as RpcMethod] as { partitionKey?: unknown }).partitionKey !== undefined;

/** The caller's id, for handlers of authenticated methods. */
export function requireUserId(meta: RequestMeta): string {
  if (!meta.userId) throw new AppError('UNAUTHORIZED', 'Not signed in');
  return meta.userId;
}

/**
 * Maps errors to tRPC errors, keeping code, message and data (e.g. retryAfterMs). An outage
 * of the database or Redis becomes SERVICE_UNAVAILABLE (see toAppError); the cause stays the
 * original error, for the logs.
 */
export function toTRPCError(err: unknown): TRPCError {
  if (err instanceof TRPCError) return err;
  const appError = toAppError(err);
  return new TRPCError({ code: appError.code, message: appError.message, cause: err });
}
