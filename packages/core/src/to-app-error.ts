import { AppError } from './errors.js';

/**
 * Turns whatever a handler threw into the error the caller receives. An outage of a
 * server we depend on — MongoDB (or FerretDB, or the PostgreSQL behind it), Redis — is
 * SERVICE_UNAVAILABLE: nothing was decided, the call is safe to retry. Anything else that
 * is not already an AppError is a bug: INTERNAL_SERVER_ERROR without its message.
 */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const outage = outageOf(err);
  if (outage) return new AppError('SERVICE_UNAVAILABLE', OUTAGE_MESSAGES[outage]);
  return new AppError('INTERNAL_SERVER_ERROR', 'Internal server error');
}

export type Outage = 'database' | 'redis' | 'network';

const OUTAGE_MESSAGES: Record<Outage, string> = {
  database: 'The database is unavailable; retry shortly',
  redis: 'A storage service is unavailable; retry shortly',
  network: 'A service this call needs is unreachable; retry shortly',
};

/** Which kind of dependency is out, if `err` (or an error it wraps) says one is; else null. */
export function outageOf(err: unknown, depth = 0): Outage | null {
  if (!isObject(err) || depth > 5) return null;
  return (
    databaseOutage(err) ??
    redisOutage(err) ??
    networkOutage(err) ??
    outageOf(err.cause, depth + 1) ??
    // MongoBulkWriteError (insertMany, bulkWrite) carries the error that stopped it here.
    outageOf(err.errorResponse, depth + 1) ??
    // Node's AggregateError: one error per address tried.
    (Array.isArray(err.errors)
      ? (err.errors as unknown[]).reduce<Outage | null>(
          (found, inner) => found ?? outageOf(inner, depth + 1),
          null,
        )
      : null)
  );
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
  errorResponse?: unknown;
  errors?: unknown;
  errorLabels?: unknown;
  errorLabelSet?: unknown;
}

const isObject = (value: unknown): value is ErrorLike =>
  typeof value === 'object' && value !== null;

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/** The mongodb driver's errors for "could not reach / lost the server" (mongoose re-uses them). */
const MONGO_UNREACHABLE = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoTopologyClosedError',
  'MongoNotConnectedError',
  'MongoPoolClearedError',
  'MongoWaitQueueTimeoutError',
]);

/** Server error codes meaning "not now" (shutdown, step-down, network), not "bad request". */
const MONGO_TRANSIENT_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/**
 * FerretDB answers InternalError (code 1) with PostgreSQL's driver message when it can't
 * reach PostgreSQL: "failed to connect to …: dial error …", "unexpected EOF", "conn closed",
 * or a PostgreSQL shutdown/startup SQLSTATE (57P01–57P03, class 08 connection exceptions).
 */
const POSTGRES_UNREACHABLE =
  /failed to connect to|dial (error|tcp)|connection refused|connection reset|unexpected EOF|conn closed|broken pipe|i\/o timeout|server closed the connection|the database system is (shutting down|starting up|not yet accepting connections|in recovery mode)|SQLSTATE (57P0[1-3]|08\d{3})/i;

function databaseOutage(e: ErrorLike): Outage | null {
  const name = text(e.name);
  if (MONGO_UNREACHABLE.has(name)) return 'database';
  if (name === 'MongooseError' && /buffering timed out/.test(text(e.message))) return 'database';
  // MongoServerError and its kin (MongoBulkWriteError, MongoWriteConcernError, …).
  if (name.startsWith('Mongo')) {
    if (typeof e.code === 'number' && MONGO_TRANSIENT_CODES.has(e.code)) return 'database';
    if (e.code === 1 && POSTGRES_UNREACHABLE.test(text(e.message))) return 'database';
  }
  const labels = [
    ...(Array.isArray(e.errorLabels) ? (e.errorLabels as unknown[]) : []),
    ...(e.errorLabelSet instanceof Set ? [...(e.errorLabelSet as Set<unknown>)] : []),
  ];
  if (labels.some((l) => l === 'ResetPool' || l === 'RetryableWriteError')) return 'database';
  return null;
}

/** Redis replies meaning "not now": loading after a restart, read-only replica, busy script… */
const REDIS_NOT_NOW = /^(LOADING|BUSY|MASTERDOWN|READONLY|MISCONF|TRYAGAIN|CLUSTERDOWN)\b/;

function redisOutage(e: ErrorLike): Outage | null {
  const name = text(e.name);
  const message = text(e.message);
  if (name === 'MaxRetriesPerRequestError') return 'redis';
  // ioredis: the connection ended or is not writable (enableOfflineQueue off).
  if (/^Connection is closed\.?$|^Stream isn't writeable/.test(message)) return 'redis';
  if (name === 'ReplyError' && REDIS_NOT_NOW.test(message)) return 'redis';
  return null;
}

/** A socket-level failure to reach anything: Node's own error codes. */
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

function networkOutage(e: ErrorLike): Outage | null {
  return typeof e.code === 'string' && NETWORK_CODES.has(e.code) ? 'network' : null;
}
