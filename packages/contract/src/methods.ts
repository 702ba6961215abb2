import { z } from 'zod';
import { MAX_MEMBER_IDS_PER_CALL } from './limits.js';
import {
  addMembersInput,
  attachmentSchema,
  conversationInput,
  conversationSchema,
  conversationsInput,
  createGroupInput,
  deleteForEveryoneInput,
  deleteForMeInput,
  editInput,
  muteInput,
  reactInput,
  searchInput,
  fileAccessSchema,
  groupIdInput,
  groupSchema,
  idSchema,
  loginInput,
  markDeliveredInput,
  markReadInput,
  meSchema,
  messageSchema,
  messagesInput,
  notificationListInput,
  notificationMarkReadInput,
  notificationSchema,
  openDirectInput,
  pageOf,
  provisionProfileInput,
  pushSubscribeInput,
  pushUnsubscribeInput,
  publicUserSchema,
  refreshInput,
  registerInput,
  removeMemberInput,
  sendInput,
  sessionSchema,
  storedFileSchema,
  setRoleInput,
  setStatusInput,
  tokenPairSchema,
  typingInput,
  updateGroupInput,
  updateProfileInput,
  uploadQuery,
  userByIdInput,
  userSearchInput,
  vapidPublicKeySchema,
} from './schemas/index.js';

export type WorkerService = 'auth' | 'user' | 'chat' | 'notification';

/**
 * One RPC a worker answers: its owner, input and output schemas. A method with a
 * `partitionKey` is conversation-scoped: it runs on the single worker that currently owns
 * the conversation's partition (see partitions.ts), which keeps that conversation's state.
 */
export interface MethodSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  service: WorkerService;
  input: I;
  output: O;
  partitionKey?: (input: z.output<I>) => string;
}

const method = <I extends z.ZodType, O extends z.ZodType>(spec: MethodSpec<I, O>) => spec;

const ok = z.object({ ok: z.literal(true) });
const none = z.strictObject({});
const byConversation = (input: { conversationId: string }) => input.conversationId;
// A group's id is its conversation's id: both route to the same owner.
const byGroup = (input: { groupId: string }) => input.groupId;

/**
 * Every RPC of the system: what the gateway forwards (the public procedures of docs/api.md) and
 * what workers ask each other (internal). The forwarding router, typed `callRpc` and the
 * workers' dispatchers are all built from this table; outputs are validated against it
 * outside production.
 */
export const methods = {
  'auth.register': method({ service: 'auth', input: registerInput, output: sessionSchema }),
  'auth.login': method({ service: 'auth', input: loginInput, output: sessionSchema }),
  'auth.refresh': method({ service: 'auth', input: refreshInput, output: tokenPairSchema }),
  'auth.logout': method({ service: 'auth', input: refreshInput, output: ok }),

  'user.me': method({ service: 'user', input: none, output: meSchema }),
  'user.byId': method({ service: 'user', input: userByIdInput, output: publicUserSchema }),
  'user.search': method({
    service: 'user',
    input: userSearchInput,
    output: pageOf(publicUserSchema),
  }),
  'user.updateProfile': method({ service: 'user', input: updateProfileInput, output: meSchema }),
  'user.setStatus': method({ service: 'user', input: setStatusInput, output: meSchema }),
  /** Internal (auth worker → user worker), right after sign-up. */
  'user.provision': method({ service: 'user', input: provisionProfileInput, output: meSchema }),
  /** Internal (gateway → user worker): these users' first socket opened / last one closed. */
  'user.presence': method({
    service: 'user',
    input: z.strictObject({
      userIds: z.array(idSchema).min(1).max(1000),
      /** Their last sockets closed in a storm: they are coming back, offline waits longer. */
      storm: z.boolean().optional(),
    }),
    output: ok,
  }),
  /** Internal (chat worker → user worker): which of these ids are real users. */
  'user.existing': method({
    service: 'user',
    input: z.strictObject({ userIds: z.array(idSchema).max(MAX_MEMBER_IDS_PER_CALL) }),
    output: z.object({ userIds: z.array(z.string()) }),
  }),

  'chat.conversations': method({
    service: 'chat',
    input: conversationsInput,
    output: pageOf(conversationSchema),
  }),
  'chat.conversation': method({
    service: 'chat',
    input: conversationInput,
    output: conversationSchema,
  }),
  'chat.openDirect': method({
    service: 'chat',
    input: openDirectInput,
    output: conversationSchema,
  }),
  'chat.messages': method({ service: 'chat', input: messagesInput, output: pageOf(messageSchema) }),
  'chat.send': method({
    service: 'chat',
    input: sendInput,
    output: messageSchema,
    partitionKey: byConversation,
  }),
  'chat.markDelivered': method({
    service: 'chat',
    input: markDeliveredInput,
    output: z.object({ updated: z.number() }),
    partitionKey: byConversation,
  }),
  'chat.markRead': method({
    service: 'chat',
    input: markReadInput,
    output: z.object({ updated: z.number() }),
    partitionKey: byConversation,
  }),
  'chat.deleteForMe': method({ service: 'chat', input: deleteForMeInput, output: ok }),
  'chat.typing': method({
    service: 'chat',
    input: typingInput,
    output: ok,
    partitionKey: byConversation,
  }),
  /** Internal (notification worker → chat worker): everyone sharing a conversation with `userId`. */
  'chat.contactsOf': method({
    service: 'chat',
    input: z.strictObject({ userId: idSchema }),
    output: z.object({ userIds: z.array(z.string()) }),
  }),
  /** Internal: chat.openDirect, at the owner of the pair's conversation (its id is derived from the pair). */
  'chat.owner.openDirect': method({
    service: 'chat',
    input: z.strictObject({ conversationId: idSchema, userId: idSchema }),
    output: conversationSchema,
    partitionKey: byConversation,
  }),
  /** Internal: group.create, at the owner of the new group's conversation. */
  'chat.owner.createGroup': method({
    service: 'chat',
    input: createGroupInput.extend({ conversationId: idSchema }),
    output: groupSchema,
    partitionKey: byConversation,
  }),
  /** Internal: chat.deleteForMe, at the owner of the message's conversation. */
  'chat.owner.deleteForMe': method({
    service: 'chat',
    input: z.strictObject({ conversationId: idSchema, messageId: idSchema }),
    output: ok,
    partitionKey: byConversation,
  }),

  'chat.edit': method({ service: 'chat', input: editInput, output: messageSchema }),
  'chat.deleteForEveryone': method({ service: 'chat', input: deleteForEveryoneInput, output: ok }),
  'chat.react': method({ service: 'chat', input: reactInput, output: messageSchema }),
  'chat.unreact': method({ service: 'chat', input: reactInput, output: messageSchema }),
  'chat.search': method({ service: 'chat', input: searchInput, output: pageOf(messageSchema) }),
  'chat.mute': method({
    service: 'chat',
    input: muteInput,
    output: conversationSchema,
    partitionKey: byConversation,
  }),
  /** Internal: edit, delete for everyone, react, unreact — at the owner of the message's conversation. */
  'chat.owner.changeMessage': method({
    service: 'chat',
    input: z.strictObject({
      conversationId: idSchema,
      messageId: idSchema,
      change: z.discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('edit'), content: z.string() }),
        z.strictObject({ kind: z.literal('delete') }),
        z.strictObject({ kind: z.literal('react'), emoji: z.string() }),
        z.strictObject({ kind: z.literal('unreact'), emoji: z.string() }),
      ]),
    }),
    output: messageSchema,
    partitionKey: byConversation,
  }),
  /** Internal (gateway → chat worker), POST /files: the caller may upload here; the file's id. */
  'chat.file.begin': method({
    service: 'chat',
    input: uploadQuery,
    output: z.object({ fileId: z.string() }),
  }),
  /** Internal: the upload's bytes are stored; what they are. */
  'chat.file.complete': method({
    service: 'chat',
    input: storedFileSchema,
    output: attachmentSchema,
  }),
  /** Internal: the upload failed; forget it (its bytes are gone or never were). */
  'chat.file.discard': method({
    service: 'chat',
    input: z.strictObject({ fileId: idSchema }),
    output: ok,
  }),
  /**
   * Internal, GET /files/<id>: the file, if the caller (meta.userId) is a member of its
   * conversation — or for anyone when the gateway checked a signed URL (meta.userId null).
   */
  'chat.file.access': method({
    service: 'chat',
    input: z.strictObject({ fileId: idSchema }),
    output: fileAccessSchema,
  }),

  'group.create': method({ service: 'chat', input: createGroupInput, output: groupSchema }),
  'group.get': method({ service: 'chat', input: groupIdInput, output: groupSchema }),
  'group.update': method({
    service: 'chat',
    input: updateGroupInput,
    output: groupSchema,
    partitionKey: byGroup,
  }),
  'group.addMembers': method({
    service: 'chat',
    input: addMembersInput,
    output: groupSchema,
    partitionKey: byGroup,
  }),
  'group.removeMember': method({
    service: 'chat',
    input: removeMemberInput,
    output: groupSchema,
    partitionKey: byGroup,
  }),
  'group.setRole': method({
    service: 'chat',
    input: setRoleInput,
    output: groupSchema,
    partitionKey: byGroup,
  }),
  'group.leave': method({
    service: 'chat',
    input: groupIdInput,
    output: ok,
    partitionKey: byGroup,
  }),

  'notification.list': method({
    service: 'notification',
    input: notificationListInput,
    output: z.object({ items: z.array(notificationSchema), unread: z.number() }),
  }),
  'notification.markRead': method({
    service: 'notification',
    input: notificationMarkReadInput,
    output: z.object({ unread: z.number() }),
  }),

  /** Public: the VAPID application server key browsers subscribe with. */
  'push.vapidPublicKey': method({
    service: 'notification',
    input: z.strictObject({}).optional(),
    output: vapidPublicKeySchema,
  }),
  'push.subscribe': method({ service: 'notification', input: pushSubscribeInput, output: ok }),
  'push.unsubscribe': method({ service: 'notification', input: pushUnsubscribeInput, output: ok }),
} as const;

export type Methods = typeof methods;
export type RpcMethod = keyof Methods;
export type RpcInput<M extends RpcMethod> = z.output<Methods[M]['input']>;
export type RpcOutput<M extends RpcMethod> = z.output<Methods[M]['output']>;

/** The methods a service answers whose names start with one of the prefixes `P`. */
export type MethodsOf<P extends string> = Extract<RpcMethod, `${P}.${string}`>;
