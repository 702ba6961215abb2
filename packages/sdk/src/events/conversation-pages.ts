import type { Conversation, Message } from '@chat/api';

/** The conversation list as pages of items, most recent activity first. */
export type ConversationPages = readonly (readonly Conversation[])[];

/** The server's order: latest activity (`updatedAt`) first, then the higher id. */
const newerFirst = (a: Conversation, b: Conversation) =>
  b.updatedAt.localeCompare(a.updatedAt) || b.id.localeCompare(a.id);

export function findConversation(
  pages: ConversationPages,
  conversationId: string,
): Conversation | undefined {
  for (const items of pages) {
    const found = items.find((c) => c.id === conversationId);
    if (found) return found;
  }
  return undefined;
}

/**
 * Changes one conversation; with `moveToTop` it becomes the first entry (new activity),
 * else it stays where it is. `undefined` from `change` removes it. `found` is false (and
 * the pages unchanged) when the list does not hold it.
 */
export function updateConversation(
  pages: ConversationPages,
  conversationId: string,
  change: (conversation: Conversation) => Conversation | undefined,
  moveToTop = false,
): { pages: ConversationPages; found: boolean } {
  let updated: Conversation | undefined;
  let found = false;
  const next = pages.map((items) => {
    const index = items.findIndex((c) => c.id === conversationId);
    if (index === -1) return items;
    found = true;
    const before = items[index]!;
    updated = change(before);
    if (updated === before && !moveToTop) return items;
    const copy = [...items];
    if (updated && !moveToTop) copy[index] = updated;
    else copy.splice(index, 1);
    return copy;
  });
  if (!found || next.every((items, i) => items === pages[i])) return { pages, found };
  if (updated && moveToTop) next[0] = [updated, ...(next[0] ?? [])];
  return { pages: next, found };
}

/**
 * Puts the conversation where its activity places it (a group change is activity too),
 * replacing the copy the list holds.
 */
export function upsertConversation(
  pages: ConversationPages,
  conversation: Conversation,
): ConversationPages {
  const without = removeConversation(pages, conversation.id);
  const [first = [], ...rest] = without;
  const items = [...first, conversation].sort(newerFirst);
  return [items, ...rest];
}

export function removeConversation(
  pages: ConversationPages,
  conversationId: string,
): ConversationPages {
  return updateConversation(pages, conversationId, () => undefined).pages;
}

/** A conversation after a new message: its preview and activity, and the unread badge. */
export function withNewMessage(
  conversation: Conversation,
  message: Message,
  countsAsUnread: boolean,
): Conversation {
  const newer =
    !conversation.lastMessage || conversation.lastMessage.createdAt <= message.createdAt;
  return {
    ...conversation,
    lastMessage: newer
      ? {
          id: message.id,
          content: message.content,
          senderId: message.senderId,
          type: message.type,
          createdAt: message.createdAt,
        }
      : conversation.lastMessage,
    updatedAt: newer ? message.createdAt : conversation.updatedAt,
    unreadCount: conversation.unreadCount + (countsAsUnread ? 1 : 0),
  };
}

/** A new message: the conversation moves to the top with a new preview (and badge). */
export function bumpConversation(
  pages: ConversationPages,
  message: Message,
  countsAsUnread: boolean,
): { pages: ConversationPages; found: boolean } {
  return updateConversation(
    pages,
    message.conversationId,
    (conversation) => withNewMessage(conversation, message, countsAsUnread),
    true,
  );
}

/** Changes the unread badge of one conversation (never below zero). */
export function changeUnread(
  pages: ConversationPages,
  conversationId: string,
  count: (unread: number) => number,
): ConversationPages {
  return updateConversation(pages, conversationId, (c) => {
    const unreadCount = Math.max(0, count(c.unreadCount));
    return unreadCount === c.unreadCount ? c : { ...c, unreadCount };
  }).pages;
}
