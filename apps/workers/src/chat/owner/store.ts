import type { mongo } from 'mongoose';
import type { ChatModels } from '@chat/db';
import { isDuplicateKeyError } from '@chat/db';
import { Lane, type LaneOptions } from './lane.js';

/** A document update by `_id` with `$set` (the owner writes absolute values it holds). */
export interface SetById {
  _id: mongo.ObjectId;
  set: object;
}

export type InsertOutcome = 'stored' | 'duplicate';

/**
 * The owner's writes on the hot path, group-committed per collection: message inserts
 * (one insertMany per round, unordered so one duplicate doesn't stop the others) and
 * `$set`s of conversations and members (one bulkWrite per round), each lane lingering a
 * few milliseconds under load (see Lane). Native driver calls:
 * the owner builds complete documents itself, mongoose's casting would only cost CPU.
 */
export class ChatStore {
  readonly insertMessage: (doc: object) => Promise<InsertOutcome>;
  readonly setConversation: (update: SetById) => Promise<void>;
  readonly setMember: (update: SetById) => Promise<void>;

  constructor(models: ChatModels, lanes: LaneOptions = {}) {
    const messages = new Lane<object, InsertOutcome>(async (docs) => {
      try {
        await models.Message.collection.insertMany(docs, { ordered: false });
        return docs.map(() => 'stored' as const);
      } catch (err) {
        const failed = duplicateIndexes(err);
        if (!failed) throw err;
        return docs.map((_, i) => (failed.has(i) ? 'duplicate' : 'stored'));
      }
    }, lanes);
    const sets = (collection: {
      bulkWrite(
        ops: mongo.AnyBulkWriteOperation[],
        options: { ordered: boolean },
      ): Promise<unknown>;
    }) =>
      new Lane<SetById, void>(async (updates) => {
        await collection.bulkWrite(
          updates.map((u) => ({
            updateOne: { filter: { _id: u._id }, update: { $set: u.set } },
          })),
          { ordered: true },
        );
        return updates.map(() => undefined);
      }, lanes);
    const conversations = sets(models.Conversation.collection);
    const members = sets(models.Member.collection);
    this.insertMessage = (doc) => messages.push(doc);
    this.setConversation = (u) => conversations.push(u);
    this.setMember = (u) => members.push(u);
  }
}

/** The indexes of the documents a bulk insert refused as duplicates; null if it failed otherwise. */
function duplicateIndexes(err: unknown): Set<number> | null {
  const writeErrors = (err as { writeErrors?: unknown }).writeErrors;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  if (list.length === 0) return null;
  const failed = new Set<number>();
  for (const e of list as Array<{ index?: number; code?: number; err?: { code?: number } }>) {
    const code = e.code ?? e.err?.code;
    if (!isDuplicateKeyError({ code }) || typeof e.index !== 'number') return null;
    failed.add(e.index);
  }
  return failed;
}
