import type { ErrorCode, RequestMeta } from '@chat/core';

export type { RequestMeta };

export interface RpcRequest {
  method: string;
  input: unknown;
  meta: RequestMeta;
  /** Epoch ms after which the caller has given up; the server drops the request. */
  deadline: number;
}

export type RpcReply =
  | { ok: true; data: unknown }
  | { ok: false; error: { code: ErrorCode; message: string; data?: Record<string, unknown> } };

export interface EventEnvelope<T = unknown> {
  /** Unique per event: consumers use it to make redeliveries harmless. */
  id: string;
  type: string;
  occurredAt: string;
  requestId: string;
  data: T;
}
