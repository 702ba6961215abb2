import type { mongo } from 'mongoose';
import { chunkOf, type ChatModels } from '@chat/db';

/**
 * Moves stored messages down so that their seqs follow `afterSeq` with no gap, lowest first
 * (so each target seq is free). Only for messages nobody has been shown yet: those of a
 * batch whose other inserts were refused (send.ts), or whose insert failed with some of its
 * documents stored (repair.ts). Updates the given documents in place; returns how many moved.
 */
export async function closeGaps(
  models: ChatModels,
  conversationId: string,
  afterSeq: number,
  messages: Array<{ _id: mongo.ObjectId; seq: number; chunk?: string }>,
): Promise<number> {
  let seq = afterSeq;
  let moved = 0;
  for (const message of [...messages].sort((a, b) => a.seq - b.seq)) {
    seq++;
    if (message.seq === seq) continue;
    const chunk = chunkOf(conversationId, seq);
    await models.Message.collection.updateOne({ _id: message._id }, { $set: { seq, chunk } });
    message.seq = seq;
    message.chunk = chunk;
    moved++;
  }
  return moved;
}
