import { randomUUID } from 'node:crypto';
import type { RpcCaller } from '@chat/api';
import { AppError } from '@chat/core';

/**
 * Asks the user worker to re-check `userIds` (`user.presence`); `storm`: their sockets closed
 * in a storm. A user worker older than `storm` (mid-upgrade) refuses the field as BAD_REQUEST:
 * asked again without it, those users get the ordinary grace.
 */
export async function notifyPresence(
  rpc: RpcCaller,
  userIds: string[],
  storm: boolean,
): Promise<void> {
  const meta = { requestId: randomUUID(), userId: null, ip: null };
  try {
    await rpc('user.presence', storm ? { userIds, storm } : { userIds }, meta);
  } catch (err) {
    if (!storm || !(err instanceof AppError) || err.code !== 'BAD_REQUEST') throw err;
    await rpc('user.presence', { userIds }, meta);
  }
}
