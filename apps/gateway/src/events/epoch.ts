import type { Redis } from 'ioredis';
import { redisKeys } from '@chat/api';

/**
 * The event logs' epoch. Redis may lose recent writes when it crashes (AOF `everysec`
 * loses up to a second; without AOF, everything since the last snapshot), and nothing in
 * a stream says that entries are missing. So every time the Redis server process changes
 * (its `run_id`), the first process to notice starts a new epoch: `<ms>:<run_id>`, ms at
 * least one above the previous epoch. Ids handed out before carry the old epoch, so a
 * client resuming with one gets `resync` — never a silent gap.
 *
 * KEYS: epoch key. ARGV: current run_id, now ms. Returns the epoch value.
 */
const ENSURE = `
local cur = redis.call('GET', KEYS[1])
local prev = 0
if cur then
  local sep = string.find(cur, ':', 1, true)
  if sep then
    if string.sub(cur, sep + 1) == ARGV[1] then return cur end
    prev = tonumber(string.sub(cur, 1, sep - 1)) or 0
  end
end
local ms = math.max(tonumber(ARGV[2]), prev + 1)
local value = string.format('%d', ms) .. ':' .. ARGV[1]
redis.call('SET', KEYS[1], value)
return value`;

/** The current epoch (as a number), starting a new one if the Redis server changed. */
export async function ensureEpoch(redis: Redis): Promise<bigint> {
  const info = await redis.info('server');
  const runId = /run_id:([0-9a-f]+)/.exec(info)?.[1];
  if (!runId) throw new Error('Redis did not report its run_id');
  const value = (await redis.eval(ENSURE, 1, redisKeys.eventEpoch, runId, Date.now())) as string;
  return BigInt(value.slice(0, value.indexOf(':')));
}
