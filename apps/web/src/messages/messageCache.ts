import type { Message } from '@chat/api';
import type { TrpcUtils } from '../trpc';
import { findConversation } from '../conversations/conversationCache';
import { messagesInput } from './types';

const rank = { sent: 0, delivered: 1, read: 2 } as const;

/**
 * A message's status from its receipts (API.md: `read` when every other participant read
 * it, `delivered` when every other participant received it). Never goes backwards.
 */
export function withComputedStatus(message: Message, participants: string[] | undefined): Message {
  if (!participants) return message;
  const others = participants.filter((id) => id !== message.senderId);
  if (others.length === 0) return message;
  const read = others.every((id) => message.readBy.some((r) => r.userId === id));
  const delivered = others.every((id) => message.deliveredTo.includes(id));
  const status = read ? 'read' : delivered ? 'delivered' : 'sent';
  return rank[status] > rank[message.status] ? { ...message, status } : message;
}

function mapMessages(
  utils: TrpcUtils,
  conversationId: string,
  change: (items: Message[], pageIndex: number) => Message[],
): void {
  utils.chat.messages.setInfiniteData(messagesInput(conversationId), (data) => {
    if (!data) return data;
    let changed = false;
    const pages = data.pages.map((page, index) => {
      const items = change(page.items, index);
      if (items === page.items) return page;
      changed = true;
      return { ...page, items };
    });
    return changed ? { ...data, pages } : data;
  });
}

/**
 * Puts a server message into its conversation's cached pages (newest first), replacing a
 * copy with the same id or clientId: never a duplicate.
 */
export function insertMessage(utils: TrpcUtils, message: Message): void {
  const data = utils.chat.messages.getInfiniteData(messagesInput(message.conversationId));
  if (!data) return; // not loaded: it comes with the first fetch
  const sameMessage = (m: Message) =>
    m.id === message.id || (m.senderId === message.senderId && m.clientId === message.clientId);
  const present = data.pages.some((page) => page.items.some(sameMessage));
  mapMessages(utils, message.conversationId, (items, pageIndex) => {
    if (present) {
      const index = items.findIndex(sameMessage);
      if (index === -1) return items;
      const next = [...items];
      const existing = items[index]!;
      // Keep receipts we already know of (an event may have beaten the send answer).
      next[index] =
        rank[existing.status] > rank[message.status] ? { ...message, ...existing } : message;
      return next;
    }
    if (pageIndex !== 0) return items;
    const next = [...items, message];
    next.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
    return next;
  });
}

export function removeMessage(utils: TrpcUtils, conversationId: string, messageId: string): void {
  mapMessages(utils, conversationId, (items) =>
    items.some((m) => m.id === messageId) ? items.filter((m) => m.id !== messageId) : items,
  );
}

/** Applies a `message.status` event: receipts, then the recomputed status. */
export function applyReceipt(
  utils: TrpcUtils,
  event: {
    conversationId: string;
    messageIds: string[];
    userId: string;
    status: 'delivered' | 'read';
    at: string;
  },
): void {
  const ids = new Set(event.messageIds);
  const conversation = findConversation(utils, event.conversationId);
  const participants = conversation?.participants;
  mapMessages(utils, event.conversationId, (items) => {
    let changed = false;
    const next = items.map((message) => {
      if (!ids.has(message.id)) return message;
      changed = true;
      let updated: Message = message;
      if (!updated.deliveredTo.includes(event.userId)) {
        updated = { ...updated, deliveredTo: [...updated.deliveredTo, event.userId] };
      }
      if (event.status === 'read' && !updated.readBy.some((r) => r.userId === event.userId)) {
        updated = {
          ...updated,
          readBy: [...updated.readBy, { userId: event.userId, readAt: event.at }],
        };
      }
      if (participants) return withComputedStatus(updated, participants);
      // Unknown participants: in a direct chat the one receipt decides.
      return rank[event.status] > rank[updated.status]
        ? { ...updated, status: event.status }
        : updated;
    });
    return changed ? next : items;
  });
}

/** After `chat.markRead`: our own receipt on every message from others up to that one. */
export function markReadLocally(
  utils: TrpcUtils,
  conversationId: string,
  meId: string,
  upTo: Message,
): void {
  const at = new Date().toISOString();
  mapMessages(utils, conversationId, (items) => {
    let changed = false;
    const next = items.map((message) => {
      if (message.senderId === meId || message.createdAt > upTo.createdAt) return message;
      if (message.readBy.some((r) => r.userId === meId)) return message;
      changed = true;
      return {
        ...message,
        deliveredTo: message.deliveredTo.includes(meId)
          ? message.deliveredTo
          : [...message.deliveredTo, meId],
        readBy: [...message.readBy, { userId: meId, readAt: at }],
      };
    });
    return changed ? next : items;
  });
}
