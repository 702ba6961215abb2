import { RECEIPT_LISTS_MAX_PARTICIPANTS } from '../limits.js';
import type { Message, MessageStatus } from '../schemas/chat.js';

/**
 * docs/api.md: `read` when every other participant read it, `delivered` when every other
 * participant received it (reading implies receiving), else `sent` — also when nobody else
 * is in the conversation. The one rule, for the server's views and for clients that apply
 * `message.status` events to what they hold.
 */
export function statusOf(
  message: Pick<Message, 'senderId' | 'deliveredTo' | 'readBy'>,
  participants: readonly string[],
): MessageStatus {
  const others = participants.filter((p) => p !== message.senderId);
  if (others.length === 0) return 'sent';
  const readers = new Set(message.readBy.map((r) => r.userId));
  if (others.every((p) => readers.has(p))) return 'read';
  const delivered = new Set(message.deliveredTo);
  return others.every((p) => delivered.has(p) || readers.has(p)) ? 'delivered' : 'sent';
}

/** How far one participant has received and read a conversation (seqs). */
export interface ReceiptPosition {
  userId: string;
  readSeq: number;
  deliveredSeq: number;
  /** Read positions with their times, oldest first; the newest has `seq === readSeq`. */
  readMarks: ReadonlyArray<{ seq: number; at: Date }>;
}

export interface Receipts {
  status: MessageStatus;
  deliveredTo: string[];
  readBy: { userId: string; readAt: string }[];
}

/** When `p` read the message at `seq`: the time of the first read mark that reached it. */
function readAtOf(p: ReceiptPosition, seq: number): string {
  const mark = p.readMarks.find((m) => m.seq >= seq) ?? p.readMarks.at(-1);
  return (mark?.at ?? new Date(0)).toISOString();
}

/**
 * The receipts of the message at `seq` sent by `senderId`, from every current participant's
 * positions (in participant order). Lists are left empty above RECEIPT_LISTS_MAX_PARTICIPANTS.
 */
export function receiptsAt(
  seq: number,
  senderId: string,
  participants: readonly ReceiptPosition[],
): Receipts {
  const lists = participants.length <= RECEIPT_LISTS_MAX_PARTICIPANTS;
  const deliveredTo: string[] = [];
  const readBy: Receipts['readBy'] = [];
  let others = 0;
  let delivered = 0;
  let read = 0;
  for (const p of participants) {
    if (p.userId === senderId) continue;
    others++;
    if (p.readSeq >= seq) {
      read++;
      delivered++;
      if (lists) {
        deliveredTo.push(p.userId);
        readBy.push({ userId: p.userId, readAt: readAtOf(p, seq) });
      }
    } else if (p.deliveredSeq >= seq) {
      delivered++;
      if (lists) deliveredTo.push(p.userId);
    }
  }
  const status: MessageStatus =
    others === 0 ? 'sent' : read === others ? 'read' : delivered === others ? 'delivered' : 'sent';
  return { status, deliveredTo, readBy };
}

/** Never negative; see the member model for why this arithmetic is exact. */
export function unreadCountOf(
  lastSeq: number,
  member: {
    readSeq: number;
    ownUnread: readonly number[];
    ownUnreadOlder?: number;
    hiddenUnread: readonly number[];
    hiddenUnreadOlder?: number;
  },
): number {
  return Math.max(
    0,
    lastSeq -
      member.readSeq -
      member.ownUnread.length -
      (member.ownUnreadOlder ?? 0) -
      member.hiddenUnread.length -
      (member.hiddenUnreadOlder ?? 0),
  );
}
