import { TRPCError } from '@trpc/server';
import { AppError, type Logger, type RequestMeta } from '@chat/core';
import type {
  LoginInput,
  Me,
  ProvisionProfileInput,
  PublicUser,
  RefreshInput,
  RegisterInput,
  Session,
  SetStatusInput,
  TokenPair,
  UpdateProfileInput,
  UserSearchInput,
  Page,
} from './schemas/index.js';

/**
 * Every RPC a worker answers, with its input and output. Inputs are the parsed
 * (zod output) types; the caller is in `meta.userId`, never in the input.
 */
export interface RpcMethods {
  'auth.register': { input: RegisterInput; output: Session };
  'auth.login': { input: LoginInput; output: Session };
  'auth.refresh': { input: RefreshInput; output: TokenPair };
  'auth.logout': { input: RefreshInput; output: { ok: true } };
  'user.me': { input: Record<string, never>; output: Me };
  'user.byId': { input: { userId: string }; output: PublicUser };
  'user.search': { input: UserSearchInput; output: Page<PublicUser> };
  'user.updateProfile': { input: UpdateProfileInput; output: Me };
  'user.setStatus': { input: SetStatusInput; output: Me };
  /** Internal (auth worker → user worker), not in the public router. */
  'user.provision': { input: ProvisionProfileInput; output: Me };
}

export type RpcMethod = keyof RpcMethods;
export type RpcInput<M extends RpcMethod> = RpcMethods[M]['input'];
export type RpcOutput<M extends RpcMethod> = RpcMethods[M]['output'];

/** Which worker's queue serves a method: the part before the dot, with groups in chat. */
const SERVICE_BY_PREFIX: Record<string, WorkerService> = {
  auth: 'auth',
  user: 'user',
  chat: 'chat',
  group: 'chat',
  notification: 'notification',
};
export type WorkerService = 'auth' | 'user' | 'chat' | 'notification';

export function serviceOf(method: string): WorkerService {
  const service = SERVICE_BY_PREFIX[method.split('.')[0] ?? ''];
  if (!service) throw new Error(`No worker serves ${method}`);
  return service;
}

/** Sends one RPC; implemented by the gateway over the bus. Rejects with AppError. */
export type RpcCaller = <M extends RpcMethod>(method: M, input: RpcInput<M>, meta: RequestMeta) => Promise<RpcOutput<M>>;

export type RpcHandler<M extends RpcMethod> = (input: RpcInput<M>, meta: RequestMeta, log: Logger) => Promise<RpcOutput<M>>;

/** The handlers one worker implements: every method whose name starts with one of `P`. */
export type RpcHandlers<P extends string> = {
  [M in RpcMethod as M extends `${P}.${string}` ? M : never]: RpcHandler<M>;
};

/** Turns a typed handler table into the untyped dispatch function the bus calls. */
export function createDispatcher(handlers: Partial<{ [M in RpcMethod]: RpcHandler<M> }>) {
  return (method: string, input: unknown, meta: RequestMeta, log: Logger): Promise<unknown> => {
    const handler = (handlers as Record<string, RpcHandler<RpcMethod> | undefined>)[method];
    if (!handler) throw new AppError('BAD_REQUEST', `Unknown method ${method}`);
    return handler(input as never, meta, log);
  };
}

/** The caller's id, for handlers of authenticated methods. */
export function requireUserId(meta: RequestMeta): string {
  if (!meta.userId) throw new AppError('UNAUTHORIZED', 'Not signed in');
  return meta.userId;
}

/** Maps worker errors to tRPC errors, keeping code, message and data (e.g. retryAfterMs). */
export function toTRPCError(err: unknown): TRPCError {
  if (err instanceof TRPCError) return err;
  if (err instanceof AppError) return new TRPCError({ code: err.code, message: err.message, cause: err });
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error', cause: err });
}
