import type { Logger, RequestMeta } from '@chat/core';
import type { RpcCaller } from './rpc.js';

export type RateLimitRule = 'default' | 'register' | 'send' | 'typing';

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
  user: { id: string } | null;
  /** Why the presented token was refused, for the UNAUTHORIZED message. */
  authError?: string;
  rpc: RpcCaller;
  limits: RateLimits;
  log: Logger;
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
  userId: ctx.user?.id ?? null,
  ip: ctx.ip,
});
