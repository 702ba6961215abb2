import mongoose, { type Connection } from 'mongoose';
import { retry, type Logger } from '@chat/core';
import { failWritesOnClosedSockets } from './closed-socket-writes.js';

export interface ConnectOptions {
  url: string;
  dbName: string;
  log: Logger;
  /** Connection attempts before giving up (backoff with jitter in between). */
  attempts?: number;
  /** Emit the driver's command events (commandStarted/Succeeded) on the client. */
  monitorCommands?: boolean;
}

/**
 * Opens a connection to one service's database. Retries with backoff so a worker
 * started before the database is up waits for it, then fails with a clear message.
 */
export async function connectDb({
  url,
  dbName,
  log,
  attempts = 20,
  monitorCommands = false,
}: ConnectOptions): Promise<Connection> {
  mongoose.set('strictQuery', true);
  failWritesOnClosedSockets();
  try {
    return await retry(
      async () => {
        const conn = mongoose.createConnection(url, {
          dbName,
          serverSelectionTimeoutMS: 3000,
          maxPoolSize: 20,
          // FerretDB and MongoDB 7 both speak the modern wire protocol; retryable writes need a replica set.
          retryWrites: false,
          monitorCommands,
        });
        try {
          await conn.asPromise();
          return conn;
        } catch (err) {
          await conn.close().catch(() => undefined);
          throw err;
        }
      },
      {
        attempts,
        onError: (err, attempt, delayMs) =>
          log.warn(
            { attempt, delayMs, err: (err as Error).message, dbName },
            'database not reachable, retrying',
          ),
      },
    );
  } catch (err) {
    throw new Error(
      `Cannot connect to MongoDB at ${redact(url)} (db ${dbName}): ${(err as Error).message}`,
    );
  }
}

/** Hides credentials in URLs that end up in logs. */
function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

/** Mongo error 11000: a unique index refused the write. */
export function isDuplicateKeyError(
  err: unknown,
): err is { code: 11000; keyPattern?: Record<string, unknown>; message: string } {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}
