import { TRPCError } from '@trpc/server';
import { AppError, toAppError, type Logger, type RequestMeta } from '@chat/core';
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
  Conversation,
  ConversationInput,
  ConversationsInput,
  DeleteForMeInput,
  MarkDeliveredInput,
  MarkReadInput,
  Message,
  MessagesInput,
  OpenDirectInput,
  SendInput,
  TypingInput,
  Group,
  CreateGroupInput,
  GroupIdInput,
  UpdateGroupInput,
  AddMembersInput,
  RemoveMemberInput,
  SetRoleInput,
  Notification,
  NotificationListInput,
  NotificationMarkReadInput,
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
  /** Internal (gateway → user worker): the caller's first socket opened / last socket closed. */
  'user.presence': { input: { online: boolean }; output: { ok: true } };
  /** Internal (chat worker → user worker): which of these ids are real users. */
  'user.existing': { input: { userIds: string[] }; output: { userIds: string[] } };

  'chat.conversations': { input: ConversationsInput; output: Page<Conversation> };
  'chat.conversation': { input: ConversationInput; output: Conversation };
  'chat.openDirect': { input: OpenDirectInput; output: Conversation };
  'chat.messages': { input: MessagesInput; output: Page<Message> };
  'chat.send': { input: SendInput; output: Message };
  'chat.markDelivered': { input: MarkDeliveredInput; output: { updated: number } };
  'chat.markRead': { input: MarkReadInput; output: { updated: number } };
  'chat.deleteForMe': { input: DeleteForMeInput; output: { ok: true } };
  'chat.typing': { input: TypingInput; output: { ok: true } };
  /** Internal (notification worker → chat worker): everyone sharing a conversation with `userId`. */
  'chat.contactsOf': { input: { userId: string }; output: { userIds: string[] } };

  'group.create': { input: CreateGroupInput; output: Group };
  'group.get': { input: GroupIdInput; output: Group };
  'group.update': { input: UpdateGroupInput; output: Group };
  'group.addMembers': { input: AddMembersInput; output: Group };
  'group.removeMember': { input: RemoveMemberInput; output: Group };
  'group.setRole': { input: SetRoleInput; output: Group };
  'group.leave': { input: GroupIdInput; output: { ok: true } };

  'notification.list': {
    input: NotificationListInput;
    output: { items: Notification[]; unread: number };
  };
  'notification.markRead': { input: NotificationMarkReadInput; output: { unread: number } };
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
  const prefix = method.split('.')[0] ?? '';
  const service = Object.hasOwn(SERVICE_BY_PREFIX, prefix) ? SERVICE_BY_PREFIX[prefix] : undefined;
  if (!service) throw new Error(`No worker serves ${method}`);
  return service;
}

/** Sends one RPC; implemented by the gateway over the bus. Rejects with AppError. */
export type RpcCaller = <M extends RpcMethod>(
  method: M,
  input: RpcInput<M>,
  meta: RequestMeta,
) => Promise<RpcOutput<M>>;

export type RpcHandler<M extends RpcMethod> = (
  input: RpcInput<M>,
  meta: RequestMeta,
  log: Logger,
) => Promise<RpcOutput<M>>;

/** The handlers one worker implements: every method whose name starts with one of `P`. */
export type RpcHandlers<P extends string> = {
  [M in RpcMethod as M extends `${P}.${string}` ? M : never]: RpcHandler<M>;
};

/** Turns a typed handler table into the untyped dispatch function the bus calls. */
export function createDispatcher(handlers: Partial<{ [M in RpcMethod]: RpcHandler<M> }>) {
  return (method: string, input: unknown, meta: RequestMeta, log: Logger): Promise<unknown> => {
    const table = handlers as Record<string, RpcHandler<RpcMethod> | undefined>;
    // Own properties only: `toString` and friends are not methods.
    const handler = Object.hasOwn(table, method) ? table[method] : undefined;
    if (!handler) throw new AppError('BAD_REQUEST', `Unknown method ${method}`);
    return handler(input as never, meta, log);
  };
}

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
