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

/**
 * Adds one notification for many users (3 keys each, in `keysOf` order), for each once per
 * id: one script call for a hundred members of a group, not one each.
 * ARGV: id, createdAt ms, JSON, ttl ms, max entries. Returns how many were added.
 */
const ADD = `${NOW_MS}
local id, createdAt, json = ARGV[1], ARGV[2], ARGV[3]
local ttl, max = tonumber(ARGV[4]), tonumber(ARGV[5])
local cutoff = string.format('%d', now - ttl)
local added = 0
for u = 0, #KEYS / 3 - 1 do
  local zset, data, read = KEYS[3 * u + 1], KEYS[3 * u + 2], KEYS[3 * u + 3]
  if redis.call('HEXISTS', data, id) == 0 then
    redis.call('ZADD', zset, createdAt, id)
    redis.call('HSET', data, id, json)
    local drop = redis.call('ZRANGEBYSCORE', zset, '-inf', cutoff)
    local over = redis.call('ZRANGE', zset, 0, -(max + 1))
    for _, list in ipairs({ drop, over }) do
      for _, old in ipairs(list) do
        redis.call('ZREM', zset, old)
        redis.call('HDEL', data, old)
        redis.call('SREM', read, old)
      end
    end
    redis.call('PEXPIRE', zset, ttl)
    redis.call('PEXPIRE', data, ttl)
    redis.call('PEXPIRE', read, ttl)
    added = added + 1
  end
end
return added`;

/** Users per ADD call: a call runs alone in Redis, so this bounds how long others wait. */
const USERS_PER_ADD = 100;

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
  /** The key count first (3 per user), then the keys, then ARGV. */
  notificationAdd(keyCount: number, ...args: Array<string | number>): Promise<number>;
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
      redis.defineCommand('notificationAdd', { lua: ADD });
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
    for (let from = 0; from < userIds.length; from += USERS_PER_ADD) {
      const keys = userIds.slice(from, from + USERS_PER_ADD).flatMap(keysOf);
      void pipeline.notificationAdd(
        keys.length,
        ...keys,
        notification.id,
        createdAt,
        json,
        this.ttlMs,
        MAX_PER_USER,
      );
    }
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
