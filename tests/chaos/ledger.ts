import { compareEventIds } from './event-ids.js';

/** One message a user wanted to send, from the first try until acknowledged (or given up). */
export interface SendRecord {
  clientId: string;
  conversationId: string;
  senderId: string;
  /** The phase (fault) of the first try; -1 while queued (the run ended first). */
  phase: number;
  firstAttemptAt: number;
  attempts: number;
  ackedAt: number | null;
  messageId: string | null;
  /** A permanent error code that ended the retries. */
  rejected: string | null;
}

/** What one user's event stream received, as far as the checks need it. */
export interface FeedRecord {
  userId: string;
  /** message.new ids → when first received. */
  received: Map<string, number>;
  /** message.new ids received since the last resync (a resync reloads state). */
  sinceResync: Set<string>;
  /** Second deliveries of a message without a resync in between. */
  duplicates: Array<{ messageId: string; eventId: string | null; at: number }>;
  resyncs: Array<{ at: number; eventId: string | null }>;
  /** Ids at or below one received earlier. */
  regressions: Array<{ previous: string; next: string; type: string; at: number }>;
  highestId: string | null;
  /** Everything the stream did, one line each (written to the run's feed log). */
  trace: string[];
}

export interface Phase {
  name: string;
  start: number;
  /** When the fault was injected and when the component was back (restarted / server up). */
  faultAt: number | null;
  restoredAt: number | null;
  /** All processes ready and a send tried after the restore acknowledged; null = never. */
  recoveredAt: number | null;
  /** Processes that exited although nobody stopped them. */
  unexpectedExits: string[];
  /** Users whose stream was offline across the fault. */
  offline: string[];
}

/** Everything observed during a run; `analyse` turns it into per-phase figures. */
export class Ledger {
  readonly sends: SendRecord[] = [];
  readonly feeds = new Map<string, FeedRecord>();
  readonly phases: Phase[] = [];
  /** Error answers seen by clients: [time, "procedure:CODE"]. */
  readonly errors: Array<[number, string]> = [];
  /** Conversation id → participant ids. */
  readonly conversations = new Map<string, string[]>();
  /** Start of the latest send attempt that was acknowledged: "sends succeed again" after t. */
  latestAckedAttempt = 0;

  get phase(): number {
    return this.phases.length - 1;
  }

  startPhase(name: string, now = Date.now()): Phase {
    const phase: Phase = {
      name,
      start: now,
      faultAt: null,
      restoredAt: null,
      recoveredAt: null,
      unexpectedExits: [],
      offline: [],
    };
    this.phases.push(phase);
    return phase;
  }

  ack(attemptStartedAt: number): void {
    this.latestAckedAttempt = Math.max(this.latestAckedAttempt, attemptStartedAt);
  }

  error(kind: string, code: string, now = Date.now()): void {
    this.errors.push([now, `${kind}:${code}`]);
  }

  feed(userId: string): FeedRecord {
    let feed = this.feeds.get(userId);
    if (!feed) {
      feed = {
        userId,
        received: new Map(),
        sinceResync: new Set(),
        duplicates: [],
        resyncs: [],
        regressions: [],
        highestId: null,
        trace: [],
      };
      this.feeds.set(userId, feed);
    }
    return feed;
  }

  /** One item of a user's stream: `eventId` null for untracked (live-only) events. */
  event(
    userId: string,
    eventId: string | null,
    event: { type: string; message?: { id: string } },
    now = Date.now(),
  ): void {
    const feed = this.feed(userId);
    if (eventId !== null || event.type === 'resync')
      this.trace(userId, `${event.type} ${eventId ?? '(no id)'} ${event.message?.id ?? ''}`, now);
    if (eventId !== null) {
      if (feed.highestId !== null && compareEventIds(eventId, feed.highestId) <= 0)
        feed.regressions.push({
          previous: feed.highestId,
          next: eventId,
          type: event.type,
          at: now,
        });
      else feed.highestId = eventId;
    }
    if (event.type === 'resync') {
      feed.resyncs.push({ at: now, eventId });
      feed.sinceResync.clear();
      return;
    }
    if (event.type !== 'message.new' || !event.message) return;
    const id = event.message.id;
    if (feed.sinceResync.has(id)) feed.duplicates.push({ messageId: id, eventId, at: now });
    feed.sinceResync.add(id);
    if (!feed.received.has(id)) feed.received.set(id, now);
  }

  trace(userId: string, line: string, now = Date.now()): void {
    this.feed(userId).trace.push(`${new Date(now).toISOString()} ${line}`);
  }

  /** Phase index of a moment in the run. */
  phaseAt(time: number): number {
    for (let i = this.phases.length - 1; i >= 0; i--) if (this.phases[i]!.start <= time) return i;
    return 0;
  }
}
