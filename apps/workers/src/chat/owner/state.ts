import {
  chunkOf,
  MESSAGE_CHUNK_SIZE,
  type ChatModels,
  type ConversationRow,
  type SenderMark,
} from '@chat/db';
import { isObjectId } from '../ids.js';
import { participantsOf, type MessageFields, type Participant } from '../views.js';
import { afterOwnMessage, positionsOf, type PositionFields } from './bookkeeping.js';

/** What the owner remembers of one message: enough for receipts and idempotent sends. */
export interface MessageMeta extends MessageFields {
  deletedFor: string[];
  /** Memory only: this owner saw its `message.sent` confirmed (a retried send needn't repeat it). */
  announced?: boolean;
}

/** Messages kept in memory per conversation (the newest), for receipts and retried sends. */
const RECENT_MESSAGES = 512;

/**
 * Sender marks kept in the conversation document (conversation.ts): a direct chat needs 2;
 * a busy group's oldest go to their member documents, so the document stays small.
 */
const SENDER_MARKS_KEPT = 16;

/**
 * One conversation as its owner holds it: the document, every participant (in join order)
 * and the newest messages. Only the owner writes the conversation, so this copy is the
 * truth while the owner lives; it is loaded from the store on first use and after the owner
 * may have been replaced (see engine.ts).
 */
export class ConversationState {
  readonly id: string;
  readonly recent = new Map<number, MessageMeta>();
  private readonly recentIds = new Map<string, number>();
  private readonly recentClientIds = new Map<string, number>();
  /** Members whose positions the conversation document's sender marks hold → their rev. */
  private readonly marked: Map<string, number>;
  /** The highest rev given to any positions of this conversation. */
  private rev: number;

  constructor(
    public row: ConversationRow,
    readonly members: Map<string, Participant>,
    readonly generation: number,
  ) {
    this.id = row._id.toString();
    // Marks still in force are those the members' merged positions came from (participantsOf:
    // revs are unique per conversation), oldest first.
    const inForce = (row.senderMarks ?? []).filter(
      (m) => members.get(m.userId)?.marksRev === m.rev,
    );
    this.marked = new Map(inForce.sort((a, b) => a.rev - b.rev).map((m) => [m.userId, m.rev]));
    this.rev = Math.max(
      0,
      ...[...members.values()].map((p) => p.marksRev),
      ...(row.senderMarks ?? []).map((m) => m.rev),
    );
  }

  /** A rev above every one given before (positions written later win). */
  nextRev(): number {
    return ++this.rev;
  }

  /**
   * The member's positions for a write to their member document, with a new rev: from now
   * on the document, not a sender mark, holds them.
   */
  positionsToWrite(p: Participant): PositionFields & { marksRev: number } {
    p.marksRev = this.nextRev();
    this.marked.delete(p.userId);
    return { ...positionsOf(p), marksRev: p.marksRev };
  }

  /**
   * These members sent: their positions go into the sender marks with a new rev. Returns
   * the members whose marks no longer fit (the least recently marked), whose positions must
   * be written to their member documents before the conversation document drops them.
   */
  markSenders(userIds: Iterable<string>): Participant[] {
    for (const userId of userIds) {
      const p = this.members.get(userId);
      if (!p) continue;
      p.marksRev = this.nextRev();
      this.marked.delete(userId); // re-inserted last: the map stays ordered by rev
      this.marked.set(userId, p.marksRev);
    }
    const evicted: Participant[] = [];
    for (const userId of this.marked.keys()) {
      if (this.marked.size - evicted.length <= SENDER_MARKS_KEPT) break;
      evicted.push(this.members.get(userId)!);
    }
    return evicted;
  }

  /** The sender marks as the conversation document stores them. */
  get senderMarks(): SenderMark[] {
    const marks: SenderMark[] = [];
    for (const [userId, rev] of this.marked) {
      const p = this.members.get(userId);
      if (p)
        marks.push({
          userId,
          readSeq: p.readSeq,
          ownUnread: [...p.ownUnread],
          ownUnreadOlder: p.ownUnreadOlder,
          rev,
        });
    }
    return marks;
  }

  /** The member left: their mark (if any) goes with them. */
  forget(userId: string): void {
    this.members.delete(userId);
    this.marked.delete(userId);
  }

  get participants(): Participant[] {
    return [...this.members.values()];
  }

  get lastSeq(): number {
    return this.row.lastSeq;
  }

  /**
   * A stored message becomes the conversation's newest: the sender's positions, `lastSeq`,
   * `lastMessage` and `updatedAt` follow. Returns the sender (unless they left since).
   */
  applyStored(message: MessageMeta): Participant | undefined {
    const sender = this.members.get(message.senderId);
    if (sender) afterOwnMessage(sender, message.seq, this.lastSeq);
    this.remember(message);
    this.row.lastSeq = message.seq;
    this.row.lastMessage = {
      id: message._id.toString(),
      content: message.content,
      senderId: message.senderId,
      type: message.type,
      createdAt: message.createdAt,
    };
    this.row.updatedAt = message.createdAt;
    return sender;
  }

  remember(message: MessageMeta): void {
    this.recent.set(message.seq, message);
    this.recentIds.set(message._id.toString(), message.seq);
    this.recentClientIds.set(clientKey(message.senderId, message.clientId), message.seq);
    if (this.recent.size <= RECENT_MESSAGES) return;
    const oldest = Math.min(...this.recent.keys());
    const gone = this.recent.get(oldest)!;
    this.recent.delete(oldest);
    this.recentIds.delete(gone._id.toString());
    this.recentClientIds.delete(clientKey(gone.senderId, gone.clientId));
  }

  byId(id: string): MessageMeta | undefined {
    const seq = this.recentIds.get(id);
    return seq === undefined ? undefined : this.recent.get(seq);
  }

  byClientId(senderId: string, clientId: string): MessageMeta | undefined {
    const seq = this.recentClientIds.get(clientKey(senderId, clientId));
    return seq === undefined ? undefined : this.recent.get(seq);
  }
}

const clientKey = (senderId: string, clientId: string) => `${senderId}\u0000${clientId}`;

/** The messages with seq > `afterSeq`, oldest first (chunk by chunk: equality reads only). */
export async function messagesAfter(
  models: ChatModels,
  conversationId: string,
  afterSeq: number,
): Promise<MessageMeta[]> {
  const found: MessageMeta[] = [];
  for (let chunk = Math.floor((afterSeq + 1) / MESSAGE_CHUNK_SIZE); ; chunk++) {
    const rows = await models.Message.find({
      chunk: chunkOf(conversationId, chunk * MESSAGE_CHUNK_SIZE),
    }).lean<MessageMeta[]>();
    const newer = rows.filter((r) => r.seq > afterSeq);
    found.push(...newer);
    // A chunk with room left is the last one written.
    if (rows.length < MESSAGE_CHUNK_SIZE) break;
  }
  return found.sort((a, b) => a.seq - b.seq);
}

/** The messages with seq in (`fromSeq`, `toSeq`], oldest first. */
export async function messagesBetween(
  models: ChatModels,
  conversationId: string,
  fromSeq: number,
  toSeq: number,
): Promise<MessageMeta[]> {
  if (toSeq <= fromSeq) return [];
  const first = Math.floor((fromSeq + 1) / MESSAGE_CHUNK_SIZE);
  const last = Math.floor(toSeq / MESSAGE_CHUNK_SIZE);
  const chunks = await Promise.all(
    Array.from({ length: last - first + 1 }, (_, i) =>
      models.Message.find({
        chunk: chunkOf(conversationId, (first + i) * MESSAGE_CHUNK_SIZE),
      }).lean<MessageMeta[]>(),
    ),
  );
  return chunks
    .flat()
    .filter((m) => m.seq > fromSeq && m.seq <= toSeq)
    .sort((a, b) => a.seq - b.seq);
}

/** Reads a conversation and its participants from the store; null if it does not exist. */
export async function readConversation(
  models: ChatModels,
  conversationId: string,
): Promise<{ row: ConversationRow; members: Participant[] } | null> {
  if (!isObjectId(conversationId)) return null;
  const [row, members] = await Promise.all([
    models.Conversation.findById(conversationId).lean<ConversationRow>(),
    models.Member.find({ conversationId }).lean(),
  ]);
  if (!row) return null;
  return { row, members: participantsOf(row, members) };
}
