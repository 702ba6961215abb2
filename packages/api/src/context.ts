import { randomUUID } from 'node:crypto';
import type { Logger, RequestMeta } from '@chat/core';
import type { RpcCaller } from './rpc.js';
import type { ClientEvent } from '@chat/contract';

/** One item of a user's event stream: `id` is set for stored (replayable) events only. */
export interface StreamItem {
  id: string | null;
  event: ClientEvent;
}

/** The per-user event log and live feed, implemented by the gateway on Redis. */
export interface EventSource {
  /**
   * Resolves once the subscription is live (what is appended from then on reaches it), with
   * the replay after `lastEventId` followed by the live items.
   */
  open(
    userId: string,
    options: {
      lastEventId?: string;
      /** The caller's connection (ApiContext.connectionKey): its close ends the stream. */
      connectionKey?: string;
      /** False once that connection closed (a stream opened for it then would never end). */
      connectionOpen?: () => boolean;
    },
  ): Promise<AsyncIterable<StreamItem>>;
}

export type RateLimitRule =
  'default' | 'register' | 'send' | 'typing' | 'upload' | 'react' | 'search';

/** Rate limits enforced by the gateway; each throws AppError TOO_MANY_REQUESTS with retryAfterMs. */
export interface RateLimits {
  consume(rule: RateLimitRule, key: string): Promise<void>;
  /** Refuses a login attempt while the identifier or the IP has too many recent failures. */
  assertLoginAllowed(identifier: string, ip: string): Promise<void>;
  recordLoginFailure(identifier: string, ip: string): Promise<void>;
  recordLoginSuccess(identifier: string): Promise<void>;
}

/** What a procedure sees; built per request (HTTP) or per connection (WebSocket). */
export interface ApiContext {
  /** Null on WebSocket connections: each call then gets its own id. */
  requestId: string | null;
  ip: string;
  /** Identifies one HTTP client address or one WebSocket, for per-connection limits. */
  connectionKey: string;
  /** WebSocket only: false once the socket is closing or closed. */
  connectionOpen?: () => boolean;
  user: { id: string } | null;
  /** Why the presented token was refused, for the UNAUTHORIZED message. */
  authError?: string;
  rpc: RpcCaller;
  limits: RateLimits;
  events: EventSource;
  log: Logger;
  /** Wraps each procedure call (the gateway's tracing span); `code` is its outcome. */
  traceCall?: <T extends { code: string }>(
    path: string,
    type: string,
    run: () => Promise<T>,
  ) => Promise<T>;
  /** Called once per procedure call, for metrics. */
  onProcedureDone?: (info: {
    requestId: string;
    userId: string | null;
    path: string;
    type: string;
    durationMs: number;
    code: string;
  }) => void;
}

export const metaOf = (ctx: ApiContext & { requestId: string }): RequestMeta => ({
  requestId: ctx.requestId,
  callId: randomUUID(),
  userId: ctx.user?.id ?? null,
  ip: ctx.ip,
});
