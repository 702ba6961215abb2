import { createChatWsClient } from '@chat/sdk';
import { sessions } from '../auth/session';
import { socketAttempts } from './socketRefusal';

/** The one WebSocket: fresh token on every (re)connect, `events.stream` resumes (see the SDK). */
const ws = createChatWsClient({
  url: () =>
    `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/trpc`,
  sessions,
  // Connect only while something is subscribed (i.e. while signed in).
  lazy: { enabled: true, closeMs: 0 },
  // Notice a dead connection (network cut) within ~15 s even without a close frame.
  keepAlive: { enabled: true, intervalMs: 10_000, pongTimeoutMs: 5_000 },
  retryDelayMs: (attempt) => (attempt === 0 ? 0 : Math.min(500 * 2 ** attempt, 5_000)),
  onOpen: () => socketAttempts.opened(),
  onClose: () => socketAttempts.closed(),
});

export const eventSocket = ws;
export const wsClient = ws.client;

/** Forget the stream position (sign-out: the next user starts from now). */
export function resetEventStreamPosition(): void {
  ws.position.reset();
}
