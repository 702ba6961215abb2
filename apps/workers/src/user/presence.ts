import type { Redis } from 'ioredis';
import type { DomainEvents } from '@chat/bus';
import type { Logger, RequestMeta } from '@chat/core';
import { redisKeys, type Me, type SetStatusInput } from '@chat/api';
import type { Profiles, Transition } from './profiles.js';

/**
 * The gateways keep each authenticated WebSocket in `presence:{userId}` (member = socket
 * id, score = expiry in epoch ms, pushed forward by a heartbeat). A user is connected
 * while that set has a member that has not expired.
 */
const presenceKey = redisKeys.presence;
const SWEEP_LOCK = redisKeys.presenceSweepLock;

export interface PresenceDeps {
  profiles: Profiles;
  redis: Redis;
  events: DomainEvents;
  log: Logger;
  /**
   * How long a user whose last socket closed still counts as online: a page reload, a
   * network switch or a gateway restart (everyone reconnecting elsewhere at once) within it
   * is no offline blip to their contacts, and no profile write or event at all. 0 = none.
   */
  offlineGraceMs: number;
  /**
   * The grace of users whose sockets closed in a storm (a gateway saw many close at once:
   * a network blip, a dropped proxy). They are coming back, and if the storm outlasts the
   * ordinary grace, their contacts would see thousands go offline and come back.
   */
  stormGraceMs: number;
}

interface Grace {
  timer: NodeJS.Timeout;
  goneAt: Date;
  meta: RequestMeta;
  storm: boolean;
}

/**
 * Presence: `connected` follows the sockets in Redis (never the caller's word alone),
 * the public status follows `connected` and the chosen status, and every change of the
 * public status is published as `presence.changed` on `user_events`.
 */
export class Presence {
  /** Per-user queue: one process never interleaves two updates of the same user. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Users seen with no socket, re-checked once their grace is over. */
  private readonly graces = new Map<string, Grace>();
  /** Until then a storm is on: every grace that begins is a storm grace. */
  private stormUntil = 0;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(private readonly deps: PresenceDeps) {}

  /** user.setStatus: the chosen status; others see it only while the user is connected. */
  async setStatus(userId: string, input: SetStatusInput, meta: RequestMeta): Promise<Me> {
    const t = await this.serial(userId, () => this.deps.profiles.setStatus(userId, input));
    await this.announce(userId, t, meta);
    return t.me;
  }

  /**
   * user.presence (a gateway saw this user's first socket open or last socket close): a
   * user with a live socket is stored as connected now; one without is re-checked when the
   * offline grace is over (with the time the sockets were seen gone as `lastSeen`); the
   * longer storm grace when the gateway says `storm`.
   */
  async refresh(userId: string, meta: RequestMeta, storm = false): Promise<void> {
    if (this.deps.offlineGraceMs > 0 && !(await this.isConnected(userId))) {
      this.settleAfterGrace(userId, meta, new Date(), storm || Date.now() < this.stormUntil);
      return;
    }
    await this.settle(userId, meta);
  }

  /**
   * Re-reads the sockets and stores the truth. Checking again after the write makes
   * concurrent updates (several workers, reordered RPCs) converge on what Redis says.
   */
  private async settle(userId: string, meta: RequestMeta, goneAt?: Date): Promise<void> {
    await this.serial(userId, async () => {
      for (let round = 0; round < 5; round++) {
        const connected = await this.isConnected(userId);
        const t = await this.deps.profiles.setConnected(userId, connected, goneAt);
        await this.announce(userId, t, meta);
        if ((await this.isConnected(userId)) === connected) return;
      }
    });
  }

  /** One pending re-check per user (the first sighting's time stands); the sweeper backs it up. */
  private settleAfterGrace(userId: string, meta: RequestMeta, goneAt: Date, storm: boolean): void {
    const pending = this.graces.get(userId);
    if (pending && (pending.storm || !storm)) return;
    if (pending) clearTimeout(pending.timer);
    const graceMs = storm
      ? Math.max(this.deps.stormGraceMs, this.deps.offlineGraceMs)
      : this.deps.offlineGraceMs;
    const since = pending?.goneAt ?? goneAt;
    const timer = setTimeout(
      () => {
        this.graces.delete(userId);
        this.settle(userId, meta, since).catch((err: unknown) =>
          this.deps.log.warn({ userId, err: (err as Error).message }, 'presence re-check failed'),
        );
      },
      Math.max(0, since.getTime() + graceMs - Date.now()),
    );
    timer.unref();
    this.graces.set(userId, { timer, goneAt: since, meta, storm });
  }

  /**
   * A gateway reported a storm: every ordinary grace still running gets the storm grace too,
   * and so does every grace that begins within the ordinary grace from now. The storm's first
   * closes were reported before the gateway could tell, and under load calls overlap (a
   * retried one, several in flight), so they may be handled before or after this report;
   * someone who truly left meanwhile shows online a little longer — cheaper than thousands
   * of flips.
   */
  stormReported(): void {
    this.stormUntil = Date.now() + this.deps.offlineGraceMs;
    let extended = 0;
    for (const [userId, grace] of this.graces)
      if (!grace.storm) {
        this.settleAfterGrace(userId, grace.meta, grace.goneAt, true);
        extended++;
      }
    if (extended > 0)
      this.deps.log.info(
        { extended },
        'presence: sockets closing in a storm, offline waits longer',
      );
  }

  /**
   * Every `intervalMs`, turns users whose sockets all expired (their gateway died) offline.
   * A lock keeps several user workers from sweeping the same round.
   */
  startSweeper(intervalMs: number): void {
    if (intervalMs <= 0) return;
    const sweep = async () => {
      const locked = await this.deps.redis.set(
        SWEEP_LOCK,
        String(process.pid),
        'PX',
        intervalMs,
        'NX',
      );
      if (!locked) return;
      for (const userId of await this.deps.profiles.connectedIds()) {
        if (await this.isConnected(userId)) continue;
        // Through the grace as well: the user may be reconnecting right now.
        await this.refresh(userId, { requestId: `presence-sweep-${Date.now()}`, userId });
        this.deps.log.info({ userId }, 'presence: every socket expired, user goes offline');
      }
    };
    this.sweeper = setInterval(() => {
      sweep().catch((err: unknown) =>
        this.deps.log.warn({ err: (err as Error).message }, 'presence sweep failed'),
      );
    }, intervalMs);
    this.sweeper.unref();
  }

  /** Pending re-checks are dropped: another worker's sweeper settles those users. */
  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    for (const grace of this.graces.values()) clearTimeout(grace.timer);
    this.graces.clear();
  }

  /** Drops expired sockets and says whether any live one is left. */
  private async isConnected(userId: string): Promise<boolean> {
    const now = Date.now();
    const [, live] = (await this.deps.redis
      .multi()
      .zremrangebyscore(presenceKey(userId), '-inf', now)
      .zcount(presenceKey(userId), `(${now}`, '+inf')
      .exec()) as [[Error | null, number], [Error | null, number]];
    if (live[0]) throw live[0];
    return live[1] > 0;
  }

  private async announce(userId: string, t: Transition, meta: RequestMeta): Promise<void> {
    if (t.before === t.after) return;
    await this.deps.events.publish(
      'user_events',
      'presence.changed',
      { userId, status: t.after, lastSeen: t.me.lastSeen },
      meta,
    );
    this.deps.log.info({ userId, from: t.before, to: t.after }, 'presence changed');
  }

  private serial<T>(userId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(userId) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(fn);
    const tail = run.catch(() => undefined);
    this.queues.set(userId, tail);
    void tail.then(() => {
      if (this.queues.get(userId) === tail) this.queues.delete(userId);
    });
    return run;
  }
}
