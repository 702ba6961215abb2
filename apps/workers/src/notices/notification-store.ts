import type { Redis } from 'ioredis';
import type { Notification } from '@chat/api';

/**
 * A user's notifications in Redis: `notifications:{userId}` (sorted set id → createdAt ms),
 * `…:data` (hash id → JSON without `read`) and `…:read` (set of read ids). Entries older
 * than the TTL are invisible and pruned; the keys expire a TTL after the last addition.
 */
const keysOf = (userId: string) => [
  `notifications:${userId}`,
  `notifications:${userId}:data`,
  `notifications:${userId}:read`,
];

/** Most notifications kept per user, newest first; older ones are dropped. */
const MAX_PER_USER = 1_000;

const NOW_MS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** Counts the live ids (score > cutoff) that are not in the read set. */
const UNREAD = `
local function unread(cutoff)
  local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. string.format('%d', cutoff), '+inf')
  local n = 0
  for _, id in ipairs(ids) do
    if redis.call('SISMEMBER', KEYS[3], id) == 0 then n = n + 1 end
  end
  return n
end`;

/** ARGV: id, createdAt ms, JSON, ttl ms, max entries. Returns 1 if added, 0 if known. */
const ADD = `${NOW_MS}
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
local ttl = tonumber(ARGV[4])
local drop = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now - ttl))
local over = redis.call('ZRANGE', KEYS[1], 0, -(tonumber(ARGV[5]) + 1))
for _, list in ipairs({ drop, over }) do
  for _, id in ipairs(list) do
    redis.call('ZREM', KEYS[1], id)
    redis.call('HDEL', KEYS[2], id)
    redis.call('SREM', KEYS[3], id)
  end
end
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ttl) end
return 1`;

/** ARGV: ttl ms, limit. Returns { unread, json1, read1, json2, read2, … } newest first. */
const LIST = `${NOW_MS}${UNREAD}
local cutoff = now - tonumber(ARGV[1])
local ids = redis.call('ZREVRANGEBYSCORE', KEYS[1], '+inf', '(' .. string.format('%d', cutoff),
  'LIMIT', 0, tonumber(ARGV[2]))
local out = { unread(cutoff) }
for _, id in ipairs(ids) do
  local json = redis.call('HGET', KEYS[2], id)
  if json then
    out[#out + 1] = json
    out[#out + 1] = redis.call('SISMEMBER', KEYS[3], id)
  end
end
return out`;

/** ARGV: ttl ms, 'all' | 'ids', ids…. Marks them read; returns the unread count. */
const MARK_READ = `${NOW_MS}${UNREAD}
local cutoff = now - tonumber(ARGV[1])
local ids
if ARGV[2] == 'all' then
  ids = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. string.format('%d', cutoff), '+inf')
else
  ids = {}
  for i = 3, #ARGV do
    if redis.call('ZSCORE', KEYS[1], ARGV[i]) then ids[#ids + 1] = ARGV[i] end
  end
end
for _, id in ipairs(ids) do redis.call('SADD', KEYS[3], id) end
local pttl = redis.call('PTTL', KEYS[1])
if pttl > 0 then redis.call('PEXPIRE', KEYS[3], pttl) end
return unread(cutoff)`;

type Stored = Omit<Notification, 'read'>;

interface Commands {
  notificationAdd(...args: Array<string | number>): Promise<number>;
  notificationList(...args: Array<string | number>): Promise<Array<string | number>>;
  notificationMarkRead(...args: Array<string | number>): Promise<number>;
}

export class NotificationStore {
  private readonly cmd: Commands;

  constructor(
    private readonly redis: Redis,
    private readonly ttlMs: number,
  ) {
    if (!('notificationAdd' in redis)) {
      redis.defineCommand('notificationAdd', { numberOfKeys: 3, lua: ADD });
      redis.defineCommand('notificationList', { numberOfKeys: 3, lua: LIST });
      redis.defineCommand('notificationMarkRead', { numberOfKeys: 3, lua: MARK_READ });
    }
    this.cmd = redis as unknown as Commands;
  }

  /** Stores it for each user once per id (a redelivered event adds nothing), in one round trip. */
  async addAll(userIds: readonly string[], notification: Stored): Promise<void> {
    if (userIds.length === 0) return;
    const json = JSON.stringify(notification);
    const createdAt = Date.parse(notification.createdAt);
    const pipeline = this.redis.pipeline() as unknown as Commands & {
      exec(): Promise<Array<[Error | null, unknown]> | null>;
    };
    for (const userId of userIds)
      void pipeline.notificationAdd(
        ...keysOf(userId),
        notification.id,
        createdAt,
        json,
        this.ttlMs,
        MAX_PER_USER,
      );
    const results = await pipeline.exec();
    const failed = results?.find(([err]) => err !== null);
    if (failed) throw failed[0]!;
  }

  async list(userId: string, limit: number): Promise<{ items: Notification[]; unread: number }> {
    const [unread, ...rest] = await this.cmd.notificationList(...keysOf(userId), this.ttlMs, limit);
    const items: Notification[] = [];
    for (let i = 0; i + 1 < rest.length; i += 2) {
      const stored = JSON.parse(String(rest[i])) as Stored;
      items.push({ ...stored, read: Number(rest[i + 1]) === 1 });
    }
    return { items, unread: Number(unread) };
  }

  /** Marks the given ids (unknown ones are ignored) or all as read; returns the unread count. */
  async markRead(userId: string, ids: string[] | undefined): Promise<number> {
    const args = ids ? ['ids', ...new Set(ids)] : ['all'];
    return Number(await this.cmd.notificationMarkRead(...keysOf(userId), this.ttlMs, ...args));
  }
}
