import type { Redis } from 'ioredis';
import {
  MAX_STREAMS_PER_CONNECTION,
  redisKeys,
  type ClientEvent,
  type EventSource,
  type StoredEvent,
  type StreamItem,
} from '@chat/api';
import { AppError, type Logger } from '@chat/core';
import { decodeFields, decodeValue, EventBodies, type Entry } from './entries.js';
import { ensureEpoch } from './epoch.js';
import { Stream } from './stream.js';
import { compareEntries, formatEventId, maxEntry, parseEventId } from './event-ids.js';

const REPLAY_PAGE = 500;

/** A stream tRPC never started iterating is ended by the first event after this long. */
const UNPULLED_STREAM_MS = 30_000;

export interface EventHubOptions {
  /** Commands (XRANGE, GET, …); the hub opens one more connection from it, for pub/sub. */
  redis: Redis;
  log: Logger;
  /** Items one subscriber may have queued before it is cut off (it resumes with lastEventId). */
  maxQueued?: number;
  /** A subscription tRPC never iterates is ended by the first event after this long. */
  unpulledStreamMs?: number;
  /** A stored event reached this gateway's subscribers of one user live (metrics). */
  onDelivered?: (event: StoredEvent, entry: string) => void;
}

/** One connected user on this gateway: its subscribers and the last log entry dispatched. */
interface Feed {
  userId: string;
  listeners: Set<Stream>;
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
  private openStreams = 0;
  private readonly unpulledMs: number;
  private epoch: Promise<bigint> | null = null;
  private stopped = false;

  constructor(options: EventHubOptions) {
    this.redis = options.redis;
    this.log = options.log;
    this.maxQueued = options.maxQueued ?? 10_000;
    this.unpulledMs = options.unpulledStreamMs ?? UNPULLED_STREAM_MS;
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
    for (const feed of [...this.feeds.values()])
      for (const stream of [...feed.listeners]) stream.end();
    this.subscriber.disconnect();
    return Promise.resolve();
  }

  /** Users with at least one open subscription on this gateway. */
  get connectedUsers(): number {
    return this.feeds.size;
  }

  /** Subscriptions open on this gateway (metrics: a leak shows here). */
  get streams(): number {
    return this.openStreams;
  }

  /** The connection closed: its streams end (also those tRPC never iterated). */
  closeConnection(userId: string, connectionKey: string): void {
    const feed = this.feeds.get(userId);
    if (!feed) return;
    for (const stream of [...feed.listeners])
      if (stream.connectionKey === connectionKey) stream.end();
  }

  /**
   * Opens a subscription: resolves once the user's feed is live on this gateway (tRPC says
   * `started` only then), so everything appended after `onStarted` reaches the client even
   * without a `lastEventId`. The items: the replay after `lastEventId`, then live.
   */
  async open(
    userId: string,
    options: { lastEventId?: string; connectionKey?: string; connectionOpen?: () => boolean } = {},
  ): Promise<AsyncIterable<StreamItem>> {
    if (this.stopped) throw new AppError('SERVICE_UNAVAILABLE', 'Gateway is shutting down');
    const { lastEventId, connectionKey } = options;
    // A client needs one. tRPC leaves a stream it refused after opening (a duplicate
    // subscription id) to end with its socket: the cap bounds those too.
    const existing = this.feeds.get(userId);
    if (
      connectionKey !== undefined &&
      existing &&
      [...existing.listeners].filter((s) => s.connectionKey === connectionKey).length >=
        MAX_STREAMS_PER_CONNECTION
    )
      // Retry once one of them has ended (the client decides which; a second is a guess).
      throw new AppError(
        'TOO_MANY_REQUESTS',
        `At most ${MAX_STREAMS_PER_CONNECTION} event streams per connection`,
        { retryAfterMs: 1_000 },
      );
    this.openStreams++;
    let feed: Feed | null = null;
    const stream = new Stream(connectionKey, this.maxQueued, this.unpulledMs, () => {
      this.openStreams--;
      if (feed) this.leave(feed, stream);
    });
    feed = this.join(userId, stream);
    try {
      await feed.ready;
      // Its connection closed meanwhile (closeConnection ended it).
      if (stream.ended) throw new AppError('SERVICE_UNAVAILABLE', 'Subscription ended');
      const epoch = await this.currentEpoch();
      // Checked last, with no await before tRPC checks the same: a socket closed by now never
      // has this stream iterated (nor ended: its close handler may have run before it existed).
      if (stream.ended || options.connectionOpen?.() === false)
        throw new AppError('SERVICE_UNAVAILABLE', 'Subscription ended');
      if (lastEventId !== undefined)
        stream.replayFirst(this.replay(feed, stream, epoch, lastEventId));
      return stream;
    } catch (err) {
      stream.end();
      throw err;
    }
  }

  /**
   * The log after `lastEventId`, page by page, then done (the stream continues live); or a
   * `resync` when events may be missing. Moves the stream's `sent` as it goes.
   */
  private async *replay(
    feed: Feed,
    stream: Stream,
    epoch: bigint,
    lastEventId: string,
  ): AsyncGenerator<StreamItem, void, unknown> {
    const { userId } = feed;
    const done = () => stream.ended || this.stopped;
    const start = await this.startAfter(userId, epoch, lastEventId);
    if (start.resync) {
      stream.sent = { epoch, entry: start.entry };
      yield { id: formatEventId(epoch, start.entry), event: { type: 'resync' } };
      return;
    }
    let from = start.entry;
    stream.sent = { epoch, entry: from };
    for (;;) {
      if (done()) return;
      const page = await this.redis.xrange(
        redisKeys.eventLog(userId),
        `(${from}`,
        '+',
        'COUNT',
        REPLAY_PAGE,
      );
      const events = await this.bodies.resolve(page.map(([, fields]) => decodeFields(fields)));
      for (const [i, [entry]] of page.entries()) {
        from = entry;
        stream.sent = { epoch, entry };
        const event = events[i];
        if (event === undefined) {
          // A shared body expired before this entry: the log can't be replayed.
          const newest = await this.newestEntries([feed]);
          const last = maxEntry(newest[0]!, from);
          stream.sent = { epoch, entry: last };
          yield { id: formatEventId(epoch, last), event: { type: 'resync' } };
          return;
        }
        if (event) yield { id: formatEventId(epoch, entry), event };
      }
      if (page.length < REPLAY_PAGE) return;
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

  private join(userId: string, listener: Stream): Feed {
    // A client needs one. tRPC leaves a stream it refused after opening (a duplicate
    // subscription id) to end with its socket: the cap bounds those too.
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

  private leave(feed: Feed, listener: Stream): void {
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
