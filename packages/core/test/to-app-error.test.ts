import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError, outageOf, toAppError } from '../src/index.js';

/** An error as the drivers build them: a class name, a code, a message (and labels/cause). */
function driverError(name: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name }, extra);
}

// Messages FerretDB 1.24 returned (code 1, InternalError) while its PostgreSQL was unreachable,
// captured from a real run: the relay to PostgreSQL was closed under a running FerretDB.
const FERRET_PG_DOWN = [
  '[msg_insert.go:168 handler.(*Handler).MsgInsert] unexpected EOF',
  '[msg_find.go:344 handler.handleMaxTimeMSError] [collection.go:109 postgresql.(*collection).Query] failed to connect to `user=postgres database=ferretdb`:\n\t127.0.0.1:25432 (127.0.0.1): dial error: dial tcp 127.0.0.1:25432: connect: connection refused',
  'FATAL: terminating connection due to administrator command (SQLSTATE 57P01)',
  'FATAL: the database system is starting up (SQLSTATE 57P03)',
];

describe('toAppError', () => {
  test('an AppError passes through unchanged', () => {
    const err = new AppError('NOT_FOUND', 'No such conversation', { x: 1 });
    assert.equal(toAppError(err), err);
  });

  test('database outages: driver network errors, server selection, buffering, FerretDB without PostgreSQL', () => {
    const outages = [
      driverError('MongoNetworkError', 'connect ECONNREFUSED 127.0.0.1:27017', {
        errorLabels: ['ResetPool'],
      }),
      driverError('MongoServerSelectionError', 'connect ECONNREFUSED 127.0.0.1:27017'),
      driverError('MongooseServerSelectionError', 'Server selection timed out after 3000 ms'),
      driverError('MongoNetworkTimeoutError', 'connection 4 to 127.0.0.1:27017 timed out'),
      driverError('MongoPoolClearedError', 'Connection pool for 127.0.0.1:27017 was cleared'),
      driverError('MongoTopologyClosedError', 'Topology is closed'),
      driverError(
        'MongooseError',
        'Operation `messages.insertOne()` buffering timed out after 10000ms',
      ),
      driverError('MongoServerError', 'interrupted at shutdown', { code: 11600 }),
      driverError('MongoServerError', 'not primary', { code: 10107 }),
      driverError('MongoServerError', 'write failed', {
        errorLabelSet: new Set(['RetryableWriteError']),
      }),
      ...FERRET_PG_DOWN.map((m) => driverError('MongoServerError', m, { code: 1 })),
      driverError('MongoBulkWriteError', FERRET_PG_DOWN[0]!, { code: 1 }),
      // insertMany while FerretDB itself was down (chaos run): no code, the cause in errorResponse.
      driverError('MongoBulkWriteError', 'connect ECONNREFUSED 127.0.0.1:28017', {
        errorLabelSet: new Set(),
        errorResponse: driverError(
          'MongoServerSelectionError',
          'connect ECONNREFUSED 127.0.0.1:28017',
        ),
      }),
    ];
    for (const err of outages) {
      const mapped = toAppError(err);
      assert.equal(mapped.code, 'SERVICE_UNAVAILABLE', `${err.name}: ${err.message}`);
      assert.equal(outageOf(err), 'database', err.message);
      assert.doesNotMatch(mapped.message, /ECONNREFUSED|127\.0\.0\.1|postgres/i, 'no internals');
    }
  });

  test('Redis outages: ioredis retries exhausted, closed connection, "not now" replies', () => {
    const outages = [
      driverError(
        'MaxRetriesPerRequestError',
        'Reached the max retries per request limit (which is 2). Refer to "maxRetriesPerRequest" option for details.',
      ),
      new Error('Connection is closed.'),
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
      driverError('ReplyError', 'LOADING Redis is loading the dataset in memory'),
      driverError(
        'ReplyError',
        'MISCONF Redis is configured to save RDB snapshots, but it is currently not able to persist on disk',
      ),
      driverError('ReplyError', "READONLY You can't write against a read only replica."),
    ];
    for (const err of outages) {
      assert.equal(toAppError(err).code, 'SERVICE_UNAVAILABLE', err.message);
      assert.equal(outageOf(err), 'redis', err.message);
    }
  });

  test('a socket error, also wrapped as a cause, is an outage', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), {
      code: 'ECONNREFUSED',
    });
    assert.equal(toAppError(refused).code, 'SERVICE_UNAVAILABLE');
    const wrapped = new Error('limiter failed', { cause: new Error('inner', { cause: refused }) });
    assert.equal(toAppError(wrapped).code, 'SERVICE_UNAVAILABLE');
  });

  test('anything else is INTERNAL_SERVER_ERROR without its message', () => {
    const bugs: unknown[] = [
      new TypeError("Cannot read properties of undefined (reading 'id')"),
      driverError('MongoServerError', 'E11000 duplicate key error', { code: 11000 }),
      driverError('MongoServerError', '[handler.go:1] unsupported operator $where', { code: 1 }),
      driverError(
        'ReplyError',
        'WRONGTYPE Operation against a key holding the wrong kind of value',
      ),
      driverError('ValidationError', 'Message validation failed'),
      'a string',
      null,
      undefined,
      { message: 'plain object' },
    ];
    for (const err of bugs) {
      const mapped = toAppError(err);
      assert.equal(mapped.code, 'INTERNAL_SERVER_ERROR', String(err));
      assert.equal(mapped.message, 'Internal server error');
      assert.equal(outageOf(err), null);
    }
  });
});
