import { outageOf } from '@chat/core';

interface ErrorLike {
  name?: unknown;
  cause?: unknown;
  errors?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/**
 * True when `err` says the storage behind a FileStore is unavailable (down, unreachable,
 * timing out, or answering 5xx), so a caller can answer 503 and a retry may succeed; false
 * for everything else (missing file, bad range, bad key, a body that failed). GridFS speaks
 * MongoDB, whose outages core's `outageOf` knows; S3 adds its own timeouts and 5xx answers.
 */
export function isStorageOutage(err: unknown): boolean {
  return outageOf(err) !== null || s3Unavailable(err);
}

/** The AWS SDK's timeouts (@smithy/node-http-handler) and 5xx answers, wrapped or not. */
function s3Unavailable(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 5) return false;
  const e = err as ErrorLike;
  if (e.name === 'TimeoutError' || e.name === 'RequestTimeout') return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => s3Unavailable(inner, depth + 1)))
    return true;
  return s3Unavailable(e.cause, depth + 1);
}
