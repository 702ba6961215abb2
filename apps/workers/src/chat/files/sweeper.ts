import type { Redis } from 'ioredis';
import type { Logger } from '@chat/core';
import { redisKeys, UPLOAD_UNUSED_TTL_MS } from '@chat/api';
import type { AttachmentRow, ChatModels } from '@chat/db';
import type { FileStore } from '@chat/files';

export interface SweeperDeps {
  models: ChatModels;
  files: FileStore;
  redis: Redis;
  log: Logger;
}

/** Keys of an upload's bytes in the file store. */
export const storageKeys = (fileId: string) => [fileId, `${fileId}.thumb`];

/**
 * Deletes one round of uploads that no message claimed within UPLOAD_UNUSED_TTL_MS (and
 * those whose upload never finished): bytes first, then the record, so a crash in between
 * leaves a record the next round finds again. Sends refuse uploads older than 23 h, so a
 * claim never races with this. Returns how many it deleted.
 */
export async function sweepUnusedUploads(
  { models, files, log }: SweeperDeps,
  now = Date.now(),
  batch = 500,
): Promise<number> {
  const cutoff = new Date(now - UPLOAD_UNUSED_TTL_MS);
  const stale = await models.Attachment.find({ claimedBy: null, createdAt: { $lt: cutoff } })
    .limit(batch)
    .lean<AttachmentRow[]>();
  for (const row of stale) {
    const id = row._id.toString();
    await Promise.all(storageKeys(id).map((key) => files.remove(key)));
    await models.Attachment.collection.deleteOne({ _id: row._id, claimedBy: null });
    log.info(
      { fileId: id, conversationId: row.conversationId, size: row.size },
      'unused upload deleted',
    );
  }
  return stale.length;
}

/** Sweeps every `intervalMs`; a Redis lock lets one chat worker sweep a round. */
export function startUploadSweeper(deps: SweeperDeps, intervalMs: number): () => void {
  if (intervalMs <= 0) return () => undefined;
  const round = async () => {
    const locked = await deps.redis.set(
      redisKeys.uploadSweepLock,
      String(process.pid),
      'PX',
      intervalMs,
      'NX',
    );
    if (locked) await sweepUnusedUploads(deps);
  };
  const timer = setInterval(() => {
    round().catch((err: unknown) =>
      deps.log.warn({ err: (err as Error).message }, 'upload sweep failed'),
    );
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
