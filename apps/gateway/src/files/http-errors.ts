import type { ServerResponse } from 'node:http';
import type { ErrorCode, Logger } from '@chat/core';
import { isStorageOutage } from '@chat/files';
import { sendTrpcError } from '../request-guards.js';

const STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_MANY_REQUESTS: 429,
  PAYLOAD_TOO_LARGE: 413,
  SERVICE_UNAVAILABLE: 503,
  GATEWAY_TIMEOUT: 504,
  INTERNAL_SERVER_ERROR: 500,
};

/** An error of the file routes, in tRPC's JSON shape like every other answer of the API. */
export function sendFileError(
  res: ServerResponse,
  code: ErrorCode,
  message: string,
  extra: { retryAfterMs?: number; close?: boolean } = {},
  /** When HTTP has a more precise status than the code's (416 for a bad Range). */
  status: number = STATUS[code],
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = {};
  if (extra.retryAfterMs !== undefined)
    headers['retry-after'] = String(Math.ceil(extra.retryAfterMs / 1000));
  // Unread body left: close the connection rather than read it (a 413 must not read 25 MiB).
  if (extra.close) headers.connection = 'close';
  sendTrpcError(
    res,
    code,
    status,
    message,
    headers,
    extra.retryAfterMs === undefined ? {} : { retryAfterMs: extra.retryAfterMs },
  );
}

/**
 * A failure of the file store or of code: 503 when storage is down or failing (retry
 * later; logged as a warning), else a logged 500. Resolves whether an answer was sent.
 */
export function sendStorageFailure(
  res: ServerResponse,
  err: unknown,
  log: Logger,
  what: string,
  extra: { close?: boolean } = {},
): void {
  if (isStorageOutage(err)) {
    log.warn({ err: (err as Error).message }, 'file storage unavailable');
    return sendFileError(
      res,
      'SERVICE_UNAVAILABLE',
      'File storage is unavailable; retry shortly',
      extra,
    );
  }
  log.error({ err }, `${what} failed`);
  sendFileError(
    res,
    'INTERNAL_SERVER_ERROR',
    `${what[0]!.toUpperCase()}${what.slice(1)} failed`,
    extra,
  );
}
