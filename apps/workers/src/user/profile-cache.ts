import type { Redis } from 'ioredis';
import type { Logger } from '@chat/core';
import type { Me } from '@chat/api';

/**
 * Read-through cache of profiles in Redis (`profile:{id}`). Redis trouble only costs
 * speed: reads fall back to MongoDB, and a failed delete is logged (the TTL bounds staleness).
 */
export class ProfileCache {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
    private readonly log: Logger,
  ) {}

  private key = (id: string) => `profile:${id}`;

  async get(id: string): Promise<Me | null> {
    try {
      const raw = await this.redis.get(this.key(id));
      return raw ? (JSON.parse(raw) as Me) : null;
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'profile cache read failed');
      return null;
    }
  }

  async set(profile: Me): Promise<void> {
    await this.redis
      .set(this.key(profile.id), JSON.stringify(profile), 'EX', this.ttlSeconds)
      .catch((err: Error) => this.log.warn({ err: err.message }, 'profile cache write failed'));
  }

  async invalidate(id: string): Promise<void> {
    await this.redis.del(this.key(id)).catch((err: Error) => this.log.warn({ err: err.message }, 'profile cache delete failed'));
  }
}
