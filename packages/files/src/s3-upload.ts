import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';

export interface UploadTarget {
  client: S3Client;
  bucket: string;
  key: string;
  contentType: string;
  partSize: number;
  /** Cancels the part upload in flight (the caller also fails `source`). */
  signal?: AbortSignal | undefined;
}

/**
 * Streams `source` into one object with bounded memory: one part buffer of `partSize`,
 * reused for every part (filled, uploaded, refilled), so a write holds about 5 MiB whatever
 * the file's size. A body that fits in one part is a single PutObject. Both end with
 * `If-None-Match: *` (write-once keys). Any failure aborts the multipart upload before this
 * rejects, so no parts remain (unless S3 itself is unreachable: a bucket lifecycle rule
 * `AbortIncompleteMultipartUpload` covers that, see README).
 *
 * Why not `@aws-sdk/lib-storage`'s Upload: its chunker concatenates each part from the
 * incoming chunks while the previous part's buffer is still referenced; one 80 MiB write
 * peaked at +26 MiB of live memory with queueSize 1 (this loop: about +5 MiB), and its
 * `abort()` rejects before the parts in flight have settled.
 */
export async function uploadStream(source: Readable, target: UploadTarget): Promise<number> {
  const { client, bucket, key, contentType, partSize, signal } = target;
  let part: Buffer | null = null;
  let filled = 0;
  let size = 0;
  let uploadId: string | undefined;
  const parts: CompletedPart[] = [];

  const sendPart = async () => {
    // Never cancelled: an upload created while we stopped listening could not be aborted.
    uploadId ??= (
      await client.send(
        new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType }),
      )
    ).UploadId;
    if (!uploadId) throw new Error(`S3 answered CreateMultipartUpload of ${key} without an id`);
    const PartNumber = parts.length + 1;
    const { ETag } = await client.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber,
        Body: part!.subarray(0, filled),
      }),
      { abortSignal: signal },
    );
    if (!ETag) throw new Error(`S3 answered part ${PartNumber} of ${key} without an ETag`);
    parts.push({ PartNumber, ETag });
    filled = 0;
  };

  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      size += chunk.length;
      let offset = 0;
      while (offset < chunk.length) {
        // A full part goes out only when more bytes need its room: the last one waits for
        // the end, where it may turn out to be the only one (a single PutObject).
        if (filled === partSize) await sendPart();
        part ??= Buffer.allocUnsafe(partSize);
        const n = chunk.copy(part, filled, offset);
        filled += n;
        offset += n;
      }
    }
    if (uploadId === undefined) {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          ContentType: contentType,
          Body: part ? part.subarray(0, filled) : Buffer.alloc(0),
          IfNoneMatch: '*',
        }),
      );
      return size;
    }
    if (filled > 0) await sendPart();
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
        IfNoneMatch: '*',
      }),
    );
    uploadId = undefined; // completed: nothing to abort
    return size;
  } catch (err) {
    if (uploadId !== undefined) {
      await client
        .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
        .catch(() => undefined); // the write's own error is what the caller needs
    }
    throw err;
  }
}
