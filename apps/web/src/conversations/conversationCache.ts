import {
  findConversation as findIn,
  updateConversation as updateIn,
  upsertConversation as upsertIn,
  withNewMessage,
  type Conversation,
  type ConversationPages,
  type Message,
} from '@chat/sdk';
import { changeItems } from '../lib/infinitePages';
import type { TrpcUtils } from '../trpc';

export const CONVERSATIONS_INPUT = { limit: 30 };

/**
 * The cached conversation list, changed by one of the SDK's pure functions; pages it
 * leaves alone stay as they are.
 */
function changeList(utils: TrpcUtils, change: (pages: ConversationPages) => ConversationPages) {
  utils.chat.conversations.setInfiniteData(CONVERSATIONS_INPUT, (data) =>
    changeItems(data, change),
  );
}

const listPages = (utils: TrpcUtils): ConversationPages =>
  utils.chat.conversations.getInfiniteData(CONVERSATIONS_INPUT)?.pages.map((p) => p.items) ?? [];

/** The cached copy of a conversation, from the list or from its own query. */
export function findConversation(
  utils: TrpcUtils,
  conversationId: string,
): Conversation | undefined {
  return (
    findIn(listPages(utils), conversationId) ?? utils.chat.conversation.getData({ conversationId })
  );
}

/**
 * Changes one conversation in the list (and its own query); with `moveToTop` it becomes
 * the first entry. `undefined` from `change` removes it. False when the list lacks it.
 */
export function updateConversation(
  utils: TrpcUtils,
  conversationId: string,
  change: (conversation: Conversation) => Conversation | undefined,
  moveToTop = false,
): boolean {
  let found = false;
  changeList(utils, (pages) => {
    const result = updateIn(pages, conversationId, change, moveToTop);
    found = result.found;
    return result.pages;
  });
  utils.chat.conversation.setData({ conversationId }, (old) => (old ? change(old) : old));
  return found;
}

/** Adds a conversation the list does not have yet, or replaces the cached copy. */
export function upsertConversation(utils: TrpcUtils, conversation: Conversation): void {
  // An empty list that is loaded gets its first page; one not loaded stays unloaded.
  changeList(utils, (pages) => (pages.length === 0 ? pages : upsertIn(pages, conversation)));
  utils.chat.conversation.setData({ conversationId: conversation.id }, conversation);
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
    (conversation) => withNewMessage(conversation, message, countsAsUnread),
    true,
  );
}

export function clearUnread(utils: TrpcUtils, conversationId: string): void {
  updateConversation(utils, conversationId, (c) =>
    c.unreadCount === 0 ? c : { ...c, unreadCount: 0 },
  );
}
