/**
 * The benchmark's data: a `messages`-like collection with the app's two unique indexes
 * plus `seqBlock` (the flat history-page shape measured here), and a `members`-like
 * collection. `probe` is a conversation of exactly PROBE_MESSAGES messages that every
 * checkpoint reads; the background fill spreads over CONVERSATIONS conversations.
 */
import { randomUUID } from 'node:crypto';
import { mongo } from 'mongoose';

export const CONVERSATIONS = 500;
export const PROBE = 'probe';
export const PROBE_MESSAGES = 2_000;
/** Messages per `seqBlock`: a history page of 50 reads at most two blocks. */
export const BLOCK = 50;
/** One `members` row per this many background messages. */
export const MESSAGES_PER_MEMBER = 10;
const MEMBERS_PER_GROUP = 50;

export interface Message {
  _id: mongo.ObjectId;
  conversationId: string;
  seq: number;
  seqBlock: string;
  senderId: string;
  clientId: string;
  content: string;
  type: 'text';
  deliveredTo: string[];
  readers: string[];
  readBy: { userId: string; readAt: Date }[];
  deletedFor: string[];
  createdAt: Date;
}

export interface Member {
  conversationId: string;
  userId: string;
}

export const seqBlock = (conversationId: string, seq: number) =>
  `${conversationId}:${Math.floor(seq / BLOCK)}`;

export function message(conversationId: string, seq: number, senderId: string): Message {
  return {
    _id: new mongo.ObjectId(),
    conversationId,
    seq,
    seqBlock: seqBlock(conversationId, seq),
    senderId,
    clientId: randomUUID(),
    content: `message ${seq} in ${conversationId}: the quick brown fox jumps over the lazy dog`,
    type: 'text',
    deliveredTo: [],
    readers: [],
    readBy: [],
    deletedFor: [],
    createdAt: new Date(),
  };
}

export async function createCollections(db: mongo.Db) {
  const messages = db.collection<Message>('messages');
  const members = db.collection<Member>('members');
  await messages.createIndex({ clientId: 1, senderId: 1 }, { unique: true });
  await messages.createIndex({ conversationId: 1, seq: -1 }, { unique: true });
  await messages.createIndex({ seqBlock: 1 });
  await members.createIndex({ conversationId: 1, userId: 1 }, { unique: true });
  await members.createIndex({ userId: 1 });
  return { messages, members };
}

/** Background messages and members, generated in order; keeps a sample of stored keys. */
export class Fill {
  stored = 0;
  private members = 0;
  private readonly seqs = new Map<string, number>();
  readonly sampled: Message[] = [];

  constructor(
    private readonly messages: mongo.Collection<Message>,
    private readonly memberRows: mongo.Collection<Member>,
  ) {}

  /** Inserts background messages until `target` are stored, `batch` per insertMany. */
  async growTo(target: number, batch = 1_000) {
    while (this.stored < target) {
      const docs: Message[] = [];
      const rows: Member[] = [];
      for (let i = 0; i < Math.min(batch, target - this.stored); i++) {
        const n = this.stored + i;
        const conversationId = `c${n % CONVERSATIONS}`;
        const seq = (this.seqs.get(conversationId) ?? 0) + 1;
        this.seqs.set(conversationId, seq);
        docs.push(message(conversationId, seq, `u${(n % CONVERSATIONS) * 2 + (seq % 2)}`));
        if (n % MESSAGES_PER_MEMBER === 0) {
          const m = this.members++;
          rows.push({ conversationId: `g${Math.floor(m / MEMBERS_PER_GROUP)}`, userId: `m${m}` });
        }
      }
      await this.messages.insertMany(docs, { ordered: false });
      if (rows.length) await this.memberRows.insertMany(rows, { ordered: false });
      this.stored += docs.length;
      this.keepSample(docs);
    }
  }

  /** Reservoir sample of 1,000 stored messages, so probes hit random old rows. */
  private keepSample(docs: Message[]) {
    for (const doc of docs) {
      if (this.sampled.length < 1_000) this.sampled.push(doc);
      else if (Math.random() < 1_000 / this.stored) {
        this.sampled[Math.floor(Math.random() * 1_000)] = doc;
      }
    }
  }
}

/** The probe conversation (PROBE_MESSAGES messages) and a probe member row. */
export async function insertProbe(
  messages: mongo.Collection<Message>,
  members: mongo.Collection<Member>,
) {
  const docs = Array.from({ length: PROBE_MESSAGES }, (_, i) =>
    message(PROBE, i + 1, i % 2 ? 'probe-a' : 'probe-b'),
  );
  await messages.insertMany(docs);
  await members.insertOne({ conversationId: PROBE, userId: 'probe-a' });
  return docs;
}
