export { createChatClient, type ChatClient, type ChatClientOptions } from './client.js';
export { chatLinks } from './links.js';
export {
  uploadFile,
  type UploadBody,
  type UploadDeps,
  type UploadError,
  type UploadOptions,
} from './files/upload.js';
export { createAuthApi, type AuthApi, type HttpOptions } from './session/auth-calls.js';
export { isUnauthorized, refreshOnUnauthorizedLink } from './session/refresh-link.js';
export {
  createSessionManager,
  type LockManagerLike,
  type SessionManager,
  type SessionManagerOptions,
} from './session/session-manager.js';
export {
  memoryStorage,
  webStorage,
  type KeyValueStorage,
  type SessionStorage,
  type StorageEventSource,
} from './session/session-storage.js';
export {
  toStored,
  type Session,
  type StoredSession,
  type TokenPair,
} from './session/stored-session.js';
export { createStreamPosition, type StreamPosition } from './stream-position.js';
export {
  createChatWsClient,
  TOKEN_EXPIRED_CLOSE_CODE,
  type ChatWsClient,
  type ChatWsClientOptions,
} from './ws-client.js';
export { TRPCClientError } from '@trpc/client';
export type {
  AppRouter,
  Attachment,
  ClientEvent,
  Conversation,
  Message,
  Notification,
  RouterInputs,
  RouterOutputs,
} from '@chat/api';
export { applyEvent, type ApplyOptions, type ChatState } from './events/apply-event.js';
export {
  bumpConversation,
  changeUnread,
  findConversation,
  removeConversation,
  updateConversation,
  upsertConversation,
  withNewMessage,
  type ConversationPages,
} from './events/conversation-pages.js';
export {
  applyReceipt,
  findMessage,
  insertMessage,
  markReadUpTo,
  removeMessage,
  replaceMessage,
  followParticipants,
  JOINED_READ_AT,
  withComputedStatus,
  type MessagePages,
  type Receipt,
} from './events/message-pages.js';
export { addNotification, type NotificationList } from './events/notification-list.js';
export { fetchChatState, ownReadReceipt, type FetchStateOptions } from './events/fetch-state.js';
export { eventOf, type StreamItem } from './events/stream-item.js';
