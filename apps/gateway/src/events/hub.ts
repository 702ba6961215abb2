import type { Redis } from 'ioredis';
import {
  redisKeys,
  type ClientEvent,
  type EventSource,
  type StoredEvent,
  type StreamItem,
} from '@chat/api';
import { AppError, type Logger } from '@chat/core';
import { decodeFields, decodeValue, EventBodies, type Entry } from './entries.js';
import { ensureEpoch } from './epoch.js';
import {
  compareEntries,
  compareEventIds,
  formatEventId,
  maxEntry,
  parseEventId,
  type EventId,
} from './event-ids.js';

const REPLAY_PAGE = 500;

export interface EventHubOptions {
  /** Commands (XRANGE, GET, …); the hub opens one more connection from it, for pub/sub. */
  redis: Redis;
  log: Logger;
  /** Items one subscriber may have queued before it is cut off (it resumes with lastEventId). */
  maxQueued?: number;
  /** A stored event reached this gateway's subscribers of one user live (metrics). */
  onDelivered?: (event: StoredEvent, entry: string) => void;
}

interface Listener {
  push(item: StreamItem): void;
}

/** One subscriber's queue: what its feed dispatched and it has not yielded yet. */
class Subscription implements Listener {
  private readonly queue: StreamItem[] = [];
  private head = 0;
  private wake: (() => void) | null = null;
  overflow = false;
  ended = false;

  constructor(private readonly maxQueued: number) {}

  push(item: StreamItem): void {
    if (this.queue.length - this.head >= this.maxQueued) this.overflow = true;
    else this.queue.push(item);
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  next(): StreamItem | undefined {
    if (this.head >= this.queue.length) return undefined;
    const item = this.queue[this.head++]!;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    }
    return item;
  }

  /** Resolves on the next push or end. */
  wait(): Promise<void> {
    return new Promise<void>((resolve) => (this.wake = resolve));
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/** One connected user on this gateway: its subscribers and the last log entry dispatched. */
interface Feed {
  userId: string;
  listeners: Set<Listener>;
  /** Highest stream entry dispatched; null until the feed is set up. */
  cursor: string | null;
  /** Live messages that arrived while the cursor was unknown or a catch-up ran. */
  held: string[] | null;
  /** Stored entries are delivered in log order, even when one waits for a shared body. */
  chain: Promise<void>;
  ready: Promise<void>;
}

/** What the notification worker publishes on `live:{userId}` for a stored entry. */
interface LiveEntry {
  id: string;
  e?: unknown;
  r?: unknown;
}

/**
 * `ctx.events` on Redis. The notification worker appends each stored event to the user's log
 * and, in the same script, publishes it on `live:{userId}`; typing and presence come on that
 * channel too. Per gateway: one pub/sub connection subscribed to the channels of the users
 * connected here — no polling, one hop from the append to the socket.
 *
 * A subscription joins its user's feed first (from then on every new event is queued for
 * it), then replays the log after `lastEventId` up to its end, then drains the queue
 * delivering stored events only with ids above the highest already sent: no gap, no
 * duplicate. Pub/sub is lossy only across a disconnect: after one, every feed catches up
 * from its cursor by reading the log. If Redis itself restarted (it may have lost recent
 * appends), a new epoch begins and every subscriber gets `resync`.
 */
export class EventHub implements EventSource {
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly log: Logger;
  private readonly maxQueued: number;
  private readonly onDelivered: EventHubOptions['onDelivered'];
  private readonly feeds = new Map<string, Feed>();
  private readonly bodies: EventBodies;
  private readonly stopListeners = new Set<() => void>();
  private epoch: Promise<bigint> | null = null;
  private stopped = false;

  constructor(options: EventHubOptions) {
    this.redis = options.redis;
    this.log = options.log;
    this.maxQueued = options.maxQueued ?? 10_000;
    this.onDelivered = options.onDelivered;
    this.bodies = new EventBodies(options.redis);
    this.subscriber = options.redis.duplicate({ maxRetriesPerRequest: null, lazyConnect: true });
    this.subscriber.on('error', (err: Error) =>
      this.log.warn({ err: err.message }, 'event hub redis error'),
    );
    this.subscriber.on('message', (channel: string, message: string) =>
      this.onLive(channel, message),
    );
    // ioredis re-subscribes by itself; what was published meanwhile is read from the logs.
    this.subscriber.on('ready', () => this.scheduleRecovery('subscriber reconnected'));
    this.redis.on('ready', () => this.scheduleRecovery('redis reconnected'));
  }

  /** Connects the pub/sub connection (it reconnects on its own). */
  start(): void {
    if (this.subscriber.status === 'wait')
      this.subscriber
        .connect()
        .catch((err: Error) =>
          this.log.warn({ err: err.message }, 'event hub connect failed, retrying'),
        );
  }

  stop(): Promise<void> {
    this.stopped = true;
    for (const end of [...this.stopListeners]) end();
    this.subscriber.disconnect();
    return Promise.resolve();
  }

  /** Users with at least one open subscription on this gateway. */
  get connectedUsers(): number {
    return this.feeds.size;
  }

  /**
   * Opens a subscription: resolves once the user's feed is live on this gateway (tRPC says
   * `started` only then), so everything appended after `onStarted` reaches the client even
   * without a `lastEventId`. The items: the replay after `lastEventId`, then live.
   */
  async open(
    userId: string,
    lastEventId: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<AsyncIterable<StreamItem>> {
    if (this.stopped) throw new AppError('SERVICE_UNAVAILABLE', 'Gateway is shutting down');
    const subscription = new Subscription(this.maxQueued);
    const feed = this.join(userId, subscription);
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      signal?.removeEventListener('abort', onAbort);
      this.stopListeners.delete(onAbort);
      this.leave(feed, subscription);
    };
    // Ended before or while it is iterated: the feed is left either way, once.
    const onAbort = () => {
      subscription.end();
      leave();
    };
    signal?.addEventListener('abort', onAbort);
    this.stopListeners.add(onAbort);
    try {
      await feed.ready;
      if (signal?.aborted) throw new AppError('SERVICE_UNAVAILABLE', 'Subscription ended');
      const epoch = await this.currentEpoch();
      return this.items(feed, subscription, epoch, lastEventId, leave);
    } catch (err) {
      leave();
      throw err;
    }
  }

  private async *items(
    feed: Feed,
    subscription: Subscription,
    epoch: bigint,
    lastEventId: string | undefined,
    leave: () => void,
  ): AsyncGenerator<StreamItem, void, unknown> {
    const { userId } = feed;
    const done = () => subscription.ended || this.stopped;
    try {
      let sent: EventId | null = null;
      if (lastEventId !== undefined) {
        const start = await this.startAfter(userId, epoch, lastEventId);
        if (start.resync) {
          sent = { epoch, entry: start.entry };
          yield { id: formatEventId(epoch, start.entry), event: { type: 'resync' } };
        } else {
          let from = start.entry;
          sent = { epoch, entry: from };
          for (;;) {
            if (done()) return;
            const page = await this.redis.xrange(
              redisKeys.eventLog(userId),
              `(${from}`,
              '+',
              'COUNT',
              REPLAY_PAGE,
            );
            const events = await this.bodies.resolve(
              page.map(([, fields]) => decodeFields(fields)),
            );
            let lost = false;
            for (const [i, [entry]] of page.entries()) {
              from = entry;
              sent = { epoch, entry };
              const event = events[i];
              if (event === undefined) {
                // A shared body expired before this entry: the log can't be replayed.
                lost = true;
                break;
              }
              if (event) yield { id: formatEventId(epoch, entry), event };
            }
            if (lost) {
              const newest = await this.newestEntries([feed]);
              const entry = maxEntry(newest[0]!, from);
              sent = { epoch, entry };
              yield { id: formatEventId(epoch, entry), event: { type: 'resync' } };
              break;
            }
            if (page.length < REPLAY_PAGE) break;
          }
        }
      }
      for (;;) {
        const item = subscription.next();
        if (item) {
          if (item.id !== null) {
            const id = parseEventId(item.id)!;
            if (sent !== null && compareEventIds(id, sent) <= 0) continue;
            sent = id;
          }
          yield item;
          continue;
        }
        if (subscription.overflow)
          throw new AppError('SERVICE_UNAVAILABLE', 'Event stream fell behind; resubscribe');
        if (done()) return;
        await subscription.wait();
      }
    } finally {
      leave();
    }
  }

  /**
   * Where a resuming subscription starts: after `lastEventId`, or `resync` when events may
   * be missing — an id from another epoch (Redis restarted) or of the old form, below what
   * was trimmed, beyond the newest entry, or naming an entry that is not in the log (the
   * log was lost and started again). A resync's own id is above everything the client has.
   */
  private async startAfter(
    userId: string,
    epoch: bigint,
    lastEventId: string,
  ): Promise<{ resync: boolean; entry: string }> {
    const [floor, newest] = await Promise.all([
      this.redis.get(redisKeys.eventLogFloor(userId)),
      this.redis.xrevrange(redisKeys.eventLog(userId), '+', '-', 'COUNT', 1),
    ]);
    const last = newest[0]?.[0] ?? '0-0';
    const id = parseEventId(lastEventId);
    if (!id || id.epoch !== epoch) return { resync: true, entry: last };
    const resync = { resync: true, entry: maxEntry(last, id.entry) };
    if (floor !== null && compareEntries(id.entry, floor) < 0) return resync;
    if (compareEntries(id.entry, last) > 0) return resync;
    if (floor === null || compareEntries(id.entry, floor) > 0) {
      const here = await this.redis.xrange(redisKeys.eventLog(userId), id.entry, id.entry);
      if (here.length === 0) return resync;
    }
    return { resync: false, entry: id.entry };
  }

  private currentEpoch(): Promise<bigint> {
    this.epoch ??= ensureEpoch(this.redis).catch((err: unknown) => {
      this.epoch = null;
      throw new AppError('SERVICE_UNAVAILABLE', `Event log unavailable: ${(err as Error).message}`);
    });
    return this.epoch;
  }

  private join(userId: string, listener: Listener): Feed {
    const existing = this.feeds.get(userId);
    if (existing) {
      existing.listeners.add(listener);
      return existing;
    }
    const feed: Feed = {
      userId,
      listeners: new Set([listener]),
      cursor: null,
      held: [],
      chain: Promise.resolve(),
      ready: Promise.resolve(),
    };
    this.feeds.set(userId, feed);
    feed.ready = (async () => {
      this.start();
      this.settledEpoch ??= await this.currentEpoch();
      // Subscribe first: what is appended from now on reaches us live.
      await this.subscriber.subscribe(redisKeys.liveChannel(userId));
      const newest = await this.redis.xrevrange(redisKeys.eventLog(userId), '+', '-', 'COUNT', 1);
      feed.cursor = newest[0]?.[0] ?? '0-0';
      this.release(feed);
    })();
    feed.ready.catch(() => {
      // The subscription waiting on it fails; drop the feed so the next one starts afresh.
      if (this.feeds.get(userId) === feed) this.feeds.delete(userId);
    });
    return feed;
  }

  private leave(feed: Feed, listener: Listener): void {
    feed.listeners.delete(listener);
    if (feed.listeners.size > 0 || this.feeds.get(feed.userId) !== feed) return;
    this.feeds.delete(feed.userId);
    // Ordered after this feed's SUBSCRIBE on the same connection; a newer feed's SUBSCRIBE follows.
    this.subscriber.unsubscribe(redisKeys.liveChannel(feed.userId)).catch((err: Error) => {
      this.log.warn({ err: err.message }, 'live unsubscribe failed');
    });
  }

  private onLive(channel: string, message: string): void {
    if (!channel.startsWith(redisKeys.liveChannelPrefix)) return;
    const feed = this.feeds.get(channel.slice(redisKeys.liveChannelPrefix.length));
    if (!feed) return;
    if (feed.held) feed.held.push(message);
    else this.dispatch(feed, message);
  }

  /** Delivers what was held back while the feed's cursor was being set. */
  private release(feed: Feed): void {
    const held = feed.held ?? [];
    feed.held = null;
    for (const message of held) this.dispatch(feed, message);
  }

  private dispatch(feed: Feed, message: string): void {
    const stored = splitStoredEntry(message);
    if (stored) {
      void this.deliverStored(feed, [[stored.id, decodeValue('e', stored.eventJson)]]);
      return;
    }
    let parsed: ClientEvent | LiveEntry;
    try {
      parsed = JSON.parse(message) as ClientEvent | LiveEntry;
    } catch {
      this.log.warn({ userId: feed.userId }, 'malformed live event dropped');
      return;
    }
    if (!('id' in parsed)) {
      for (const listener of feed.listeners) listener.push({ id: null, event: parsed });
      return;
    }
    const entry = parsed.r !== undefined ? decodeValue('r', parsed.r) : decodeValue('e', parsed.e);
    void this.deliverStored(feed, [[parsed.id, entry]]);
  }

  /**
   * Delivers stored entries above the feed's cursor to its listeners, in order (queued
   * behind earlier deliveries of the feed that wait for a shared body).
   */
  private deliverStored(feed: Feed, entries: Array<[string, Entry]>): Promise<void> {
    feed.chain = feed.chain
      .then(async () => {
        const fresh = entries.filter(
          ([entry]) => feed.cursor !== null && compareEntries(entry, feed.cursor) > 0,
        );
        if (fresh.length === 0) return;
        const events = fresh.some(([, e]) => e && 'body' in e)
          ? await this.bodies.resolve(fresh.map(([, e]) => e))
          : fresh.map(([, e]) => (e && 'event' in e ? e.event : null));
        const epoch = this.settledEpoch;
        fresh.forEach(([entry], i) => {
          if (feed.cursor !== null && compareEntries(entry, feed.cursor) <= 0) return;
          feed.cursor = entry;
          if (epoch === null) return;
          const id = formatEventId(epoch, entry);
          const event = events[i];
          // A shared body already gone: this subscriber can't be given the event.
          const item: StreamItem =
            event === undefined ? { id, event: { type: 'resync' } } : { id, event: event! };
          if (event === null) return;
          for (const listener of feed.listeners) listener.push(item);
          if (event) this.onDelivered?.(event, entry);
        });
      })
      .catch((err: unknown) => {
        this.log.warn(
          { err: (err as Error).message, userId: feed.userId },
          'event delivery failed',
        );
      });
    return feed.chain;
  }

  /** The epoch live entries are delivered in; known before any feed is ready. */
  private settledEpoch: bigint | null = null;
  private recovering: Promise<void> = Promise.resolve();

  /** One recovery at a time: a Redis restart reconnects both connections at once. */
  private scheduleRecovery(reason: string): void {
    this.recovering = this.recovering
      .then(() => this.recover(reason))
      .catch((err: unknown) =>
        this.log.warn({ err: (err as Error).message, reason }, 'event hub recovery failed'),
      );
  }

  /**
   * After a reconnect: if Redis restarted, a new epoch begins and every subscriber gets
   * `resync`; otherwise every feed reads what its pub/sub missed from its log.
   */
  private async recover(reason: string): Promise<void> {
    if (this.stopped) return;
    const before = this.settledEpoch;
    this.epoch = null;
    let epoch: bigint;
    try {
      epoch = await this.currentEpoch();
    } catch (err) {
      this.log.warn({ err: (err as Error).message, reason }, 'event hub recovery postponed');
      return;
    }
    const feeds = [...this.feeds.values()].filter((f) => f.cursor !== null);
    if (before !== null && before !== epoch) {
      this.log.warn({ reason, epoch: String(epoch) }, 'event log epoch changed: resync everyone');
      const newest = await this.newestEntries(feeds);
      // Only now, with no await before the resyncs: a live entry delivered in the new epoch
      // first would carry the resync's own id, and the stream would drop the resync as seen.
      this.settledEpoch = epoch;
      feeds.forEach((feed, i) => {
        feed.cursor = maxEntry(feed.cursor!, newest[i]!);
        const id = formatEventId(epoch, feed.cursor);
        for (const listener of feed.listeners) listener.push({ id, event: { type: 'resync' } });
      });
      return;
    }
    this.settledEpoch = epoch;
    if (before === null || feeds.length === 0) return;
    for (const feed of feeds) feed.held ??= [];
    try {
      const pipeline = this.redis.pipeline();
      for (const feed of feeds)
        pipeline.xrange(redisKeys.eventLog(feed.userId), `(${feed.cursor!}`, '+');
      const results = (await pipeline.exec()) ?? [];
      await Promise.all(
        feeds.map((feed, i) => {
          const [err, entries] = results[i] ?? [new Error('no reply'), null];
          if (err) throw err;
          return this.deliverStored(
            feed,
            (entries as Array<[string, string[]]>).map(([entry, fields]) => [
              entry,
              decodeFields(fields),
            ]),
          );
        }),
      );
    } catch (err) {
      this.log.warn({ err: (err as Error).message, reason }, 'event hub catch-up failed');
    } finally {
      for (const feed of feeds) this.release(feed);
    }
  }

  private async newestEntries(feeds: Feed[]): Promise<string[]> {
    const pipeline = this.redis.pipeline();
    for (const feed of feeds)
      pipeline.xrevrange(redisKeys.eventLog(feed.userId), '+', '-', 'COUNT', 1);
    const results = (await pipeline.exec()) ?? [];
    return feeds.map((_, i) => {
      const entries = (results[i]?.[1] ?? []) as Array<[string, string[]]>;
      return entries[0]?.[0] ?? '0-0';
    });
  }
}

const STORED_PREFIX = '{"id":"';
const EVENT_FIELD = '","e":';

/**
 * A stored entry as the append script publishes it, `{"id":"<entry>","e":<event JSON>}`, cut
 * apart without parsing the whole: the event's own text is kept for the encoder (see
 * event-json.ts). Anything else (a reference entry, a live-only event) is parsed whole.
 */
function splitStoredEntry(message: string): { id: string; eventJson: string } | null {
  if (!message.startsWith(STORED_PREFIX) || !message.endsWith('}')) return null;
  const end = message.indexOf(EVENT_FIELD, STORED_PREFIX.length);
  if (end < 0) return null;
  const id = message.slice(STORED_PREFIX.length, end);
  // Entry ids are `<ms>-<seq>`: anything else is not what the script writes.
  if (!/^\d+-\d+$/.test(id)) return null;
  return { id, eventJson: message.slice(end + EVENT_FIELD.length, -1) };
}
