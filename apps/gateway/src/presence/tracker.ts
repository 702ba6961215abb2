import type { Redis } from 'ioredis';
import { redisKeys } from '@chat/api';
import type { Logger } from '@chat/core';
import { Departures } from './departures.js';

/** Shared with the user worker: `presence:{userId}` = sorted set socketId → expiry (epoch ms). */
const presenceKey = redisKeys.presence;

/** Users per `user.presence` call; a connect storm becomes a few calls, not one per socket. */
const NOTIFY_BATCH = 1000;
/** How long changes gather before a call (a storm's first sockets wait at most this). */
const NOTIFY_DELAY_MS = 5;

/** Drops expired sockets, adds (ARGV[3]=1) or removes one, returns how many live ones remain. */
const CHANGE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if ARGV[3] == '1' then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
else
  redis.call('ZREM', KEYS[1], ARGV[1])
end
return redis.call('ZCARD', KEYS[1])`;

export interface PresenceTrackerOptions {
  redis: Redis;
  log: Logger;
  /** How long a socket counts as live after its last heartbeat. */
  ttlMs: number;
  heartbeatMs: number;
  /**
   * Tells the user worker to re-check these users (RPC `user.presence`); `storm`: their
   * sockets closed in a storm (see {@link Departures}).
   */
  notify: (userIds: string[], storm: boolean) => Promise<void>;
  /** Closes within 5 s that make a storm, and the share of this gateway's sockets they must be. */
  stormSockets: number;
  stormShare: number;
}

interface Tracked {
  userId: string;
  /** The registration; removal waits for it so a quick close can't be overtaken. */
  added: Promise<void>;
}

/**
 * Keeps this gateway's authenticated WebSockets in `presence:{userId}` with heartbeats;
 * the first live socket of a user makes them online, the last one closed offline. If this
 * process dies its entries expire and the user worker's sweeper turns the users offline.
 */
export class PresenceTracker {
  private readonly sockets = new Map<string, Tracked>();
  private readonly pending = new Set<Promise<void>>();
  /** Users whose presence changed and who are not in a call yet. */
  private readonly dirty = new Set<string>();
  /**
   * One of them lost their last socket in a storm: the whole call says so (the storm's first
   * closes, before it could be told, are in it too; for users who are back it changes nothing).
   */
  private stormy = false;
  private readonly departures: Departures;
  private flushing: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: PresenceTrackerOptions) {
    if (!('presenceChange' in options.redis))
      options.redis.defineCommand('presenceChange', { numberOfKeys: 1, lua: CHANGE });
    this.departures = new Departures(options.stormSockets, options.stormShare);
    this.timer = setInterval(() => void this.heartbeat(), Math.max(100, options.heartbeatMs));
    this.timer.unref();
  }

  /** A socket of `userId` opened (authenticated). */
  add(socketId: string, userId: string): void {
    const added = this.track(
      this.change(userId, socketId, true).then(async (live) => {
        if (live === 1) await this.notify(userId);
      }),
    );
    this.sockets.set(socketId, { userId, added });
  }

  /** The socket closed. */
  remove(socketId: string): void {
    const entry = this.sockets.get(socketId);
    if (!entry) return;
    this.sockets.delete(socketId);
    const storm = this.departures.record(Date.now(), this.sockets.size);
    void this.track(
      entry.added.then(async () => {
        const live = await this.change(entry.userId, socketId, false);
        if (live === 0) await this.notify(entry.userId, storm);
      }),
    );
  }

  /** Removes every socket of this gateway (shutdown) and waits for the updates, bounded. */
  async stop(timeoutMs = 5_000): Promise<void> {
    clearInterval(this.timer);
    for (const socketId of [...this.sockets.keys()]) this.remove(socketId);
    await Promise.race([
      Promise.all([...this.pending]),
      new Promise((r) => setTimeout(r, timeoutMs).unref()),
    ]);
  }

  private async heartbeat(): Promise<void> {
    if (this.sockets.size === 0) return;
    const pipeline = this.options.redis.pipeline();
    const expiry = Date.now() + this.options.ttlMs;
    const users: string[] = [];
    for (const [socketId, { userId }] of this.sockets) {
      pipeline.zadd(presenceKey(userId), expiry, socketId);
      pipeline.pexpire(presenceKey(userId), this.options.ttlMs);
      users.push(userId);
    }
    try {
      const results = (await pipeline.exec()) ?? [];
      // A socket that had to be added again had expired (a stalled process, a Redis
      // failover): the sweeper may have turned its user offline, so ask for a re-check.
      const revived = new Set(users.filter((_, i) => results[i * 2]?.[1] === 1));
      for (const userId of revived) void this.track(this.notify(userId));
    } catch (err) {
      this.options.log.warn({ err: (err as Error).message }, 'presence heartbeat failed');
    }
  }

  private async change(userId: string, socketId: string, add: boolean): Promise<number> {
    const redis = this.options.redis as unknown as {
      presenceChange(...args: Array<string | number>): Promise<number>;
    };
    return Number(
      await redis.presenceChange(presenceKey(userId), socketId, this.options.ttlMs, add ? 1 : 0),
    );
  }

  /** Queues a re-check of the user; resolves when a call that includes them is done. */
  private notify(userId: string, storm = false): Promise<void> {
    this.dirty.add(userId);
    if (storm) this.stormy = true;
    return this.scheduleFlush();
  }

  private scheduleFlush(): Promise<void> {
    this.flushing ??= new Promise((r) => setTimeout(r, NOTIFY_DELAY_MS))
      .then(() => this.flush())
      .finally(() => {
        this.flushing = null;
        // Changes that came in while this call ran go in the next one.
        if (this.dirty.size > 0) void this.track(this.scheduleFlush());
      });
    return this.flushing;
  }

  /** The RPCs, each retried a few times: a missed "offline" is also caught by the sweeper. */
  private async flush(): Promise<void> {
    const users = [...this.dirty];
    const storm = this.stormy;
    this.dirty.clear();
    this.stormy = false;
    const calls: Promise<void>[] = [];
    for (let i = 0; i < users.length; i += NOTIFY_BATCH) {
      const batch = users.slice(i, i + NOTIFY_BATCH);
      calls.push(
        (async () => {
          for (let attempt = 1; ; attempt++) {
            try {
              return await this.options.notify(batch, storm);
            } catch (err) {
              if (attempt >= 3) throw err;
              await new Promise((r) => setTimeout(r, 250 * attempt));
            }
          }
        })(),
      );
    }
    await Promise.all(calls);
  }

  private track(work: Promise<void>): Promise<void> {
    const safe = work.catch((err: unknown) =>
      this.options.log.warn({ err: (err as Error).message }, 'presence update failed'),
    );
    this.pending.add(safe);
    void safe.then(() => this.pending.delete(safe));
    return safe;
  }
}
