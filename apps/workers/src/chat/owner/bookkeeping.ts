import { unreadCountOf } from '@chat/api';
import type { Participant } from '../views.js';

/**
 * How a participant's positions move (pure; the owner applies them to its state and
 * writes the changed fields). Invariant: `ownUnread` and `hiddenUnread` hold exactly the
 * seqs above `readSeq` of the member's own messages and of messages they deleted for
 * themselves, so unread = lastSeq − readSeq − both lengths.
 */

/** Read marks kept per member: each message's `readAt` comes from the first that reached it. */
const READ_MARKS_KEPT = 32;

/** The fields of a member document these functions change. */
export type PositionFields = Pick<
  Participant,
  'readSeq' | 'readMarks' | 'deliveredSeq' | 'ownUnread' | 'hiddenUnread'
>;

export const positionsOf = (p: Participant): PositionFields => ({
  readSeq: p.readSeq,
  readMarks: p.readMarks,
  deliveredSeq: p.deliveredSeq,
  ownUnread: p.ownUnread,
  hiddenUnread: p.hiddenUnread,
});

/**
 * The member sent the message at `seq` (the conversation's newest was `lastSeqBefore`).
 * Own messages never count as unread; sending doesn't mark others' messages read. When
 * nothing was unread (and nothing hidden), the read position simply moves to the new seq.
 */
export function afterOwnMessage(p: Participant, seq: number, lastSeqBefore: number): void {
  // Already applied (a repair after a crash may meet sends whose bookkeeping was written).
  if (seq <= p.readSeq || p.ownUnread.includes(seq)) return;
  if (unreadCountOf(lastSeqBefore, p) === 0 && p.hiddenUnread.length === 0) {
    p.readSeq = seq;
    p.ownUnread = [];
  } else {
    p.ownUnread = [...p.ownUnread, seq];
  }
}

/** Reads up to `seq` (never back). Returns whether anything changed. */
export function afterRead(p: Participant, seq: number, at: Date): boolean {
  if (seq <= p.readSeq) return false;
  p.readSeq = seq;
  p.readMarks = [...p.readMarks, { seq, at }].slice(-READ_MARKS_KEPT);
  p.ownUnread = p.ownUnread.filter((s) => s > seq);
  p.hiddenUnread = p.hiddenUnread.filter((s) => s > seq);
  return true;
}

/** Received up to `seq` (never back). Returns whether anything changed. */
export function afterDelivered(p: Participant, seq: number): boolean {
  if (seq <= Math.max(p.deliveredSeq, p.readSeq)) return false;
  p.deliveredSeq = seq;
  return true;
}

/** Deleted for themselves the message at `seq` sent by `senderId`: if unread, it stops counting. */
export function afterHidden(p: Participant, seq: number, senderId: string): boolean {
  if (senderId === p.userId || seq <= p.readSeq || p.hiddenUnread.includes(seq)) return false;
  p.hiddenUnread = [...p.hiddenUnread, seq].sort((a, b) => a - b);
  return true;
}
