import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { parseEnv } from '@chat/core';
import {
  checkFileStorageEnv,
  createFileStore,
  fileStorageEnv,
  fileStorageEnvSchema,
} from '../src/index.js';

test('defaults: GridFS, nothing else needed', () => {
  const env = parseEnv(fileStorageEnvSchema, {});
  assert.equal(env.FILE_STORAGE, 'gridfs');
  assert.equal(env.S3_REGION, 'us-east-1');
  assert.equal(env.S3_FORCE_PATH_STYLE, false);
});

test('s3 needs a bucket, and both keys or neither, with messages naming the variable', () => {
  assert.throws(
    () => parseEnv(fileStorageEnvSchema, { FILE_STORAGE: 's3' }),
    /S3_BUCKET: is required when FILE_STORAGE=s3/,
  );
  assert.throws(
    () =>
      parseEnv(fileStorageEnvSchema, {
        FILE_STORAGE: 's3',
        S3_BUCKET: 'chat',
        S3_ACCESS_KEY_ID: 'k',
      }),
    /S3_SECRET_ACCESS_KEY: is required with the other S3 key/,
  );
  const env = parseEnv(fileStorageEnvSchema, {
    FILE_STORAGE: 's3',
    S3_BUCKET: 'chat-files',
    S3_ENDPOINT: 'http://minio:9000',
    S3_FORCE_PATH_STYLE: 'true',
    S3_ACCESS_KEY_ID: 'minio',
    S3_SECRET_ACCESS_KEY: 'minio-secret',
  });
  assert.equal(env.S3_FORCE_PATH_STYLE, true);
  // Neither key: the SDK's default credential chain.
  assert.doesNotThrow(() =>
    parseEnv(fileStorageEnvSchema, { FILE_STORAGE: 's3', S3_BUCKET: 'chat-files' }),
  );
});

test('gridfs ignores the S3 variables; an unknown driver is refused', () => {
  assert.doesNotThrow(() => parseEnv(fileStorageEnvSchema, { S3_ACCESS_KEY_ID: 'only-one' }));
  assert.throws(() => parseEnv(fileStorageEnvSchema, { FILE_STORAGE: 'disk' }), /FILE_STORAGE/);
});

test('a process schema spreads the fragment and keeps its rules with superRefine', () => {
  const schema = z
    .object({ PORT: z.coerce.number().default(4000), ...fileStorageEnv })
    .superRefine(checkFileStorageEnv);
  assert.equal(parseEnv(schema, { PORT: '5000' }).PORT, 5000);
  assert.throws(() => parseEnv(schema, { FILE_STORAGE: 's3' }), /S3_BUCKET/);
});

test('createFileStore picks the driver; GridFS needs a database', async () => {
  const s3 = createFileStore(
    parseEnv(fileStorageEnvSchema, {
      FILE_STORAGE: 's3',
      S3_BUCKET: 'chat-files',
      S3_ENDPOINT: 'http://127.0.0.1:9',
    }),
  );
  assert.equal(s3.driver, 's3');
  await s3.close();
  assert.throws(
    () => createFileStore(parseEnv(fileStorageEnvSchema, {})),
    /needs a MongoDB database/,
  );
});
