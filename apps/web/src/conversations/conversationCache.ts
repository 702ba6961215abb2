import type { Conversation, Message } from '@chat/api';
import type { TrpcUtils } from '../trpc';

export const CONVERSATIONS_INPUT = { limit: 30 };

function activityOf(conversation: Conversation): string {
  return conversation.lastMessage?.createdAt ?? conversation.updatedAt;
}

/** The cached copy of a conversation, from the list or from its own query. */
export function findConversation(
  utils: TrpcUtils,
  conversationId: string,
): Conversation | undefined {
  const pages = utils.chat.conversations.getInfiniteData(CONVERSATIONS_INPUT)?.pages ?? [];
  for (const page of pages) {
    const found = page.items.find((c) => c.id === conversationId);
    if (found) return found;
  }
  return utils.chat.conversation.getData({ conversationId });
}

/**
 * Changes one conversation in the list; with `moveToTop` it becomes the first entry
 * (new activity), else it stays where it is. `undefined` from `change` removes it.
 * Returns false when the list has no such conversation.
 */
export function updateConversation(
  utils: TrpcUtils,
  conversationId: string,
  change: (conversation: Conversation) => Conversation | undefined,
  moveToTop = false,
): boolean {
  let found = false;
  utils.chat.conversations.setInfiniteData(CONVERSATIONS_INPUT, (data) => {
    if (!data) return data;
    let updated: Conversation | undefined;
    const pages = data.pages.map((page) => {
      const index = page.items.findIndex((c) => c.id === conversationId);
      if (index === -1) return page;
      found = true;
      updated = change(page.items[index]!);
      const items = [...page.items];
      if (updated && !moveToTop) items[index] = updated;
      else items.splice(index, 1);
      return { ...page, items };
    });
    if (found && updated && moveToTop && pages[0]) {
      pages[0] = { ...pages[0], items: [updated, ...pages[0].items] };
    }
    return found ? { ...data, pages } : data;
  });
  utils.chat.conversation.setData({ conversationId }, (old) => (old ? change(old) : old));
  return found;
}

/** Adds a conversation the list does not have yet, or replaces the cached copy. */
export function upsertConversation(utils: TrpcUtils, conversation: Conversation): void {
  const replaced = updateConversation(utils, conversation.id, () => conversation);
  utils.chat.conversation.setData({ conversationId: conversation.id }, conversation);
  if (replaced) return;
  utils.chat.conversations.setInfiniteData(CONVERSATIONS_INPUT, (data) => {
    if (!data?.pages[0]) return data;
    const [first, ...rest] = data.pages;
    // Keep "most recent activity first" for the page we insert into.
    const items = [...first.items, conversation].sort((a, b) =>
      activityOf(b).localeCompare(activityOf(a)),
    );
    return { ...data, pages: [{ ...first, items }, ...rest] };
  });
}

export function removeConversation(utils: TrpcUtils, conversationId: string): void {
  updateConversation(utils, conversationId, () => undefined);
}

/** A new message: the conversation moves to the top with a new preview (and badge). */
export function bumpConversation(
  utils: TrpcUtils,
  message: Message,
  countsAsUnread: boolean,
): boolean {
  return updateConversation(
    utils,
    message.conversationId,
    (conversation) => {
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
    },
    true,
  );
}

export function clearUnread(utils: TrpcUtils, conversationId: string): void {
  updateConversation(utils, conversationId, (c) =>
    c.unreadCount === 0 ? c : { ...c, unreadCount: 0 },
  );
}
