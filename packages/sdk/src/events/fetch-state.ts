import type { TRPCClient } from '@trpc/client';
import type { AppRouter, ClientEvent, Message } from '@chat/api';
import type { ChatState } from './apply-event.js';

export interface FetchStateOptions {
  meId: string;
  conversationLimit?: number;
  messageLimit?: number;
  notificationLimit?: number;
}

/**
 * A user's chat as the server answers it now: the first page of conversations, the newest
 * messages of each, the presence of the user and everyone in them and the newest notifications.
 */
export async function fetchChatState(
  api: TRPCClient<AppRouter>,
  options: FetchStateOptions,
): Promise<ChatState> {
  const { meId } = options;
  const notificationLimit = options.notificationLimit ?? 50;
  const [page, notifications] = await Promise.all([
    api.chat.conversations.query({ limit: options.conversationLimit ?? 100 }),
    api.notification.list.query({ limit: notificationLimit }),
  ]);
  const conversations = page.items;
  const messages = await Promise.all(
    conversations.map((c) =>
      api.chat.messages.query({ conversationId: c.id, limit: options.messageLimit ?? 100 }),
    ),
  );
  const people = [...new Set([meId, ...conversations.flatMap((c) => c.participants)])];
  const users = await Promise.all(people.map((userId) => api.user.byId.query({ userId })));
  return {
    meId,
    conversations,
    messages: Object.fromEntries(conversations.map((c, i) => [c.id, messages[i]!.items])),
    presence: Object.fromEntries(
      users.map((u) => [u.id, { status: u.status, lastSeen: u.lastSeen }]),
    ),
    typing: {},
    notifications,
    notificationLimit,
    stale: false,
  };
}

/**
 * The receipt a user's own `chat.markRead` makes, to apply to their own state (their
 * devices get no event for it): every loaded message from others up to `upTo` not read yet.
 */
export function ownReadReceipt(
  state: ChatState,
  upTo: Pick<Message, 'conversationId' | 'createdAt'>,
  at = new Date().toISOString(),
): Extract<ClientEvent, { type: 'message.status' }> {
  const messageIds = (state.messages[upTo.conversationId] ?? [])
    .filter(
      (m) =>
        m.senderId !== state.meId &&
        m.createdAt <= upTo.createdAt &&
        !m.readBy.some((r) => r.userId === state.meId),
    )
    .map((m) => m.id);
  return {
    type: 'message.status',
    conversationId: upTo.conversationId,
    messageIds,
    userId: state.meId,
    status: 'read',
    at,
  };
}
