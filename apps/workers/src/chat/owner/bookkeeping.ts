import { unreadCountOf } from '@chat/api';
import type { Participant } from '../views.js';

/**
 * How a participant's positions move (pure; the owner applies them to its state and
 * writes the changed fields). Invariant: `ownUnread` holds the newest (at most
 * OWN_UNREAD_KEPT) seqs above `readSeq` of the member's own messages, ascending, and
 * `ownUnreadOlder` counts the rest of them (a read settles the count exactly: it loads the
 * messages it passes); `hiddenUnread` holds the newest (at most HIDDEN_UNREAD_KEPT) seqs
 * above `readSeq` of others' messages they deleted for themselves, and `hiddenUnreadOlder`
 * counts the rest (all older than the listed ones, settled by reads the same way). So
 * unread = lastSeq − readSeq − all four.
 */

/** Read marks kept per member: each message's `readAt` comes from the first that reached it. */
const READ_MARKS_KEPT = 32;

/**
 * Own unread seqs listed per member. Reads settle the count from the messages they pass, so
 * only the newest is needed: it tells a send applied again (a repair) from a new one. A
 * longer list bought nothing and cost every send: it rides in the conversation's update
 * (sender marks), and the dev store re-reads and rewrites that document per write.
 */
export const OWN_UNREAD_KEPT = 1;

/**
 * Hidden unread seqs listed per member: each `chat.deleteForMe` of an unread message would
 * otherwise add one, without end. Listed ones tell a repeated hide from a new one exactly.
 */
export const HIDDEN_UNREAD_KEPT = 32;

/** The fields of a member document these functions change. */
export type PositionFields = Pick<
  Participant,
  | 'readSeq'
  | 'readMarks'
  | 'deliveredSeq'
  | 'ownUnread'
  | 'ownUnreadOlder'
  | 'hiddenUnread'
  | 'hiddenUnreadOlder'
>;

export const positionsOf = (p: Participant): PositionFields => ({
  readSeq: p.readSeq,
  readMarks: p.readMarks,
  deliveredSeq: p.deliveredSeq,
  ownUnread: p.ownUnread,
  ownUnreadOlder: p.ownUnreadOlder,
  hiddenUnread: p.hiddenUnread,
  hiddenUnreadOlder: p.hiddenUnreadOlder,
});

/**
 * The member sent the message at `seq` (the conversation's newest was `lastSeqBefore`).
 * Own messages never count as unread; sending doesn't mark others' messages read. When
 * nothing was unread (and nothing hidden), the read position simply moves to the new seq.
 */
export function afterOwnMessage(p: Participant, seq: number, lastSeqBefore: number): void {
  // Already applied (a repair after a crash may meet sends whose bookkeeping was written):
  // sends are applied in seq order, so an own seq at or below the newest listed one was.
  if (seq <= p.readSeq || seq <= (p.ownUnread.at(-1) ?? 0)) return;
  if (
    unreadCountOf(lastSeqBefore, p) === 0 &&
    p.hiddenUnread.length === 0 &&
    p.hiddenUnreadOlder === 0
  ) {
    p.readSeq = seq;
    p.ownUnread = [];
    p.ownUnreadOlder = 0;
  } else {
    const listed = [...p.ownUnread, seq];
    const dropped = Math.max(0, listed.length - OWN_UNREAD_KEPT);
    p.ownUnread = listed.slice(dropped);
    p.ownUnreadOlder += dropped;
  }
}

/**
 * Reads up to `seq` (never back); `ownRead` is how many of the member's own messages, and
 * `hiddenRead` how many of others' messages they deleted for themselves, have seqs in
 * (readSeq, seq] — the caller has those messages at hand, and the ones no longer listed
 * can't be told apart otherwise. Returns whether anything changed.
 */
export function afterRead(
  p: Participant,
  seq: number,
  at: Date,
  ownRead: number,
  hiddenRead: number,
): boolean {
  if (seq <= p.readSeq) return false;
  const ownUnread = p.ownUnread.filter((s) => s > seq);
  const hiddenUnread = p.hiddenUnread.filter((s) => s > seq);
  p.readSeq = seq;
  p.readMarks = [...p.readMarks, { seq, at }].slice(-READ_MARKS_KEPT);
  p.ownUnreadOlder = Math.max(
    0,
    p.ownUnreadOlder - (ownRead - (p.ownUnread.length - ownUnread.length)),
  );
  p.ownUnread = ownUnread;
  p.hiddenUnreadOlder = Math.max(
    0,
    p.hiddenUnreadOlder - (hiddenRead - (p.hiddenUnread.length - hiddenUnread.length)),
  );
  p.hiddenUnread = hiddenUnread;
  return true;
}

/** Received up to `seq` (never back). Returns whether anything changed. */
export function afterDelivered(p: Participant, seq: number): boolean {
  if (seq <= Math.max(p.deliveredSeq, p.readSeq)) return false;
  p.deliveredSeq = seq;
  return true;
}

/**
 * Deleted for themselves the message at `seq` sent by `senderId`: if unread, it stops
 * counting. `wasHidden`: the message already was (a repeated call, or a retry after a crash
 * between the message's write and this member's). Counted hides are all listed while the
 * list has room, and all those above its oldest entry when it is full; an older one already
 * hidden can't be told apart and is taken as counted (if it wasn't — that crash — the count
 * is one high until reads pass every unlisted one). Returns whether anything changed.
 */
export function afterHidden(
  p: Participant,
  seq: number,
  senderId: string,
  wasHidden: boolean,
): boolean {
  if (senderId === p.userId || seq <= p.readSeq || p.hiddenUnread.includes(seq)) return false;
  const full = p.hiddenUnread.length >= HIDDEN_UNREAD_KEPT;
  const oldest = p.hiddenUnread[0] ?? 0;
  if (full && seq < oldest) {
    if (wasHidden) return false;
    p.hiddenUnreadOlder += 1;
    return true;
  }
  const listed = [...p.hiddenUnread, seq].sort((a, b) => a - b);
  const dropped = Math.max(0, listed.length - HIDDEN_UNREAD_KEPT);
  p.hiddenUnread = listed.slice(dropped);
  p.hiddenUnreadOlder += dropped;
  return true;
}
