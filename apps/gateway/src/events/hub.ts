import type { Redis } from 'ioredis';
import type { ClientEvent, EventSource, StreamItem, StoredEvent } from '@chat/api';
import { AppError, type Logger } from '@chat/core';
import { compareIds } from './stream-ids.js';

/** Redis keys shared with the notification worker (which appends) and the chat worker (typing). */
const streamKey = (userId: string) => `events:${userId}`;
const floorKey = (userId: string) => `events:${userId}:trimmed`;
const liveChannel = (userId: string) => `live:${userId}`;
const LIVE_PREFIX = 'live:';
const STREAM_PREFIX = 'events:';

const REPLAY_PAGE = 500;
const READ_COUNT = 500;
/** Upper bound of one XREAD BLOCK; new users interrupt it sooner (CLIENT UNBLOCK). */
const BLOCK_MS = 2_000;

export interface EventHubOptions {
  /** Commands (XRANGE, GET, CLIENT UNBLOCK); the hub opens two more connections from it. */
  redis: Redis;
  log: Logger;
  /** Items one subscriber may have queued before it is cut off (it resumes with lastEventId). */
  maxQueued?: number;
}

interface Listener {
  push(item: StreamItem): void;
}

/** One connected user on this gateway: its subscribers and how far the XREAD loop has read. */
interface Feed {
  userId: string;
  listeners: Set<Listener>;
  /** Highest stream id dispatched; null until the feed is set up. */
  cursor: string | null;
  ready: Promise<void>;
}

/**
 * `ctx.events` on Redis. Per gateway: one XREAD BLOCK loop over the streams of every user
 * connected here (a dedicated connection) and one pub/sub connection for `live:{userId}`.
 *
 * A subscription joins its user's feed first (from then on every new stored event is
 * queued for it), waits until the feed has a cursor and its live channel, then replays
 * the stream after `lastEventId` up to its end, then drains the queue delivering stored
 * events only with ids above the highest already sent: no gap, no duplicate.
 */
export class EventHub implements EventSource {
  private readonly redis: Redis;
  private readonly blocker: Redis;
  private readonly subscriber: Redis;
  private readonly log: Logger;
  private readonly maxQueued: number;
  private readonly feeds = new Map<string, Feed>();
  private blockerId: number | null = null;
  private blocked = false;
  private stopped = false;
  private idle: (() => void) | null = null;
  private loopDone: Promise<void> | null = null;
  private readonly stopListeners = new Set<() => void>();

  constructor(options: EventHubOptions) {
    this.redis = options.redis;
    this.log = options.log;
    this.maxQueued = options.maxQueued ?? 10_000;
    this.blocker = options.redis.duplicate({ maxRetriesPerRequest: null });
    this.subscriber = options.redis.duplicate({ maxRetriesPerRequest: null });
    for (const [name, conn] of [
      ['blocker', this.blocker],
      ['subscriber', this.subscriber],
    ] as const) {
      conn.on('error', (err: Error) =>
        this.log.warn({ err: err.message, connection: name }, 'event hub redis error'),
      );
    }
    this.blocker.on('ready', () => {
      this.blocker.client('ID').then(
        (id) => (this.blockerId = Number(id)),
        () => (this.blockerId = null),
      );
    });
    this.subscriber.on('message', (channel: string, message: string) =>
      this.onLive(channel, message),
    );
  }

  /** Connects the hub's own connections and starts the read loop (it retries on its own). */
  start(): void {
    this.loopDone ??= (async () => {
      try {
        await Promise.all(
          [this.blocker, this.subscriber]
            .filter((c) => c.status === 'wait')
            .map((c) => c.connect()),
        );
        this.blockerId = Number(await this.blocker.client('ID'));
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'event hub connect failed, retrying');
      }
      await this.loop();
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.idle?.();
    for (const end of this.stopListeners) end();
    await this.interrupt();
    await this.loopDone?.catch(() => undefined);
    this.blocker.disconnect();
    this.subscriber.disconnect();
  }

  /** Users with at least one open subscription on this gateway. */
  get connectedUsers(): number {
    return this.feeds.size;
  }

  async *stream(
    userId: string,
    lastEventId: string | undefined,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<StreamItem, void, unknown> {
    if (this.stopped) throw new AppError('SERVICE_UNAVAILABLE', 'Gateway is shutting down');
    const queue: StreamItem[] = [];
    let wake: (() => void) | null = null;
    let overflow = false;
    let ended = false;
    const notify = () => {
      const w = wake;
      wake = null;
      w?.();
    };
    const maxQueued = this.maxQueued;
    const listener: Listener = {
      push(item) {
        if (queue.length >= maxQueued) overflow = true;
        else queue.push(item);
        notify();
      },
    };
    const end = () => {
      ended = true;
      notify();
    };
    signal?.addEventListener('abort', end);
    this.stopListeners.add(end);
    const feed = this.join(userId, listener);
    const done = () => ended || this.stopped || signal?.aborted === true;
    try {
      await feed.ready;
      let sent: string | null = null;
      if (lastEventId !== undefined) {
        const start = await this.startAfter(userId, lastEventId);
        if (start.resync) {
          yield { id: start.lastId, event: { type: 'resync' } };
          sent = start.lastId ?? '0-0';
        } else {
          let from = lastEventId;
          sent = lastEventId;
          for (;;) {
            if (done()) return;
            const page = await this.redis.xrange(
              streamKey(userId),
              `(${from}`,
              '+',
              'COUNT',
              REPLAY_PAGE,
            );
            for (const [id, fields] of page) {
              from = id;
              sent = id;
              const event = parseStored(fields);
              if (event) yield { id, event };
            }
            if (page.length < REPLAY_PAGE) break;
          }
        }
      }
      for (;;) {
        while (queue.length > 0) {
          const item = queue.shift()!;
          if (item.id !== null) {
            if (sent !== null && compareIds(item.id, sent) <= 0) continue;
            sent = item.id;
          }
          yield item;
        }
        if (overflow)
          throw new AppError('SERVICE_UNAVAILABLE', 'Event stream fell behind; resubscribe');
        if (done()) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      signal?.removeEventListener('abort', end);
      this.stopListeners.delete(end);
      this.leave(feed, listener);
    }
  }

  /** Where a resuming subscription starts: after `lastEventId`, or a resync if events were lost. */
  private async startAfter(
    userId: string,
    lastEventId: string,
  ): Promise<{ resync: boolean; lastId: string | null }> {
    const [floor, newest] = await Promise.all([
      this.redis.get(floorKey(userId)),
      this.redis.xrevrange(streamKey(userId), '+', '-', 'COUNT', 1),
    ]);
    const lastId = newest[0]?.[0] ?? null;
    const trimmed = floor !== null && compareIds(lastEventId, floor) < 0;
    // An id beyond the newest entry (or a vanished log) means the log was lost: resync too.
    const unknown = lastId === null || compareIds(lastEventId, lastId) > 0;
    return { resync: trimmed || unknown, lastId };
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
      ready: Promise.resolve(),
    };
    this.feeds.set(userId, feed);
    feed.ready = (async () => {
      // Subscribe first: the live channel carries no ids, so it can't be caught up later.
      await this.subscriber.subscribe(liveChannel(userId));
      const newest = await this.redis.xrevrange(streamKey(userId), '+', '-', 'COUNT', 1);
      feed.cursor = newest[0]?.[0] ?? '0-0';
      void this.interrupt();
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
    this.subscriber.unsubscribe(liveChannel(feed.userId)).catch((err: Error) => {
      this.log.warn({ err: err.message }, 'live unsubscribe failed');
    });
  }

  private onLive(channel: string, message: string): void {
    if (!channel.startsWith(LIVE_PREFIX)) return;
    const feed = this.feeds.get(channel.slice(LIVE_PREFIX.length));
    if (!feed) return;
    let event: ClientEvent;
    try {
      event = JSON.parse(message) as ClientEvent;
    } catch {
      this.log.warn({ channel }, 'malformed live event dropped');
      return;
    }
    for (const listener of feed.listeners) listener.push({ id: null, event });
  }

  /** Ends a running XREAD BLOCK early so the loop picks up new feeds (or stops). */
  private async interrupt(): Promise<void> {
    this.idle?.();
    if (!this.blocked || this.blockerId === null) return;
    await this.redis
      .client('UNBLOCK', this.blockerId)
      .catch((err: Error) => this.log.debug({ err: err.message }, 'client unblock failed'));
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      const feeds = [...this.feeds.values()].filter((f) => f.cursor !== null);
      if (feeds.length === 0) {
        await new Promise<void>((resolve) => {
          this.idle = resolve;
          setTimeout(resolve, BLOCK_MS).unref();
        });
        this.idle = null;
        continue;
      }
      try {
        this.blocked = true;
        const result = await this.blocker.xread(
          'COUNT',
          READ_COUNT,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          ...feeds.map((f) => streamKey(f.userId)),
          ...feeds.map((f) => f.cursor!),
        );
        this.blocked = false;
        failures = 0;
        if (result) this.dispatch(result);
      } catch (err) {
        this.blocked = false;
        if (this.stopped) break;
        failures++;
        this.log.warn({ err: (err as Error).message }, 'event hub read failed, retrying');
        await new Promise((r) => setTimeout(r, Math.min(5_000, 100 * 2 ** failures)));
      }
    }
  }

  private dispatch(result: Array<[string, Array<[string, string[]]>]>): void {
    for (const [key, entries] of result) {
      const feed = this.feeds.get(key.slice(STREAM_PREFIX.length));
      if (!feed || feed.cursor === null) continue;
      for (const [id, fields] of entries) {
        if (compareIds(id, feed.cursor) <= 0) continue;
        feed.cursor = id;
        const event = parseStored(fields);
        if (!event) continue;
        for (const listener of feed.listeners) listener.push({ id, event });
      }
    }
  }
}

function parseStored(fields: string[]): StoredEvent | null {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] !== 'e') continue;
    try {
      return JSON.parse(fields[i + 1]!) as StoredEvent;
    } catch {
      return null;
    }
  }
  return null;
}
