import type { Message, MessageStatus } from '@chat/api';
import { REPLY_PREVIEW_CHARS } from '@chat/contract/constants';
import { statusOf } from '@chat/contract/views';

/**
 * The contract's `quoteOf` (views/quote.ts), restated: the contract's root entry would pull
 * all of its schemas and zod into every browser bundle (~28 KB gzip of the web app's initial
 * JS), and no zod-free subpath exports it yet.
 */
const quoteOf = (content: string): string =>
  content.length > REPLY_PREVIEW_CHARS ? `${content.slice(0, REPLY_PREVIEW_CHARS - 1)}…` : content;

/**
 * A conversation's loaded messages as pages of items, newest first (one page, or the pages
 * of an infinite query). Every function returns the same arrays when nothing changed, so a
 * cache can skip re-rendering.
 */
export type MessagePages = readonly (readonly Message[])[];

const rank: Record<MessageStatus, number> = { sent: 0, delivered: 1, read: 2 };

/**
 * The message's status from its receipts and the current participants (the API's rule,
 * `statusOf`). Never goes backwards: large groups carry no receipt lists, only a status.
 */
export function withComputedStatus(message: Message, participants: readonly string[]): Message {
  if (!participants.some((id) => id !== message.senderId)) return message;
  const status = statusOf(message, participants);
  return rank[status] > rank[message.status] ? { ...message, status } : message;
}

function mapPages(
  pages: MessagePages,
  change: (items: readonly Message[], index: number) => readonly Message[],
) {
  let changed = false;
  const next = pages.map((items, index) => {
    const updated = change(items, index);
    if (updated !== items) changed = true;
    return updated;
  });
  return changed ? next : pages;
}

function mapMessages(pages: MessagePages, change: (message: Message) => Message): MessagePages {
  return mapPages(pages, (items) => {
    let changed = false;
    const next = items.map((message) => {
      const updated = change(message);
      if (updated !== message) changed = true;
      return updated;
    });
    return changed ? next : items;
  });
}

export const findMessage = (pages: MessagePages, messageId: string): Message | undefined => {
  for (const items of pages) {
    const found = items.find((m) => m.id === messageId);
    if (found) return found;
  }
  return undefined;
};

/**
 * Puts a server message into its pages (newest first), replacing a copy with the same id or
 * the same sender and clientId (the local echo): never a duplicate. Receipts already known
 * win (an event may have beaten the send answer).
 */
export function insertMessage(pages: MessagePages, message: Message): MessagePages {
  const same = (m: Message) =>
    m.id === message.id || (m.senderId === message.senderId && m.clientId === message.clientId);
  const present = pages.some((items) => items.some(same));
  if (present)
    return mapMessages(pages, (m) =>
      !same(m) ? m : rank[m.status] > rank[message.status] ? { ...message, ...m } : message,
    );
  if (pages.length === 0) return [[message]];
  return mapPages(pages, (items, index) => {
    if (index !== 0) return items;
    const next = [...items, message];
    next.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
    return next;
  });
}

/**
 * A `message.updated`: the held copy takes the new content, reactions, edit and deletion,
 * keeping receipts it already knows beyond the event's; replies quoting it follow.
 */
export function replaceMessage(pages: MessagePages, message: Message): MessagePages {
  return mapMessages(pages, (m) => {
    if (m.id === message.id) {
      const receipts =
        rank[m.status] > rank[message.status]
          ? { status: m.status, deliveredTo: m.deliveredTo, readBy: m.readBy }
          : {};
      return { ...message, ...receipts };
    }
    if (m.replyTo?.id === message.id) {
      const quote = message.deleted ? '' : quoteOf(message.content);
      return { ...m, replyTo: { ...m.replyTo, content: quote, deleted: message.deleted } };
    }
    return m;
  });
}

export function removeMessage(pages: MessagePages, messageId: string): MessagePages {
  return mapPages(pages, (items) =>
    items.some((m) => m.id === messageId) ? items.filter((m) => m.id !== messageId) : items,
  );
}

export interface Receipt {
  messageIds: readonly string[];
  userId: string;
  status: 'delivered' | 'read';
  at: string;
}

/** Receipt lists in participant order, as the server lists them. */
function inParticipantOrder(message: Message, participants: readonly string[]): Message {
  const order = new Map(participants.map((id, index) => [id, index]));
  const at = (id: string) => order.get(id) ?? participants.length;
  const sorted = <T>(items: readonly T[], id: (item: T) => string) => {
    const next = [...items].sort((a, b) => at(id(a)) - at(id(b)));
    return next.every((item, i) => item === items[i]) ? null : next;
  };
  const deliveredTo = sorted(message.deliveredTo, (id) => id);
  const readBy = sorted(message.readBy, (r) => r.userId);
  if (!deliveredTo && !readBy) return message;
  return {
    ...message,
    deliveredTo: deliveredTo ?? message.deliveredTo,
    readBy: readBy ?? message.readBy,
  };
}

/** A `message.status` event: the user's receipt on those messages, then their status. */
export function applyReceipt(
  pages: MessagePages,
  receipt: Receipt,
  participants: readonly string[] | undefined,
): MessagePages {
  const ids = new Set(receipt.messageIds);
  const { userId } = receipt;
  return mapMessages(pages, (message) => {
    if (!ids.has(message.id)) return message;
    let updated = message;
    if (!updated.deliveredTo.includes(userId))
      updated = { ...updated, deliveredTo: [...updated.deliveredTo, userId] };
    if (receipt.status === 'read' && !updated.readBy.some((r) => r.userId === userId))
      updated = { ...updated, readBy: [...updated.readBy, { userId, readAt: receipt.at }] };
    if (participants)
      return withComputedStatus(inParticipantOrder(updated, participants), participants);
    // Unknown participants: in a direct chat the one receipt decides.
    return rank[receipt.status] > rank[updated.status]
      ? { ...updated, status: receipt.status }
      : updated;
  });
}

/**
 * After `chat.markRead` by `meId` (whose own devices get no event for it): their receipt on
 * every message from others up to `upTo`.
 */
export function markReadUpTo(
  pages: MessagePages,
  meId: string,
  upTo: Pick<Message, 'createdAt'>,
  at: string,
): MessagePages {
  return mapMessages(pages, (message) => {
    if (message.senderId === meId || message.createdAt > upTo.createdAt) return message;
    if (message.readBy.some((r) => r.userId === meId)) return message;
    return {
      ...message,
      deliveredTo: message.deliveredTo.includes(meId)
        ? message.deliveredTo
        : [...message.deliveredTo, meId],
      readBy: [...message.readBy, { userId: meId, readAt: at }],
    };
  });
}

/**
 * A member's position starts at the end of the conversation when they join, so they count
 * as having received and read everything before; the server gives no read time for it.
 */
export const JOINED_READ_AT = new Date(0).toISOString();

/**
 * The participants changed (members joined, left or were removed): receipts list only
 * current participants, those who joined have read what came before (see JOINED_READ_AT),
 * and the status follows.
 */
export function followParticipants(
  pages: MessagePages,
  before: readonly string[],
  participants: readonly string[],
): MessagePages {
  const current = new Set(participants);
  const joined = participants.filter((id) => !before.includes(id));
  return mapMessages(pages, (message) => {
    const newcomers = joined.filter((id) => id !== message.senderId);
    const deliveredTo = message.deliveredTo.filter((id) => current.has(id));
    const readBy = message.readBy.filter((r) => current.has(r.userId));
    const same =
      newcomers.length === 0 &&
      deliveredTo.length === message.deliveredTo.length &&
      readBy.length === message.readBy.length;
    const updated = same
      ? message
      : {
          ...message,
          deliveredTo: [...deliveredTo, ...newcomers.filter((id) => !deliveredTo.includes(id))],
          readBy: [
            ...readBy,
            ...newcomers
              .filter((id) => !readBy.some((r) => r.userId === id))
              .map((userId) => ({ userId, readAt: JOINED_READ_AT })),
          ],
        };
    return withComputedStatus(inParticipantOrder(updated, participants), participants);
  });
}
