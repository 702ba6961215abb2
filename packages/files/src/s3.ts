import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { readBody } from './body.js';
import { uploadStream } from './s3-upload.js';
import { abortError, FileExistsError } from './errors.js';
import { assertKey, checkRange } from './keys.js';
import { FileNotFoundError, type ByteRange, type FileStore } from './store.js';

export interface S3StoreOptions {
  bucket: string;
  region: string;
  /** An S3-compatible server (MinIO, …); unset = AWS. */
  endpoint?: string;
  /** `http://host/bucket/key` instead of `http://bucket.host/key` (MinIO and most non-AWS servers). */
  forcePathStyle?: boolean;
  /** Unset = the SDK's default chain (AWS_* variables, instance or pod role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Bytes per multipart part (S3: ≥ 5 MiB); a write holds one part buffer of this size. */
  partSize?: number;
}

export interface S3FileStore extends FileStore {
  readonly client: S3Client;
  /** Creates the bucket if it does not exist (development and tests; production provisions it). */
  ensureBucket(): Promise<void>;
}

const MiB = 1024 * 1024;

/** The S3 error name of `err` (`NoSuchKey`, `NotFound`, `InvalidRange`, …), if it is one. */
const s3ErrorName = (err: unknown): string | undefined =>
  err instanceof S3ServiceException ? err.name : undefined;

/**
 * Files as S3 objects (AWS, MinIO, any S3-compatible server). Writes stream as a multipart
 * upload through one reused part buffer (s3-upload.ts), a body under one part as a single
 * PutObject; a failed or aborted write aborts its multipart upload, leaving no object and no
 * parts. Reads are GetObject with `Range`, streamed.
 */
export function createS3Store(options: S3StoreOptions): S3FileStore {
  const { bucket, partSize = 5 * MiB } = options;
  if (partSize < 5 * MiB) throw new RangeError('partSize must be at least 5 MiB (S3 minimum)');
  const client = new S3Client({
    region: options.region,
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle ?? false,
    credentials: options.credentials,
    // Since 3.729 the SDK adds CRC32 checksums to uploads by default (and sends streamed
    // bodies `aws-chunked` with a trailing checksum); moto, our test server, accepts both,
    // but S3-compatible servers don't all do (older MinIO, Ceph, some hosted ones). Only
    // when an operation requires it, so any S3 dialect works.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    requestHandler: {
      // A storage that is down must fail a request in seconds, not hang it: 3 s to
      // connect, and 30 s without a byte either way. The latter also ends a download
      // whose reader stops reading for 30 s (a client that re-requests with Range).
      connectionTimeout: 3_000,
      socketTimeout: 30_000,
    },
  });

  const removeKey = async (key: string) => {
    // S3 answers 204 whether or not the key existed.
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  };

  return {
    driver: 's3',
    client,

    async write(key, body, { contentType, signal }) {
      assertKey(key);
      if (signal?.aborted) throw abortError(signal);
      const { source, detach } = readBody(body, signal);
      try {
        const size = await uploadStream(source, {
          client,
          bucket,
          key,
          contentType,
          partSize,
          signal,
        });
        if (signal?.aborted) {
          // Aborted after the last byte was read: the object may be complete already.
          await removeKey(key);
          throw abortError(signal);
        }
        return { size };
      } catch (err) {
        source.destroy();
        if (signal?.aborted) throw abortError(signal);
        if (s3ErrorName(err) === 'PreconditionFailed') throw new FileExistsError(key);
        throw err;
      } finally {
        detach();
      }
    },

    async read(key: string, range?: ByteRange): Promise<Readable> {
      assertKey(key);
      if (range) checkRange(range);
      try {
        const res = await client.send(
          new GetObjectCommand({
            Bucket: bucket,
            Key: key,
            // S3 serves an end past the object's last byte up to that byte, like HTTP.
            Range: range ? `bytes=${range.start}-${range.end}` : undefined,
          }),
        );
        if (!(res.Body instanceof Readable)) throw new Error('GetObject returned no Node stream');
        return res.Body;
      } catch (err) {
        const name = s3ErrorName(err);
        if (name === 'NoSuchKey' || name === 'NotFound') throw new FileNotFoundError(key);
        if (name === 'InvalidRange')
          throw new RangeError(`Byte range ${range?.start}-${range?.end} starts past the end`);
        throw err;
      }
    },

    async remove(key) {
      assertKey(key);
      await removeKey(key);
    },

    async ping() {
      await client.send(new HeadBucketCommand({ Bucket: bucket }));
    },

    async ensureBucket() {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }));
        return;
      } catch (err) {
        if (s3ErrorName(err) !== 'NotFound' && s3ErrorName(err) !== 'NoSuchBucket') throw err;
      }
      try {
        await client.send(
          new CreateBucketCommand({
            Bucket: bucket,
            // us-east-1 is the default and must not be named; every other region must be.
            ...(options.region === 'us-east-1'
              ? {}
              : { CreateBucketConfiguration: { LocationConstraint: options.region as never } }),
          }),
        );
      } catch (err) {
        // Created meanwhile by another process.
        if (s3ErrorName(err) !== 'BucketAlreadyOwnedByYou') throw err;
      }
    },

    close() {
      client.destroy();
      return Promise.resolve();
    },
  };
}
