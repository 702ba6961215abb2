import { z } from 'zod';
import type { Db } from 'mongodb';
import { envBool } from '@chat/core';
import { createGridFsStore } from './gridfs.js';
import { createS3Store } from './s3.js';
import type { FileStore } from './store.js';

/**
 * The variables of file storage, for the env schemas of the processes that store files
 * (gateway, chat worker): spread into their `z.object({...})` like `tracingEnv`, and add
 * `.superRefine(checkFileStorageEnv)` so S3 settings are required exactly when used.
 */
export const fileStorageEnv = {
  /** `gridfs`: in the service's MongoDB (default; development); `s3`: an S3-compatible bucket. */
  FILE_STORAGE: z.enum(['gridfs', 's3']).default('gridfs'),
  S3_BUCKET: z.string().min(3).max(63).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  /** An S3-compatible server (MinIO: http://minio:9000); unset = AWS. */
  S3_ENDPOINT: z.string().url().optional(),
  /** Path-style URLs (bucket in the path): MinIO and most non-AWS servers need it. */
  S3_FORCE_PATH_STYLE: envBool(false),
  /** Both or neither; neither = the SDK's default credentials (AWS_* variables, roles). */
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
};

const fileStorageObject = z.object(fileStorageEnv);
export type FileStorageEnv = z.infer<typeof fileStorageObject>;

/** The cross-field rules of `fileStorageEnv` (for `.superRefine` on a schema that spreads it). */
export function checkFileStorageEnv(env: FileStorageEnv, ctx: z.RefinementCtx): void {
  if (env.FILE_STORAGE !== 's3') return;
  if (!env.S3_BUCKET)
    ctx.addIssue({
      code: 'custom',
      path: ['S3_BUCKET'],
      message: 'is required when FILE_STORAGE=s3',
    });
  if (!env.S3_ACCESS_KEY_ID !== !env.S3_SECRET_ACCESS_KEY) {
    const missing = env.S3_ACCESS_KEY_ID ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID';
    ctx.addIssue({
      code: 'custom',
      path: [missing],
      message:
        'is required with the other S3 key (set both, or neither for the default AWS credentials)',
    });
  }
}

/** `fileStorageEnv` with its rules, on its own (e.g. `parseEnv(fileStorageEnvSchema)`). */
export const fileStorageEnvSchema = fileStorageObject.superRefine(checkFileStorageEnv);

/**
 * The store `env` selects. GridFS keeps files in `db` (the caller's connection, which the
 * store never closes); S3 opens its own client, released by `close()`. Call with a parsed
 * environment (`fileStorageEnvSchema` or a schema that spreads and refines it).
 */
export function createFileStore(env: FileStorageEnv, deps: { db?: Db } = {}): FileStore {
  if (env.FILE_STORAGE === 'gridfs') {
    if (!deps.db) throw new Error('FILE_STORAGE=gridfs needs a MongoDB database (deps.db)');
    return createGridFsStore({ db: deps.db });
  }
  // Parsed values, so only a schema that forgot `checkFileStorageEnv` gets here without one.
  if (!env.S3_BUCKET) throw new Error('S3_BUCKET is required when FILE_STORAGE=s3');
  return createS3Store({
    bucket: env.S3_BUCKET,
    region: env.S3_REGION,
    endpoint: env.S3_ENDPOINT,
    forcePathStyle: env.S3_FORCE_PATH_STYLE,
    credentials:
      env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY
        ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY }
        : undefined,
  });
}
