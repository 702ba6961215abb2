import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { PartitionControl } from '@chat/bus';
import type { Logger } from '@chat/core';
import { rendezvousOwner } from './rendezvous.js';

export interface BalancerOptions {
  redis: Redis;
  log: Logger;
  /** The consumer group, e.g. `chat` (its replicas share the partitions). */
  role: string;
  /** Prefix of the Redis keys (the bus namespace keeps test systems apart). */
  namespace: string;
  control: PartitionControl;
  /** A replica that stops renewing is considered gone after this long. */
  leaseMs?: number;
  tickMs?: number;
}

/**
 * Renews each of our own leases (compare-and-expire) in one call: one 1/0 per key, 0 where
 * the lease is not ours (any more).
 */
const RENEW_ALL = `local renewed = {}
for i, key in ipairs(KEYS) do
  if redis.call('get', key) == ARGV[1] then
    renewed[i] = redis.call('pexpire', key, ARGV[2])
  else
    renewed[i] = 0
  end
end
return renewed`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Spreads a role's partitions over its live replicas and hands them over safely.
 *
 * Every replica heartbeats in `<ns>partitions:<role>:replicas`; each partition's owner is
 * chosen by rendezvous hashing over the live replicas (adding or removing one moves only
 * its share). A replica consumes a partition only while it holds the partition's lease
 * (`…:lease:<p>`, renewed every tick): it takes the lease when free, and gives it up by
 * first stopping the consumer and finishing the deliveries in hand, then deleting the lease
 * — so the next owner never runs a conversation's commands while the previous one still is.
 * A replica that dies stops renewing; its leases expire and the others take over. A lease
 * lost some other way (Redis lost it) stops the consumer at once. RabbitMQ's single active
 * consumer per partition queue is the second guard.
 */
export class PartitionBalancer {
  readonly id = randomUUID();
  private readonly leaseMs: number;
  private readonly tickMs: number;
  private readonly held = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: BalancerOptions) {
    this.leaseMs = options.leaseMs ?? 3_000;
    this.tickMs = options.tickMs ?? 1_000;
  }

  private get replicasKey() {
    return `${this.options.namespace}partitions:${this.options.role}:replicas`;
  }

  private leaseKey(p: number) {
    return `${this.options.namespace}partitions:${this.options.role}:lease:${p}`;
  }

  /** Joins and takes its share now (the first tick is awaited), then keeps balancing. */
  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => {
      this.ticking = this.ticking.then(() => this.tick());
    }, this.tickMs);
    this.timer.unref();
  }

  /** Leaves: hands every partition over (stop consuming, drain, release). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    await Promise.all([...this.held].map((p) => this.release(p)));
    await this.options.redis.zrem(this.replicasKey, this.id).catch(() => undefined);
  }

  /** Partitions this replica owns now. */
  get owned(): ReadonlySet<number> {
    return this.held;
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const { redis, control, log } = this.options;
    try {
      const now = Date.now();
      const held = [...this.held];
      // One round trip a tick however many partitions: the heartbeat, the live replicas,
      // and every lease we hold renewed.
      const [, , replicas, , renewed] = (await redis
        .multi()
        .zadd(this.replicasKey, now + this.leaseMs, this.id)
        .zremrangebyscore(this.replicasKey, '-inf', now)
        .zrange(this.replicasKey, 0, -1)
        .pexpire(this.replicasKey, this.leaseMs * 4)
        .eval(RENEW_ALL, held.length, ...held.map((p) => this.leaseKey(p)), this.id, this.leaseMs)
        .exec())!.map(([err, value]) => {
        if (err) throw err;
        return value;
      }) as [unknown, unknown, string[], unknown, number[]];
      const renewedNow = new Set(held.filter((_, i) => Number(renewed[i]) === 1));

      for (let p = 0; p < control.partitions; p++) {
        const mine = rendezvousOwner(p, replicas) === this.id;
        if (this.held.has(p)) {
          if (!renewedNow.has(p)) {
            // Not ours any more (expired while we stalled, or Redis lost it): stop at once.
            log.warn({ partition: p, role: this.options.role }, 'partition lease lost');
            this.held.delete(p);
            await control.stop(p);
          } else if (!mine) {
            await this.release(p);
          }
        } else if (mine) {
          const taken = await redis.set(this.leaseKey(p), this.id, 'PX', this.leaseMs, 'NX');
          if (taken === 'OK') {
            this.held.add(p);
            await control.start(p);
          }
        }
      }
    } catch (err) {
      log.warn(
        { err: (err as Error).message, role: this.options.role },
        'partition balancing failed',
      );
    }
  }

  private async release(p: number): Promise<void> {
    this.held.delete(p);
    await this.options.control.stop(p);
    await this.options.redis
      .eval(RELEASE, 1, this.leaseKey(p), this.id)
      .catch((err: Error) => this.options.log.warn({ err: err.message }, 'lease release failed'));
  }
}
