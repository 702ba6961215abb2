import { createWSClient } from '@trpc/client';
import { createStreamPosition } from '@chat/sdk/stream-position';
import { getAccessToken } from '../auth/session';
import { socketAttempts } from './socketRefusal';

/** Where `events.stream` resumes after a reconnect (see the SDK's createStreamPosition). */
const position = createStreamPosition();

/** Forget the stream position (sign-out: the next user starts from now). */
export function resetEventStreamPosition(): void {
  position.reset();
}

let lastCloseCode: number | null = null;
export function getLastCloseCode(): number | null {
  return lastCloseCode;
}

export const wsClient = createWSClient({
  url: () =>
    `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/trpc`,
  // Called on every (re)connect: an expiring token is refreshed first (single-flight).
  connectionParams: async () => {
    const token = await getAccessToken();
    return token ? { token } : null;
  },
  // Connect only while something is subscribed (i.e. while signed in).
  lazy: { enabled: true, closeMs: 0 },
  // Notice a dead connection (network cut) within ~15 s even without a close frame.
  keepAlive: { enabled: true, intervalMs: 10_000, pongTimeoutMs: 5_000 },
  retryDelayMs: (attempt) => (attempt === 0 ? 0 : Math.min(500 * 2 ** attempt, 5_000)),
  experimental_encoder: position.encoder,
  onOpen: () => socketAttempts.opened(),
  onClose: (cause) => {
    lastCloseCode = cause?.code ?? null;
    socketAttempts.closed();
  },
});
