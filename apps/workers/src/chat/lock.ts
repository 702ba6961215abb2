import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '@chat/core';

/**
 * One writer per conversation at a time. FerretDB (dev/CI) applies an update by reading the
 * whole document and writing it back without locking, so two concurrent updates of one
 * document lose each other's changes — `$inc`, `$addToSet`, compare-and-set on a version
 * field, even `$set`s of different fields. Every write to a conversation's document and to
 * its messages therefore runs inside this lock (MongoDB would not need it; it costs little).
 * The TTL frees the lock of a crashed holder; critical sections are a few queries long.
 */
const LOCK_TTL_MS = 5_000;
const LOCK_WAIT_MS = 8_000;

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function withConversationLock<T>(
  redis: Redis,
  conversationId: string,
  fn: () => Promise<T>,
): Promise<T> {
  const key = `lock:conversation:${conversationId}`;
  const token = randomUUID();
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let attempt = 0; ; attempt++) {
    if ((await redis.set(key, token, 'PX', LOCK_TTL_MS, 'NX')) === 'OK') break;
    if (Date.now() > deadline)
      throw new AppError('SERVICE_UNAVAILABLE', 'Conversation is busy, retry');
    await sleep(Math.min(5 + attempt * 5, 50) * (0.5 + Math.random()));
  }
  try {
    return await fn();
  } finally {
    await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
  }
}
