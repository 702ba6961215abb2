/**
 * The file store a benchmark system writes to: GridFS in the stack's MongoDB-compatible store
 * (the default), or S3 on a moto server of the benchmark's own (a real S3 server, in memory).
 */
import { startS3Bucket } from '../../support/s3-server.js';

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
  const s3 = await startS3Bucket('bench-files');
  return { env: s3.env, stop: () => s3.stop() };
}
