import type { FileUrlSigner } from '@chat/files';
import {
  receiptsAt,
  type Attachment,
  type Conversation,
  type Group,
  type GroupRole,
  type Message,
  type ReceiptPosition,
  type ReplyPreview,
} from '@chat/api';
import type { AttachmentRow, ConversationRow, MemberRow, MessageRow, SenderMark } from '@chat/db';
import { unreadCountOf } from '@chat/api';

/** A participant as views need them: role, positions, personal settings. */
export interface Participant extends ReceiptPosition {
  /** The member document's id: creation order breaks ties of `joinedAt`. */
  docId: string;
  role: GroupRole;
  joinedAt: Date;
  ownUnread: readonly number[];
  ownUnreadOlder: number;
  hiddenUnread: readonly number[];
  hiddenUnreadOlder: number;
  mutedUntil: Date | null;
  /** The rev of the positions above (the member document's, or a newer sender mark's). */
  marksRev: number;
}

/**
 * A participant as the member document has them: right for receipts (a send's own-message
 * marks change no message's status), not for their own unread count — `participantsOf`.
 */
export const participantOf = (row: MemberRow): Participant => ({
  docId: row._id.toString(),
  userId: row.userId,
  role: row.role,
  joinedAt: row.joinedAt,
  readSeq: row.readSeq,
  deliveredSeq: row.deliveredSeq,
  readMarks: (row.readMarks ?? []).map((m) => ({ seq: m.seq ?? 0, at: m.at ?? new Date(0) })),
  ownUnread: row.ownUnread ?? [],
  ownUnreadOlder: row.ownUnreadOlder ?? 0,
  hiddenUnread: row.hiddenUnread ?? [],
  hiddenUnreadOlder: row.hiddenUnreadOlder ?? 0,
  mutedUntil: row.mutedUntil ?? null,
  marksRev: row.marksRev ?? 0,
});

/**
 * The conversation's participants with its sender marks applied: an entry newer than the
 * member document's positions replaces `readSeq` and the own-unread marks (all a send changes), in
 * join order.
 */
export function participantsOf(
  row: Pick<ConversationRow, 'senderMarks'>,
  members: readonly MemberRow[],
): Participant[] {
  const marks = new Map<string, SenderMark>();
  for (const m of row.senderMarks ?? []) marks.set(m.userId, m);
  return inJoinOrder(
    members.map((member) => {
      const p = participantOf(member);
      const mark = marks.get(p.userId);
      if (mark && mark.rev > p.marksRev) {
        p.readSeq = mark.readSeq;
        p.ownUnread = mark.ownUnread;
        p.ownUnreadOlder = mark.ownUnreadOlder ?? 0;
        p.marksRev = mark.rev;
      }
      return p;
    }),
  );
}

/** Participants in a stable order: who joined first, first; one batch in the order added. */
export function inJoinOrder<T extends { docId: string; joinedAt: Date }>(members: T[]): T[] {
  return [...members].sort(
    (a, b) =>
      a.joinedAt.getTime() - b.joinedAt.getTime() ||
      (a.docId < b.docId ? -1 : a.docId > b.docId ? 1 : 0),
  );
}

const iso = (d: Date | string) => new Date(d).toISOString();

/** What a conversation looks like to anyone, before the viewer's own unread count and mute. */
export function conversationBase(
  row: ConversationRow,
  participants: readonly { userId: string }[],
): Omit<Conversation, 'unreadCount' | 'mutedUntil'> {
  const ids = participants.map((p) => p.userId);
  const m = row.lastMessage;
  return {
    id: row._id.toString(),
    type: row.type,
    participants: row.type === 'direct' ? [...ids].sort() : ids,
    group:
      row.type === 'group'
        ? { id: row._id.toString(), name: row.name ?? '', avatar: row.avatar ?? null }
        : null,
    lastMessage: m
      ? {
          id: m.id,
          content: m.content,
          senderId: m.senderId,
          type: m.type,
          createdAt: iso(m.createdAt),
        }
      : null,
    updatedAt: iso(row.updatedAt),
  };
}

/** The API Conversation as `viewer` sees it (their own unread count). */
export function toConversation(
  row: ConversationRow,
  participants: readonly Participant[],
  viewer: Participant,
): Conversation {
  return {
    ...conversationBase(row, participants),
    unreadCount: unreadCountOf(row.lastSeq, viewer),
    mutedUntil: mutedUntilOf(viewer),
  };
}

/** A participant's mute as answers show it: null when not muted (any more). */
export function mutedUntilOf(p: Pick<Participant, 'mutedUntil'>, now = Date.now()): string | null {
  return p.mutedUntil && p.mutedUntil.getTime() > now ? p.mutedUntil.toISOString() : null;
}

/** The stored fields of a message a view needs. */
export type MessageFields = Pick<
  MessageRow,
  '_id' | 'conversationId' | 'seq' | 'senderId' | 'clientId' | 'content' | 'type' | 'createdAt'
> & {
  attachments?: readonly StoredAttachment[] | null | undefined;
  replyTo?: ReplyPreview | null | undefined;
  reactions?: ReadonlyArray<{ emoji: string; userIds: string[] }> | null | undefined;
  editedAt?: Date | null | undefined;
  deleted?: boolean | null | undefined;
};

/** An attachment as a message stores it (a copy of its upload's record). */
export interface StoredAttachment {
  id: string;
  name: string;
  size: number;
  mime: string;
  kind: Attachment['kind'];
  width?: number | null | undefined;
  height?: number | null | undefined;
  durationMs?: number | null | undefined;
  thumbnail: boolean;
}

/** What a message keeps of an upload it claimed. */
export const storedAttachmentOf = (row: AttachmentRow): StoredAttachment => ({
  id: row._id.toString(),
  name: row.name,
  size: row.size,
  mime: row.mime,
  kind: row.kind,
  width: row.width ?? null,
  height: row.height ?? null,
  durationMs: row.durationMs ?? null,
  thumbnail: row.thumbnail,
});

/** The API Attachment, with freshly signed URLs. */
export const toAttachment = (a: StoredAttachment, urls: FileUrlSigner): Attachment => ({
  id: a.id,
  name: a.name,
  size: a.size,
  mime: a.mime,
  kind: a.kind,
  width: a.width ?? null,
  height: a.height ?? null,
  durationMs: a.durationMs ?? null,
  url: urls.url(a.id, 'file'),
  thumbnailUrl: a.thumbnail ? urls.url(a.id, 'thumbnail') : null,
});

/** The API Message: receipts and status from the participants' current positions. */
export function toMessage(
  row: MessageFields,
  participants: readonly ReceiptPosition[],
  urls: FileUrlSigner,
): Message {
  return {
    id: row._id.toString(),
    conversationId: row.conversationId,
    senderId: row.senderId,
    clientId: row.clientId,
    content: row.content ?? '',
    type: row.type,
    ...receiptsAt(row.seq, row.senderId, participants),
    attachments: (row.attachments ?? []).map((a) => toAttachment(a, urls)),
    replyTo: row.replyTo
      ? {
          id: row.replyTo.id,
          senderId: row.replyTo.senderId,
          content: row.replyTo.deleted ? '' : row.replyTo.content,
          type: row.replyTo.type,
          deleted: row.replyTo.deleted,
        }
      : null,
    reactions: (row.reactions ?? [])
      .filter((r) => r.userIds.length > 0)
      .map((r) => ({ emoji: r.emoji, count: r.userIds.length, userIds: [...r.userIds] })),
    editedAt: row.editedAt ? iso(row.editedAt) : null,
    deleted: row.deleted ?? false,
    createdAt: iso(row.createdAt),
  };
}

/** A group is its conversation: one id. */
export function toGroup(row: ConversationRow, participants: readonly Participant[]): Group {
  const id = row._id.toString();
  return {
    id,
    name: row.name ?? '',
    description: row.description ?? '',
    avatar: row.avatar ?? null,
    creatorId: row.creatorId ?? '',
    conversationId: id,
    members: participants.map((p) => ({
      userId: p.userId,
      role: p.role,
      joinedAt: iso(p.joinedAt),
    })),
    createdAt: iso(row.createdAt),
  };
}
