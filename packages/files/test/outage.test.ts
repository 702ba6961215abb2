import assert from 'node:assert/strict';
import { test } from 'node:test';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { MongoNetworkError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { FileExistsError, FileNotFoundError, isStorageOutage } from '../src/index.js';

const s3Error = (name: string, status: number) =>
  new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });

test('down, unreachable, timing out or 5xx: an outage', () => {
  assert.ok(isStorageOutage(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })));
  assert.ok(isStorageOutage(new MongoServerSelectionError('no server', {} as never)));
  assert.ok(isStorageOutage(new MongoNetworkError('socket closed')));
  assert.ok(
    isStorageOutage(Object.assign(new Error('socket timed out'), { name: 'TimeoutError' })),
  );
  assert.ok(isStorageOutage(s3Error('ServiceUnavailable', 503)));
  assert.ok(isStorageOutage(s3Error('InternalError', 500)));
  // Wrapped: Node's AggregateError of several addresses, an error's cause.
  assert.ok(
    isStorageOutage(
      new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })], 'all failed'),
    ),
  );
  assert.ok(
    isStorageOutage(
      new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }),
    ),
  );
});

test('what the caller or the data got wrong is not an outage', () => {
  for (const err of [
    new FileNotFoundError('k'),
    new FileExistsError('k'),
    new RangeError('bad range'),
    new TypeError('bad key'),
    new Error('client went away'),
    s3Error('AccessDenied', 403),
    s3Error('NoSuchBucket', 404),
    new MongoServerError({ message: 'duplicate key', code: 11000 }),
    null,
    'a string',
  ])
    assert.equal(isStorageOutage(err), false, String(err));
});
