/** Socket-level failures: the storage service is down or unreachable, not the request wrong. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** MongoDB driver errors that mean "no server to talk to" (GridFS). */
const MONGO_OUTAGE_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoTopologyClosedError',
  'MongoNotConnectedError',
  'MongoPoolClearedError',
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  cause?: unknown;
  errors?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/**
 * True when `err` says the storage behind a FileStore is unavailable (down, unreachable,
 * timing out, or answering 5xx), so a caller can answer 503 and a retry may succeed; false
 * for everything else (missing file, bad range, bad key, a body that failed). Follows
 * `cause` and `AggregateError.errors` (the SDK and Node wrap socket errors in both).
 */
export function isStorageOutage(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 5) return false;
  const e = err as ErrorLike;
  if (typeof e.name === 'string') {
    if (MONGO_OUTAGE_NAMES.has(e.name)) return true;
    // The AWS SDK's connection/socket timeouts (@smithy/node-http-handler).
    if (e.name === 'TimeoutError' || e.name === 'RequestTimeout') return true;
  }
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => isStorageOutage(inner, depth + 1)))
    return true;
  return isStorageOutage(e.cause, depth + 1);
}
