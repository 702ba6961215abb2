/**
 * Which sent message reached whom, when: matches `message.new` events to sends by the
 * message's `clientId`, and counts a message id arriving twice at one user as a duplicate.
 */
import type { StreamEvent } from './ws-client.js';

export interface TrackedMessage {
  clientId: string;
  sender: number;
  /** One recipient (direct chat) or a set (group, shared by every message to it). */
  recipients: number | ReadonlySet<number>;
  expected: number;
  sentAt: number;
  ackAt: number | null;
  error: string | null;
  received: number;
  firstAt: number | null;
  lastAt: number | null;
}

interface MessageNew {
  type: 'message.new';
  message: { id: string; clientId: string };
}

function isMessageNew(event: StreamEvent): event is StreamEvent & MessageNew {
  if (event.type !== 'message.new') return false;
  const m = (event as { message?: unknown }).message as Record<string, unknown> | undefined;
  return typeof m?.id === 'string' && typeof m.clientId === 'string';
}

export class DeliveryTracker {
  readonly messages = new Map<string, TrackedMessage>();
  /** Send → first arrival at the (direct chat) recipient, in arrival order. */
  readonly latencies: number[] = [];
  duplicates = 0;
  delivered = 0;
  lastDeliveryAt = 0;
  private readonly seen: Array<Set<string> | undefined>;
  private readonly waiters = new Map<string, () => void>();

  constructor(users: number) {
    this.seen = new Array<Set<string> | undefined>(users);
  }

  track(
    clientId: string,
    sender: number,
    recipients: number | ReadonlySet<number>,
    sentAt: number,
  ): TrackedMessage {
    const tracked: TrackedMessage = {
      clientId,
      sender,
      recipients,
      expected: typeof recipients === 'number' ? 1 : recipients.size,
      sentAt,
      ackAt: null,
      error: null,
      received: 0,
      firstAt: null,
      lastAt: null,
    };
    this.messages.set(clientId, tracked);
    return tracked;
  }

  /** The handler to install on the users' sockets. */
  readonly onEvent = (user: number, event: StreamEvent): void => {
    if (!isMessageNew(event)) return;
    const now = performance.now();
    const seen = (this.seen[user] ??= new Set());
    if (seen.has(event.message.id)) {
      this.duplicates++;
      return;
    }
    seen.add(event.message.id);
    const tracked = this.messages.get(event.message.clientId);
    if (!tracked) return;
    const isRecipient =
      typeof tracked.recipients === 'number'
        ? tracked.recipients === user
        : tracked.recipients.has(user);
    if (!isRecipient) return;
    tracked.received++;
    tracked.firstAt ??= now;
    tracked.lastAt = now;
    this.lastDeliveryAt = now;
    if (tracked.expected === 1) {
      this.delivered++;
      this.latencies.push(now - tracked.sentAt);
    }
    if (tracked.received === tracked.expected) {
      const wake = this.waiters.get(tracked.clientId);
      this.waiters.delete(tracked.clientId);
      wake?.();
    }
  };

  /** Resolves true once every recipient has the message, false after `timeoutMs`. */
  waitComplete(clientId: string, timeoutMs: number): Promise<boolean> {
    const tracked = this.messages.get(clientId);
    if (!tracked) return Promise.resolve(false);
    if (tracked.received >= tracked.expected) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(clientId);
        resolve(false);
      }, timeoutMs);
      this.waiters.set(clientId, () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
