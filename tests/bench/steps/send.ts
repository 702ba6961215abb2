import { randomUUID } from 'node:crypto';
import type { DeliveryTracker, TrackedMessage } from '../deliveries.js';
import type { ConnectedUsers } from '../population.js';
import type { MutationResult } from '../ws-client.js';

/** How long a client waits for a `chat.send` answer before counting CLIENT_TIMEOUT. */
export const SEND_TIMEOUT_MS = 30_000;

const FILLER = 'the quick brown fox jumps over the lazy dog while the team ships the release';

/** A realistic short chat line (≈ 40–80 characters), different for every message. */
export function messageText(n: number): string {
  return `${n}: ${FILLER.slice(0, 30 + (n % 45))}`;
}

/** One message's send, answer and deliveries, epoch milliseconds (to find its trace). */
export interface TracedSample {
  sentMs: number;
  ackMs: number;
  /** The (last) recipient has it. */
  deliveredMs: number;
  /** The first recipient has it (groups). */
  firstMs?: number;
}

const epochOf = (now: number) => performance.timeOrigin + now;

/** The times of a message answered and delivered to all its recipients. */
export function tracedSample(tracked: TrackedMessage): TracedSample | null {
  if (tracked.ackAt === null || tracked.lastAt === null) return null;
  return {
    sentMs: epochOf(tracked.sentAt),
    ackMs: epochOf(tracked.ackAt),
    deliveredMs: epochOf(tracked.lastAt),
    ...(tracked.firstAt === null ? {} : { firstMs: epochOf(tracked.firstAt) }),
  };
}

/** Sends one `chat.send` over the sender's own socket and records it in `tracker`. */
export function sendTracked(
  users: ConnectedUsers,
  tracker: DeliveryTracker,
  sender: number,
  conversationId: string,
  recipients: number | ReadonlySet<number>,
  n: number,
): { tracked: TrackedMessage; answer: Promise<MutationResult> } {
  const clientId = randomUUID();
  const tracked = tracker.track(clientId, sender, recipients, performance.now());
  const answer = users.sockets[sender]!.mutate(
    'chat.send',
    { conversationId, clientId, content: messageText(n) },
    SEND_TIMEOUT_MS,
  ).then((result) => {
    if (result.ok) tracked.ackAt = performance.now();
    else tracked.error = result.code;
    return result;
  });
  return { tracked, answer };
}
