import {
  applyReceipt as receiptIn,
  insertMessage as insertInto,
  markReadUpTo,
  removeMessage as removeFrom,
  replaceMessage as replaceIn,
  followParticipants as followIn,
  type Message,
  type MessagePages,
  type Receipt,
} from '@chat/sdk';
import { changeItems } from '../lib/infinitePages';
import { getQueryKey } from '@trpc/react-query';
import { trpc, type TrpcUtils } from '../trpc';
import { findConversation, updateConversation } from '../conversations/conversationCache';
import { afterPageLoad } from './pageLoads';
import { messagesInput } from './types';

/**
 * The cached `chat.messages` pages of one conversation, changed by one of the SDK's pure
 * functions (the same ones its `applyEvent` is made of); pages it leaves alone stay as they are.
 */
function changeMessages(
  utils: TrpcUtils,
  conversationId: string,
  change: (pages: MessagePages) => MessagePages,
): void {
  const input = messagesInput(conversationId);
  const apply = () =>
    utils.chat.messages.setInfiniteData(input, (data) => changeItems(data, change));
  apply();
  // A page load in flight would write back the pages it started from, without this change.
  afterPageLoad(getQueryKey(trpc.chat.messages, input, 'infinite'), apply);
}

/** A server message into its conversation's cached pages: never a duplicate. */
export function insertMessage(utils: TrpcUtils, message: Message): void {
  const input = messagesInput(message.conversationId);
  const insert = () => changeMessages(utils, message.conversationId, (p) => insertInto(p, message));
  // Not loaded: it comes with the first load, or, if that load is under way and read the
  // history before this message was stored, is inserted once it has ended.
  if (!utils.chat.messages.getInfiniteData(input)) {
    afterPageLoad(getQueryKey(trpc.chat.messages, input, 'infinite'), insert);
    return;
  }
  insert();
}

/**
 * A `message.updated` (or a mutation's answer): edited, deleted for everyone or reacted to.
 * The copy, the replies quoting it and the list's preview (when it is the last) follow.
 */
export function updateMessage(utils: TrpcUtils, message: Message): void {
  changeMessages(utils, message.conversationId, (pages) => replaceIn(pages, message));
  updateConversation(utils, message.conversationId, (c) =>
    c.lastMessage?.id === message.id && c.lastMessage.content !== message.content
      ? { ...c, lastMessage: { ...c.lastMessage, content: message.content } }
      : c,
  );
}

export function removeMessage(utils: TrpcUtils, conversationId: string, messageId: string): void {
  changeMessages(utils, conversationId, (pages) => removeFrom(pages, messageId));
}

/** Applies a `message.status` event: receipts, then the recomputed status. */
export function applyReceipt(utils: TrpcUtils, event: Receipt & { conversationId: string }): void {
  const participants = findConversation(utils, event.conversationId)?.participants;
  changeMessages(utils, event.conversationId, (pages) => receiptIn(pages, event, participants));
}

/** The participants changed: receipts and statuses follow the current members. */
export function followParticipants(
  utils: TrpcUtils,
  conversationId: string,
  before: string[],
  participants: string[],
): void {
  changeMessages(utils, conversationId, (pages) => followIn(pages, before, participants));
}

/** After `chat.markRead`: our own receipt on every message from others up to that one. */
export function markReadLocally(
  utils: TrpcUtils,
  conversationId: string,
  meId: string,
  upTo: Message,
): void {
  const at = new Date().toISOString();
  changeMessages(utils, conversationId, (pages) => markReadUpTo(pages, meId, upTo, at));
}
