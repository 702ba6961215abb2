import type { Redis } from 'ioredis';
import type { Logger } from '@chat/core';
import { redisKeys, type Me } from '@chat/api';

interface CacheEntry {
  v: number;
  me: Me;
}

const SET_IF_NEWER = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, decoded = pcall(cjson.decode, current)
  if ok and type(decoded) == 'table' and tonumber(decoded.v) and tonumber(decoded.v) > tonumber(ARGV[2]) then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1`;

/**
 * Read-through cache of profiles in Redis (`profile:{id}`). Redis trouble only costs
 * speed: reads fall back to MongoDB, and a failed write is logged (the TTL bounds staleness).
 */
export class ProfileCache {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
    private readonly log: Logger,
  ) {}

  private key = redisKeys.profileCache;

  async get(id: string): Promise<Me | null> {
    try {
      const raw = await this.redis.get(this.key(id));
      return raw ? (JSON.parse(raw) as CacheEntry).me : null;
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'profile cache read failed');
      return null;
    }
  }

  /**
   * Stores `profile` unless the cache already holds a newer version (by `version`, the
   * row's updatedAt). A slow reader can then never put back data an update replaced.
   */
  async set(profile: Me, version: number): Promise<void> {
    const entry: CacheEntry = { v: version, me: profile };
    await this.redis
      .eval(
        SET_IF_NEWER,
        1,
        this.key(profile.id),
        JSON.stringify(entry),
        String(version),
        String(this.ttlSeconds),
      )
      .catch((err: Error) => this.log.warn({ err: err.message }, 'profile cache write failed'));
  }
}
