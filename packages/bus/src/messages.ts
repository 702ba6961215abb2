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

/**
 * Several requests for one queue in one message (header `x-batch`): what a process asks of
 * the same queue in one turn of its event loop. Each keeps its own id and trace headers.
 */
export interface RpcRequestBatch {
  requests: Array<{ id: string; request: RpcRequest; headers: Record<string, unknown> }>;
}

/** Several replies to one caller in one message (header `x-batch`), each under its request's id. */
export interface RpcReplyBatch {
  replies: Array<{ id: string; reply: RpcReply }>;
}
