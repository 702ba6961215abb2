import type { Encoder } from '@trpc/server/adapters/ws';

const STREAM_PATH = 'events.stream';

interface WireMessage {
  id?: string | number | null;
  method?: string;
  params?: { path?: string; lastEventId?: string };
  result?: { type?: string; id?: string };
}

const isWireMessage = (value: unknown): value is WireMessage =>
  typeof value === 'object' && value !== null;

/**
 * Where `events.stream` resumes after a reconnect. Resuming needs the id of the last
 * *tracked* event, but tRPC's ws client (11.19) remembers the id of the last data message of
 * any kind, and the live-only `typing` / `presence` events carry none: one of them would make
 * it resume with no id at all — a gap. This encoder keeps the id itself and puts it back on
 * the subscription request whenever the client (re)sends it.
 */
export interface StreamPosition {
  encoder: Encoder;
  /** The last tracked event id seen, if any. */
  readonly lastEventId: string | undefined;
  /** Forget it (sign-out: the next user starts from now). */
  reset(): void;
}

export function createStreamPosition(): StreamPosition {
  let lastEventId: string | undefined;
  const streamRequestIds = new Set<string | number>();
  const each = (data: unknown) => (Array.isArray(data) ? (data as unknown[]) : [data]);
  return {
    get lastEventId() {
      return lastEventId;
    },
    reset() {
      lastEventId = undefined;
      streamRequestIds.clear();
    },
    encoder: {
      encode(data) {
        for (const message of each(data)) {
          if (!isWireMessage(message)) continue;
          if (message.method === 'subscription' && message.params?.path === STREAM_PATH) {
            if (message.id != null) streamRequestIds.add(message.id);
            if (lastEventId) message.params.lastEventId = lastEventId;
          }
          if (message.method === 'subscription.stop' && message.id != null)
            streamRequestIds.delete(message.id);
        }
        return JSON.stringify(data);
      },
      decode(data) {
        if (typeof data !== 'string') throw new Error('Expected a text frame');
        const parsed: unknown = JSON.parse(data);
        for (const message of each(parsed)) {
          if (!isWireMessage(message) || message.id == null) continue;
          if (!streamRequestIds.has(message.id)) continue;
          if (message.result?.type === 'data' && typeof message.result.id === 'string')
            lastEventId = message.result.id;
        }
        return parsed;
      },
    },
  };
}
