import type {
  Conversation,
  ConversationState,
  Message,
  MessageState,
  MessageStatus,
  MessageType,
} from '@chat/api';

/** A conversation document as read with `.lean<ConversationRow>()`. */
export interface ConversationRow {
  _id: { toString(): string };
  type: 'direct' | 'group';
  key: string;
  participants: string[];
  groupId?: string | null;
  groupName?: string | null;
  groupAvatar?: string | null;
  seq: number;
  lastSeq?: number;
  lastMessage?: {
    id: string;
    content: string;
    senderId: string;
    type: string;
    createdAt: Date;
  } | null;
  /** userId → unread count. */
  unread?: Record<string, number>;
  /** userId → highest seq that user has read. */
  readUpTo?: Record<string, number>;
  pendingSeqs?: number[];
  announced?: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** A message document as read with `.lean<MessageRow>()`. */
export interface MessageRow {
  _id: { toString(): string };
  conversationId: string;
  seq: number;
  senderId: string;
  clientId: string;
  content: string;
  type: MessageType;
  deliveredTo?: string[];
  readers?: string[];
  readBy?: { userId: string; readAt: Date }[];
  deletedFor?: string[];
  createdAt: Date;
}

const iso = (d: Date | string) => new Date(d).toISOString();

function lastMessageOf(row: ConversationRow): Conversation['lastMessage'] {
  const m = row.lastMessage;
  if (!m) return null;
  return {
    id: m.id,
    content: m.content,
    senderId: m.senderId,
    type: m.type as MessageType,
    createdAt: iso(m.createdAt),
  };
}

function groupOf(row: ConversationRow): Conversation['group'] {
  if (row.type !== 'group' || !row.groupId) return null;
  return { id: row.groupId, name: row.groupName ?? '', avatar: row.groupAvatar ?? null };
}

/** The unread count of `userId` as stored (never negative). */
export const unreadOf = (row: ConversationRow, userId: string): number =>
  Math.max(0, row.unread?.[userId] ?? 0);

/** The API Conversation as `viewerId` sees it (their own unreadCount). */
export function toConversation(row: ConversationRow, viewerId: string): Conversation {
  return {
    id: row._id.toString(),
    type: row.type,
    participants: [...row.participants],
    group: groupOf(row),
    lastMessage: lastMessageOf(row),
    unreadCount: unreadOf(row, viewerId),
    updatedAt: iso(row.updatedAt),
  };
}

/** The conversation for events on the bus: unread counts of every participant. */
export function conversationState(row: ConversationRow): ConversationState {
  return {
    id: row._id.toString(),
    type: row.type,
    participants: [...row.participants],
    group: groupOf(row),
    lastMessage: lastMessageOf(row),
    unread: Object.fromEntries(row.participants.map((p) => [p, unreadOf(row, p)])),
    updatedAt: iso(row.updatedAt),
  };
}

/** Message fields every viewer shares (for events). */
export function messageState(row: MessageRow): MessageState {
  return {
    id: row._id.toString(),
    conversationId: row.conversationId,
    senderId: row.senderId,
    clientId: row.clientId,
    content: row.content,
    type: row.type,
    deliveredTo: [...(row.deliveredTo ?? [])],
    readBy: (row.readBy ?? []).map((r) => ({ userId: r.userId, readAt: iso(r.readAt) })),
    createdAt: iso(row.createdAt),
  };
}

/**
 * `read` when every other current participant read it, `delivered` when every other one
 * received it, else `sent` (also when nobody else is left in the conversation).
 */
export function messageStatus(
  state: Pick<MessageState, 'senderId' | 'deliveredTo' | 'readBy'>,
  participants: string[],
): MessageStatus {
  const others = participants.filter((p) => p !== state.senderId);
  if (others.length === 0) return 'sent';
  const readers = new Set(state.readBy.map((r) => r.userId));
  if (others.every((p) => readers.has(p))) return 'read';
  const delivered = new Set(state.deliveredTo);
  if (others.every((p) => delivered.has(p) || readers.has(p))) return 'delivered';
  return 'sent';
}

/** The API Message, its status computed against the conversation's current participants. */
export function toMessage(row: MessageRow, participants: string[]): Message {
  const state = messageState(row);
  return { ...state, status: messageStatus(state, participants) };
}
