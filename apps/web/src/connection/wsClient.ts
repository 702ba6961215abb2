import { createWSClient } from '@trpc/client';
import type { Encoder } from '@trpc/server/adapters/ws';
import { getAccessToken } from '../auth/session';
import { socketAttempts } from './socketRefusal';

/** The server closes the socket with this code when the access token expires. */
export const TOKEN_EXPIRED_CLOSE_CODE = 4001;
const STREAM_PATH = 'events.stream';

/**
 * Resuming `events.stream` after a reconnect needs the id of the last *tracked* event.
 * tRPC's ws client (11.19) remembers the id of the last data message of any kind, and the
 * live-only `typing` / `presence` events carry none — one of them would make it resume
 * with no id at all, i.e. with a gap. So the encoder keeps the id itself and puts it back
 * on the subscription request whenever the client (re)sends it.
 */
let lastEventId: string | undefined;
const streamRequestIds = new Set<string | number>();

interface WireMessage {
  id?: string | number | null;
  method?: string;
  params?: { path?: string; lastEventId?: string };
  result?: { type?: string; id?: string };
}

function isWireMessage(value: unknown): value is WireMessage {
  return typeof value === 'object' && value !== null;
}

const trackingEncoder: Encoder = {
  encode(data) {
    for (const message of Array.isArray(data) ? (data as unknown[]) : [data]) {
      if (!isWireMessage(message)) continue;
      if (message.method === 'subscription' && message.params?.path === STREAM_PATH) {
        if (message.id != null) streamRequestIds.add(message.id);
        if (lastEventId) message.params.lastEventId = lastEventId;
      }
      if (message.method === 'subscription.stop' && message.id != null) {
        streamRequestIds.delete(message.id);
      }
    }
    return JSON.stringify(data);
  },
  decode(data) {
    if (typeof data !== 'string') throw new Error('Expected a text frame');
    const parsed: unknown = JSON.parse(data);
    for (const message of Array.isArray(parsed) ? (parsed as unknown[]) : [parsed]) {
      if (!isWireMessage(message) || message.id == null) continue;
      if (!streamRequestIds.has(message.id)) continue;
      if (message.result?.type === 'data' && typeof message.result.id === 'string') {
        lastEventId = message.result.id;
      }
    }
    return parsed;
  },
};

/** Forget the stream position (sign-out: the next user starts from now). */
export function resetEventStreamPosition(): void {
  lastEventId = undefined;
  streamRequestIds.clear();
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
  experimental_encoder: trackingEncoder,
  onOpen: () => socketAttempts.opened(),
  onClose: (cause) => {
    lastCloseCode = cause?.code ?? null;
    socketAttempts.closed();
  },
});
