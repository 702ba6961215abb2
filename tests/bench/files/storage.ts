/**
 * The file store a benchmark system writes to: GridFS in the stack's MongoDB-compatible store
 * (the default), or S3 on a moto server of the benchmark's own (a real S3 server, in memory).
 */
import { randomBytes } from 'node:crypto';
import { createS3Store } from '@chat/files';
import { S3TestServer } from '../../support/s3-server.js';

export const DRIVERS = ['gridfs', 's3'] as const;
export type Driver = (typeof DRIVERS)[number];

export const DRIVER_LABEL: Record<Driver, string> = {
  gridfs: 'GridFS (FerretDB on PostgreSQL)',
  s3: 'S3 (moto)',
};

export interface Storage {
  /** Environment of the system's processes that selects this store. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function openStorage(driver: Driver): Promise<Storage> {
  if (driver === 'gridfs')
    return { env: { FILE_STORAGE: 'gridfs' }, stop: () => Promise.resolve() };
  const server = await S3TestServer.start();
  const bucket = `bench-files-${randomBytes(4).toString('hex')}`;
  const store = createS3Store({
    bucket,
    region: 'us-east-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: server.credentials,
  });
  try {
    await store.ensureBucket();
  } finally {
    await store.close();
  }
  return {
    env: {
      FILE_STORAGE: 's3',
      S3_BUCKET: bucket,
      S3_ENDPOINT: server.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      S3_ACCESS_KEY_ID: server.credentials.accessKeyId,
      S3_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
    },
    stop: () => server.stop(),
  };
}
