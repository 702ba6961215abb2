import type { StreamItem } from '@chat/api';
import { AppError } from '@chat/core';
import { compareEventIds, parseEventId, type EventId } from './event-ids.js';

/**
 * A subscriber's stream, as tRPC iterates it: first its replay (the log after `lastEventId`,
 * read page by page), then what its feed pushed, skipping stored events at or below the
 * highest id already yielded. A plain iterator rather than an async generator: an idle
 * subscription holds one pending promise, not suspended generator frames (memory per idle
 * connection), and `return()` takes effect at once even while a `next()` waits.
 */
export class Stream implements AsyncIterableIterator<StreamItem> {
  private readonly queue: StreamItem[] = [];
  private head = 0;
  /** Resolves the `next()` waiting for a push or the end. */
  private wake: (() => void) | null = null;
  private replay: AsyncIterator<StreamItem> | null = null;
  /** The highest stored event id yielded (or skipped by a resync): nothing at or below again. */
  sent: EventId | null = null;
  private overflow = false;
  private finished = false;
  /** tRPC asked for an item: until then the stream may be one tRPC never iterates. */
  pulled = false;
  readonly openedAt = Date.now();

  constructor(
    /** The WebSocket (or HTTP client) it belongs to: closing it ends the stream. */
    readonly connectionKey: string | undefined,
    private readonly maxQueued: number,
    /** A stream never iterated this long after opening is ended by its next push. */
    private readonly unpulledMs: number,
    /** Leaves the feed: called once, however the stream ends. */
    private readonly onEnd: () => void,
  ) {}

  get ended(): boolean {
    return this.finished;
  }

  /** Replays before anything queued is yielded (set before the first `next()`). */
  replayFirst(replay: AsyncIterator<StreamItem>): void {
    this.replay = replay;
  }

  push(item: StreamItem): void {
    if (this.finished) return;
    // One tRPC never iterates (it refused it after opening): nobody will read it.
    if (!this.pulled && Date.now() - this.openedAt > this.unpulledMs) return this.end();
    if (this.queue.length - this.head >= this.maxQueued) this.overflow = true;
    else this.queue.push(item);
    this.notify();
  }

  /** Ends it: a waiting `next()` and every later one say done; the feed is left. */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    this.queue.length = 0;
    this.head = 0;
    const replay = this.replay;
    this.replay = null;
    replay?.return?.().catch(() => undefined);
    this.onEnd();
    this.notify();
  }

  next(): Promise<IteratorResult<StreamItem, undefined>> {
    this.pulled = true;
    const replay = this.replay;
    if (replay && !this.finished)
      return replay.next().then(
        (result) => {
          if (!result.done) return result;
          if (this.replay === replay) this.replay = null;
          return this.next();
        },
        (err: unknown) => {
          this.end();
          throw err;
        },
      );
    return this.live();
  }

  return(): Promise<IteratorResult<StreamItem, undefined>> {
    this.end();
    return Promise.resolve(DONE);
  }

  throw(err?: unknown): Promise<IteratorResult<StreamItem, undefined>> {
    this.end();
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private live(): Promise<IteratorResult<StreamItem, undefined>> {
    for (;;) {
      if (this.finished) return Promise.resolve(DONE);
      const item = this.take();
      if (item) {
        if (item.id !== null) {
          const id = parseEventId(item.id)!;
          if (this.sent !== null && compareEventIds(id, this.sent) <= 0) continue;
          this.sent = id;
        }
        return Promise.resolve({ value: item, done: false });
      }
      if (this.overflow) {
        this.end();
        return Promise.reject(
          new AppError('SERVICE_UNAVAILABLE', 'Event stream fell behind; resubscribe'),
        );
      }
      return new Promise((resolve) => {
        this.wake = () => resolve(this.live());
      });
    }
  }

  private take(): StreamItem | undefined {
    if (this.head >= this.queue.length) return undefined;
    const item = this.queue[this.head++]!;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    }
    return item;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };
