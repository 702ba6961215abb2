import type { ClientEvent, Conversation, Message, UserStatus } from '@chat/api';
import {
  bumpConversation,
  changeUnread,
  findConversation,
  removeConversation,
  updateConversation,
  upsertConversation,
} from './conversation-pages.js';
import {
  applyReceipt,
  findMessage,
  insertMessage,
  removeMessage,
  replaceMessage,
  followParticipants,
} from './message-pages.js';
import { addNotification, type NotificationList } from './notification-list.js';

/**
 * What a client holds of one user's chat: the conversation list (most recent activity first,
 * each with its unread count), the loaded messages of conversations (newest first), the
 * presence of the people in those conversations, who is typing where, and the newest notifications.
 */
export interface ChatState {
  meId: string;
  conversations: readonly Conversation[];
  messages: Readonly<Record<string, readonly Message[]>>;
  presence: Readonly<Record<string, { status: UserStatus; lastSeen: string | null }>>;
  /** Conversation id → who is typing there (others only). */
  typing: Readonly<Record<string, readonly string[]>>;
  notifications: NotificationList;
  /** How many notifications the list keeps (the `limit` it was fetched with). */
  notificationLimit: number;
  /** A `resync` arrived: the stream could not replay what was missed; fetch everything again. */
  stale: boolean;
}

export interface ApplyOptions {
  /** Whether the user is looking at this conversation (its new messages are not unread). */
  isBeingRead?: (conversationId: string) => boolean;
}

const one = <T>(items: readonly T[] | undefined): readonly (readonly T[])[] =>
  items ? [items] : [];
const flat = <T>(pages: readonly (readonly T[])[]): readonly T[] => pages[0] ?? [];

function withMessages(
  state: ChatState,
  conversationId: string,
  change: (pages: readonly (readonly Message[])[]) => readonly (readonly Message[])[],
): ChatState {
  const before = state.messages[conversationId];
  const pages = one(before);
  const after = change(pages);
  if (after === pages) return state;
  return { ...state, messages: { ...state.messages, [conversationId]: flat(after) } };
}

function withTyping(state: ChatState, conversationId: string, userId: string, on: boolean) {
  const now = state.typing[conversationId] ?? [];
  if (now.includes(userId) === on) return state;
  const next = on ? [...now, userId] : now.filter((id) => id !== userId);
  return { ...state, typing: { ...state.typing, [conversationId]: next } };
}

function onNewMessage(state: ChatState, message: Message, options: ApplyOptions): ChatState {
  const mine = message.senderId === state.meId;
  const loaded = state.messages[message.conversationId] !== undefined;
  let next = loaded
    ? withMessages(state, message.conversationId, (pages) => insertMessage(pages, message))
    : state;
  if (!mine) next = withTyping(next, message.conversationId, message.senderId, false);
  // The event is stored and replayed: a copy we already hold must not count twice.
  const already = loaded && findMessage(one(state.messages[message.conversationId]), message.id);
  const unread = !mine && !already && !options.isBeingRead?.(message.conversationId);
  const { pages } = bumpConversation([next.conversations], message, unread);
  return { ...next, conversations: flat(pages) };
}

/** Own reads reach no other device of ours as events; a client applies them itself. */
function onReceipt(state: ChatState, event: Extract<ClientEvent, { type: 'message.status' }>) {
  const participants = findConversation([state.conversations], event.conversationId)?.participants;
  let next = withMessages(state, event.conversationId, (pages) =>
    applyReceipt(pages, event, participants),
  );
  if (event.userId === state.meId && event.status === 'read') {
    const newlyRead = event.messageIds.filter((id) => {
      const m = findMessage(one(state.messages[event.conversationId]), id);
      return !m?.readBy.some((r) => r.userId === state.meId);
    }).length;
    const conversations = changeUnread(
      [next.conversations],
      event.conversationId,
      (n) => n - newlyRead,
    );
    next = { ...next, conversations: flat(conversations) };
  }
  return next;
}

/** Edited, deleted for everyone or reacted to: the copy and the list's preview follow. */
function onUpdated(state: ChatState, message: Message): ChatState {
  const next = withMessages(state, message.conversationId, (pages) =>
    replaceMessage(pages, message),
  );
  const { pages } = updateConversation([next.conversations], message.conversationId, (c) =>
    c.lastMessage?.id === message.id
      ? { ...c, lastMessage: { ...c.lastMessage, content: message.content } }
      : c,
  );
  return { ...next, conversations: flat(pages) };
}

/** Deleted for me: gone from my history, and no longer unread if it was. */
function onDeleted(state: ChatState, conversationId: string, messageId: string): ChatState {
  const message = findMessage(one(state.messages[conversationId]), messageId);
  const next = withMessages(state, conversationId, (pages) => removeMessage(pages, messageId));
  const wasUnread =
    message !== undefined &&
    message.senderId !== state.meId &&
    !message.readBy.some((r) => r.userId === state.meId);
  if (!wasUnread) return next;
  const conversations = changeUnread([next.conversations], conversationId, (n) => n - 1);
  return { ...next, conversations: flat(conversations) };
}

/** Presence is kept for the people in our conversations: others get no presence events. */
function withoutStrangers(state: ChatState): ChatState {
  const people = new Set([state.meId, ...state.conversations.flatMap((c) => c.participants)]);
  const strangers = Object.keys(state.presence).filter((id) => !people.has(id));
  if (strangers.length === 0) return state;
  const presence = { ...state.presence };
  for (const id of strangers) delete presence[id];
  return { ...state, presence };
}

function onConversation(state: ChatState, conversation: Conversation): ChatState {
  return withoutStrangers(changeConversation(state, conversation));
}

function changeConversation(state: ChatState, conversation: Conversation): ChatState {
  if (!conversation.participants.includes(state.meId)) {
    // Removed from a group, or left it on another device: gone from this client.
    const { [conversation.id]: _messages, ...messages } = state.messages;
    const { [conversation.id]: _typing, ...typing } = state.typing;
    return {
      ...state,
      conversations: flat(removeConversation([state.conversations], conversation.id)),
      messages,
      typing,
    };
  }
  const before = findConversation([state.conversations], conversation.id)?.participants;
  let next = before
    ? withMessages(state, conversation.id, (pages) =>
        followParticipants(pages, before, conversation.participants),
      )
    : state;
  // A conversation new to us with no message yet: its history is known to be empty.
  if (!before && !conversation.lastMessage && !next.messages[conversation.id])
    next = { ...next, messages: { ...next.messages, [conversation.id]: [] } };
  const members = new Set(conversation.participants);
  const typingHere = next.typing[conversation.id];
  const typing =
    typingHere && typingHere.some((id) => !members.has(id))
      ? { ...next.typing, [conversation.id]: typingHere.filter((id) => members.has(id)) }
      : next.typing;
  return {
    ...next,
    conversations: flat(upsertConversation([next.conversations], conversation)),
    typing,
  };
}

/**
 * One event from `events.stream` applied to what the client holds — a pure function: the
 * same state and event always give the same result, and the inputs are never changed.
 * A client that fetched a state and then applied every event since holds what a fresh
 * fetch would answer (tests/integration/sdk-apply-events.test.ts checks it).
 */
export function applyEvent(
  state: ChatState,
  event: ClientEvent,
  options: ApplyOptions = {},
): ChatState {
  switch (event.type) {
    case 'message.new':
      return onNewMessage(state, event.message, options);
    case 'message.status':
      return onReceipt(state, event);
    case 'message.deleted':
      return onDeleted(state, event.conversationId, event.messageId);
    case 'message.updated':
      return onUpdated(state, event.message);
    case 'conversation.updated':
      return onConversation(state, event.conversation);
    case 'typing':
      if (event.userId === state.meId) return state;
      return withTyping(state, event.conversationId, event.userId, event.isTyping);
    case 'presence': {
      const { userId, status, lastSeen } = event;
      return { ...state, presence: { ...state.presence, [userId]: { status, lastSeen } } };
    }
    case 'notification.new': {
      const notifications = addNotification(
        state.notifications,
        event.notification,
        state.notificationLimit,
      );
      return notifications === state.notifications ? state : { ...state, notifications };
    }
    case 'resync':
      return { ...state, stale: true };
  }
}
